/**
 * Invariant 16, the upgrade: a Custom Connection chain written by 98992cb (keyed by its client id
 * alone; test/fixtures/ledger-custom-connection-98992cb, made by that code) in a file, PostgreSQL
 * and Redis ledger. A credential with another secret cannot carry it over: Xero refuses it and the
 * old chain is left exactly as it was. The credential holding the app's secret carries it over on
 * its first request, without a reconnect: its name, history and organisations come along, the old
 * key is superseded. Through the n8n credential as n8n runs it (file ledger) and through the engine
 * on each shared backend. The simulator plays Xero here (trustSimulatorAsXero, tests only).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IExecuteFunctions } from 'n8n-workflow';
import { XeroGuardConnections } from '../../../nodes/XeroGuardConnections/XeroGuardConnections.node';
import { openGuardedSession, resetEnginesForTests } from '../../../nodes/shared/guarded-session';
import { ManualClock } from '../../../src/clock';
import { clientCredentialsKey, TokenEngine } from '../../../src/engine';
import { buildLedger, FileLedger, hasChainNotes, type ConnectionRecord, type Ledger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { XeroIdentityClient } from '../../../src/xero';
import {
  dropKeys,
  dropTables,
  insertLedgerRows,
  silentLogger,
  TEST_POSTGRES_URL,
  TEST_REDIS_URL,
  withPostgres,
  withRedis,
  type StoredLedgerRow,
} from '../../../tools/ledgers/ledger-factory';
import {
  FIXTURE_CLIENT_ID,
  FIXTURE_CLIENT_SECRET,
  FIXTURE_ENCRYPTION_KEY,
  FIXTURE_KEY,
  FIXTURE_NAME,
} from '../../fixtures/ledger-custom-connection-98992cb/facts';
import { trustSimulatorAsXero } from '../../helpers/xero-trust';
import { fakeContext, makeN8nFixture } from '../../unit/n8n/n8n-fixture';

const FIXTURES = join(__dirname, '../../fixtures/ledger-custom-connection-98992cb');
const APP = { clientId: FIXTURE_CLIENT_ID, clientSecret: FIXTURE_CLIENT_SECRET };
const GUESS = { clientId: FIXTURE_CLIENT_ID, clientSecret: 'another-secret-for-the-same-app' };
const SCOPES = ['accounting.settings'];
const CARRIED = "carried over: the credential proved the app's secret";

test("through the n8n credential (file ledger): another secret cannot adopt it; the app's secret does, without a reconnect", async () => {
  const f = await makeN8nFixture();
  try {
    process.env.N8N_ENCRYPTION_KEY = FIXTURE_ENCRYPTION_KEY;
    await resetEnginesForTests({ clock: f.clock, xeroTrust: trustSimulatorAsXero(f.sim) });
    const folder = join(f.userFolder, '.n8n', 'xero-guard');
    cpSync(join(FIXTURES, 'file'), folder, { recursive: true });
    const ledger = new FileLedger({ directory: folder, sealer: new Sealer(FIXTURE_ENCRYPTION_KEY) });
    const before = (await ledger.read(FIXTURE_KEY)) as ConnectionRecord;
    expect(before).toMatchObject({ grant: 'client_credentials', state: 'active', displayName: FIXTURE_NAME });
    expect(before.endpoints).toBeUndefined();
    const custom = (secret: string) =>
      f.credentials(undefined, { grantType: 'clientCredentials', clientId: FIXTURE_CLIENT_ID, clientSecret: secret, xeroScopes: SCOPES });

    await expect(openGuardedSession(custom(GUESS.clientSecret), process.env, { displayName: 'Not the owner' })).rejects.toThrow(/invalid_client/);
    expect(await ledger.read(FIXTURE_KEY)).toEqual(before);
    expect(await ledger.keys()).toEqual([FIXTURE_KEY]);

    const session = await openGuardedSession(custom(APP.clientSecret), process.env, { displayName: FIXTURE_NAME });
    expect(await session.accessToken()).toEqual(expect.any(String));
    const status = await session.status();
    expect(status).toMatchObject({ state: 'active', displayName: FIXTURE_NAME, grant: 'client_credentials' });
    const moved = (await ledger.read(session.key)) as ConnectionRecord;
    expect(moved.history.map((h) => h.reason)).toEqual(['connected', CARRIED]);
    expect(moved.createdAt).toBe(before.createdAt);
    expect((await ledger.read(FIXTURE_KEY))?.state).toBe('superseded');
    // The organisations the old chain's checks saw: in the credential's own fleet view, with no check run since.
    const [items] = await new XeroGuardConnections().execute.call(
      fakeContext({ credentials: custom(APP.clientSecret), parameters: { mode: 'list' } }) as unknown as IExecuteFunctions,
    );
    expect((items ?? []).map((i) => [i.json.name, i.json.state, (i.json.organisations as Array<{ tenantName: string }>).map((o) => o.tenantName)])).toEqual([
      [FIXTURE_NAME, 'active', ['Demo Company (NZ)']],
    ]);
    expect(f.sim.stats().tokenCallsByGrantType.client_credentials).toBe(2);
  } finally {
    await f.close();
  }
});

interface Backend {
  ledger: Ledger;
  close(): Promise<void>;
}

async function postgresBackend(clock: ManualClock): Promise<Backend> {
  const tablePrefix = `xgcc_${randomBytes(4).toString('hex')}_`;
  const ledger = buildLedger({
    kind: 'postgres',
    connectionString: TEST_POSTGRES_URL,
    tablePrefix,
    encryptionKey: FIXTURE_ENCRYPTION_KEY,
    clock,
    logger: silentLogger,
  });
  const rows = JSON.parse(readFileSync(join(FIXTURES, 'postgres-rows.json'), 'utf8')) as {
    ledger: StoredLedgerRow[];
    notes: Array<{ key: string; field: string; value: unknown }>;
  };
  if (!hasChainNotes(ledger)) throw new Error('no notes');
  // The notes through the ledger (their format is as 98992cb wrote it; this creates the tables); then the rows as 98992cb wrote them.
  await ledger.writeNotes(FIXTURE_KEY, Object.fromEntries(rows.notes.map((note) => [note.field, note.value])));
  await insertLedgerRows(tablePrefix, rows.ledger);
  return {
    ledger,
    close: async () => {
      await ledger.close();
      await dropTables(tablePrefix);
      await withPostgres((client) => client.query(`DROP TABLE IF EXISTS "${tablePrefix}notes"`));
    },
  };
}

async function redisBackend(clock: ManualClock): Promise<Backend> {
  const keyPrefix = `xgcc_${randomBytes(4).toString('hex')}:`;
  const ledger = buildLedger({ kind: 'redis', redisUrl: TEST_REDIS_URL, keyPrefix, encryptionKey: FIXTURE_ENCRYPTION_KEY, clock, logger: silentLogger });
  const hashes = JSON.parse(readFileSync(join(FIXTURES, 'redis-hashes.json'), 'utf8')) as { data: Record<string, string>; notes: Record<string, string> };
  const redis = ledger as unknown as { dataKey(key: string): string; notesKey(key: string): string };
  await withRedis(async (client) => {
    await client.hset(redis.dataKey(FIXTURE_KEY), hashes.data);
    await client.hset(redis.notesKey(FIXTURE_KEY), hashes.notes);
    await client.sadd(`${keyPrefix}keys`, FIXTURE_KEY);
  });
  return {
    ledger,
    close: async () => {
      await ledger.close();
      await dropKeys(keyPrefix);
    },
  };
}

describe.each([
  ['postgres', postgresBackend],
  ['redis', redisBackend],
] as const)('through the engine on a %s ledger', (_kind, make) => {
  let sim: Simulator;
  let clock: ManualClock;
  let backend: Backend;
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 11, 7));
    sim = await startSimulator({ clock });
    backend = await make(clock);
  });
  afterEach(async () => {
    await backend.close();
    await sim.close();
  });

  const engineFor = () =>
    new TokenEngine({
      ledger: backend.ledger,
      clock,
      identity: new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl }, clock }),
      xeroTrust: trustSimulatorAsXero(sim),
    });
  const endpoints = () => ({ tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl });

  test("another secret cannot adopt the chain 98992cb wrote; the app's secret carries it over with its name, history and notes", async () => {
    const { ledger } = backend;
    const before = (await ledger.read(FIXTURE_KEY)) as ConnectionRecord;
    expect(before).toMatchObject({ grant: 'client_credentials', state: 'active', displayName: FIXTURE_NAME });
    const notes = hasChainNotes(ledger) ? await ledger.readNotes(FIXTURE_KEY) : {};
    expect(Object.keys(notes).sort()).toEqual(['check', 'tenants']);

    const intruder = engineFor();
    const guessKey = await clientCredentialsKey(GUESS, endpoints(), FIXTURE_ENCRYPTION_KEY);
    intruder.setClient(guessKey, GUESS);
    await expect(intruder.adoptClientCredentials(guessKey, { scopes: SCOPES, legacyKey: FIXTURE_KEY })).rejects.toThrow(/invalid_client/);
    expect(await ledger.read(FIXTURE_KEY)).toEqual(before);
    expect((await ledger.keys()).sort()).toEqual([FIXTURE_KEY]);

    const owner = engineFor();
    const key = await clientCredentialsKey(APP, endpoints(), FIXTURE_ENCRYPTION_KEY);
    owner.setClient(key, APP);
    const status = await owner.adoptClientCredentials(key, { scopes: SCOPES, legacyKey: FIXTURE_KEY });
    expect(status).toMatchObject({ state: 'active', displayName: FIXTURE_NAME });
    const moved = (await ledger.read(key)) as ConnectionRecord;
    expect(moved).toMatchObject({ createdAt: before.createdAt, endpoints: endpoints() });
    expect(moved.history.map((h) => h.reason)).toEqual(['connected', CARRIED]);
    if (hasChainNotes(ledger)) expect(await ledger.readNotes(key)).toEqual(notes);
    expect((await ledger.read(FIXTURE_KEY))?.state).toBe('superseded');
    expect(await sim.stats().tokenCallsByGrantType.client_credentials).toBe(2);
    // The intruder still names only its own (absent) chain.
    expect(await intruder.currentTokenSet(guessKey)).toBeNull();
  });
});
