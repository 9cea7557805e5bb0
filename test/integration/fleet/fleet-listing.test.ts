/**
 * The fleet view on real ledgers: 200 chains in mixed states, all adopted from grants of a real
 * simulator (a few checked against it for real), listed by listFleet and by the CLI, with the
 * simulator's request log and every HTTP entry point of this process proving no call to Xero.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkConnection } from '../../../src/check';
import { ManualClock, MINUTE } from '../../../src/clock';
import { connectionKeyFor, TokenEngine } from '../../../src/engine';
import { fleetChainId, listFleet, recordCheck, type FleetEntry, type FleetState } from '../../../src/fleet';
import { main } from '../../../cli/xero-guard-ledger';
import { hasChainNotes, type ChainNotes, type Ledger } from '../../../src/ledger';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator } from '../../../src/simulator';
import { XeroApiClient, XeroIdentityClient } from '../../../src/xero';
import { dropLedgerSpec, makeLedgerSpec, openLedger, withPostgres, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { tokenSetOf } from '../../unit/check/sim-fixture';

const run = promisify(execFile);
const CLI = join(__dirname, '../../../cli/xero-guard-ledger.ts');
const ENCRYPTION_KEY = 'fleet-test-encryption-key';
const CHAINS = 200;
const START = Date.UTC(2026, 2, 2, 9, 0, 0);

interface Expected {
  key: string;
  state: FleetState;
  name: string;
  nameSource: FleetEntry['nameSource'];
}

/** Six kinds of chain, in turn: the mix an accounting practice's ledger has after a while. */
async function fillLedger(
  tag: string,
  ledger: Ledger & ChainNotes,
  sim: Simulator,
  clock: ManualClock,
  api: XeroApiClient,
  count = CHAINS,
): Promise<Expected[]> {
  const identity = new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl }, clock });
  const engine = new TokenEngine({ ledger, identity, clock, client: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET } });
  const expected: Expected[] = [];
  for (let i = 0; i < count; i++) {
    // One bookkeeper per organisation: /connections lists every organisation a user connected to the app.
    const grant = sim.seedGrant({ email: `bookkeeper-${tag}-${i}@example.com`, tenants: [{ tenantId: `org-${tag}-${i}`, name: `Client ${i} Pty` }] });
    const key = connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string);
    const kind = i % 6;
    const name = `Books of client ${i}`;
    await engine.adoptGrant(key, tokenSetOf(grant, clock.now()), kind === 4 || kind === 5 ? {} : { displayName: name });
    const record = (await ledger.read(key))!;
    if (kind === 1) await ledger.write({ ...record, state: 'needs_reauth', stateReason: 'Xero rejected its refresh token (invalid_grant).' }, record.version);
    if (kind === 2) await ledger.write({ ...record, state: 'misconfigured', stateReason: 'the client secret was rejected (invalid_client).' }, record.version);
    // The engine's own reason names the chain that replaced it (by key): what is shown must not.
    if (kind === 3) await engine.markSuperseded(key, `reconnected as ${connectionKeyFor(DEMO_CLIENT_ID, `newer-root-${i}`)}`);
    // An answer lost an hour ago: pending, but no longer "refreshing".
    if (kind === 4) await ledger.write({ ...record, pending: { refreshTokenFp: 'fp', startedAt: clock.now() - 60 * MINUTE, owner: 'host-1' } }, record.version);
    if (kind === 4)
      await recordCheck(
        ledger,
        key,
        {
          status: 'connected',
          tenants: [
            {
              tenantId: `org-${tag}-${i}`,
              tenantName: `Client ${i} Pty`,
              tenantType: 'ORGANISATION',
              connectionId: 'c',
              createdDateUtc: null,
              updatedDateUtc: null,
            },
          ],
        },
        clock,
      );
    const state: FleetState = (['active', 'needs_reauth', 'misconfigured', 'superseded', 'active', 'active'] as const)[kind];
    const nameSource = kind === 4 ? 'organisations' : kind === 5 ? 'key' : 'stored';
    expected.push({ key, state, nameSource, name: kind === 4 ? `Xero: Client ${i} Pty` : kind === 5 ? key : name });
  }
  // Three chains checked against the simulator for real: their organisations come from /connections.
  for (const chain of expected.filter((e) => e.state === 'active' && e.nameSource === 'stored').slice(0, 3)) {
    const result = await checkConnection({ engine, key: chain.key, api, clock });
    expect(result.status).toBe('connected');
    await recordCheck(ledger, chain.key, result, clock);
  }
  return expected;
}

/** What the command shows for a chain: its name, or for one known only by its key, "Unnamed Xero connection <id>". */
function shownName(chain: { key: string; name: string; nameSource: string }): string {
  return chain.nameSource === 'key' ? `Unnamed Xero connection ${fleetChainId(chain.key, ENCRYPTION_KEY).slice(0, 8)}` : chain.name;
}

let sim: Simulator;
let clock: ManualClock;
const specs: LedgerSpec[] = [];

beforeAll(async () => {
  clock = new ManualClock(START);
  sim = await startSimulator({ clock });
});

afterAll(async () => {
  await sim.close();
  for (const spec of specs) {
    await dropLedgerSpec(spec);
    if (typeof spec.tablePrefix === 'string') await withPostgres((c) => c.query(`DROP TABLE IF EXISTS "${String(spec.tablePrefix)}notes"`));
  }
});

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Counts every way this process could make an HTTP call while `use` runs. */
async function withoutHttp<T>(use: () => Promise<T>): Promise<{ value: T; httpCalls: number }> {
  let httpCalls = 0;
  const spies = [jest.spyOn(http, 'request'), jest.spyOn(http, 'get'), jest.spyOn(https, 'request'), jest.spyOn(https, 'get'), jest.spyOn(globalThis, 'fetch')];
  for (const spy of spies)
    spy.mockImplementation((() => {
      httpCalls++;
      throw new Error('the fleet listing must not make HTTP calls');
    }) as never);
  try {
    return { value: await use(), httpCalls };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe.each(['postgres', 'file'] as const)('fleet listing on a %s ledger', (kind) => {
  test(`lists all ${CHAINS} chains with the right states and names, and makes no call to Xero`, async () => {
    const spec = makeLedgerSpec(kind, ENCRYPTION_KEY);
    specs.push(spec);
    const t0 = clock.now();
    const ledger = await openLedger(spec, clock);
    try {
      if (!hasChainNotes(ledger)) throw new Error(`${kind} ledger keeps no notes`);
      const api = new XeroApiClient({ endpoints: { apiUrl: sim.apiUrl } });
      const expected = await fillLedger(kind, ledger, sim, clock, api);
      clock.advance(10 * MINUTE);
      const requestsBefore = sim.stats().requests;
      const logBefore = sim.log().at(-1)?.seq ?? 0;

      const { value: listing, httpCalls } = await withoutHttp(() => listFleet(ledger, { clock }));

      expect(httpCalls).toBe(0);
      expect(sim.stats().requests).toBe(requestsBefore);
      expect(sim.log(logBefore).filter((e) => e.type === 'request')).toEqual([]);
      expect(listing.chains).toHaveLength(CHAINS);
      const byKey = new Map(listing.chains.map((c) => [c.key, c]));
      for (const want of expected) {
        expect({ key: want.key, state: byKey.get(want.key)?.state, name: byKey.get(want.key)?.name, nameSource: byKey.get(want.key)?.nameSource }).toEqual(
          want,
        );
      }
      expect(listing.counts).toEqual({ active: 100, needs_reauth: 34, misconfigured: 33, superseded: 33 });

      const needsReauth = listing.chains.find((c) => c.state === 'needs_reauth')!;
      expect(needsReauth).toMatchObject({
        lastErrorCategory: 'refresh_token_invalid',
        reason: expect.stringContaining('invalid_grant'),
        daysLeftBeforeIdleExpiry: 59,
      });
      expect(listing.chains.find((c) => c.state === 'misconfigured')).toMatchObject({ lastErrorCategory: 'invalid_client' });
      const pending = listing.chains.find((c) => c.nameSource === 'organisations')!;
      expect(pending).toMatchObject({
        state: 'active',
        pendingRefreshSince: new Date(t0 - 60 * MINUTE).toISOString(),
        organisations: [expect.objectContaining({ tenantName: expect.stringMatching(/^Client \d+ Pty$/) })],
      });
      const checked = listing.chains.filter((c) => c.lastCheck?.status === 'connected' && c.nameSource === 'stored');
      expect(checked).toHaveLength(3);
      expect(checked[0].organisations).toEqual([
        expect.objectContaining({ tenantId: expect.stringMatching(new RegExp(`^org-${kind}-\\d+$`)), tenantName: expect.stringMatching(/^Client \d+ Pty$/) }),
      ]);
      expect(checked[0].accessTokenExpiresAt).toBe(new Date(t0 + 30 * MINUTE).toISOString());

      // No token in the listing: every access and refresh token the simulator issued is absent.
      const text = JSON.stringify(listing);
      const issued = sim.log().filter((e) => e.type === 'token-issued') as Array<{ accessToken: string; refreshToken?: string }>;
      expect(issued.length).toBeGreaterThanOrEqual(CHAINS);
      for (const token of issued) {
        expect(text).not.toContain(token.accessToken);
        if (token.refreshToken) expect(text).not.toContain(token.refreshToken);
      }

      // The operator's command on the same ledger, in its own process.
      const location = kind === 'file' ? `file:${String(spec.directory)}` : `${String(spec.connectionString)}?tablePrefix=${String(spec.tablePrefix)}`;
      const env = { ...process.env, XG_FLEET_KEY: ENCRYPTION_KEY };
      const json = await run('npx', ['tsx', CLI, 'status', '--ledger', location, '--encryption-key-env', 'XG_FLEET_KEY', '--json', '--show-keys'], {
        env,
        maxBuffer: 32 * 1024 * 1024,
      });
      const fromCli = JSON.parse(json.stdout) as { chains: FleetEntry[] };
      expect(fromCli.chains.map((c) => [c.key, c.state === 'refreshing' ? 'active' : c.state, c.name]).sort()).toEqual(
        expected.map((e) => [e.key, e.state, shownName(e)]).sort(),
      );
      // The table and the wrong-key refusal through the same command, in this process.
      const table = await cli(['status', '--ledger', location, '--encryption-key-env', 'XG_FLEET_KEY'], { XG_FLEET_KEY: ENCRYPTION_KEY });
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(`${CHAINS} connections (100 active, 34 needs reconnecting, 33 misconfigured, 33 replaced)`);
      expect(table.stdout).toContain('Books of client 1 ');
      expect(table.stdout.split('\n').filter((l) => l.includes('needs reconnecting'))).toHaveLength(35);
      // Without --show-keys no chain key and no client id, though the superseded chains' reasons named the key that replaced them.
      const plain = await cli(['status', '--ledger', location, '--encryption-key-env', 'XG_FLEET_KEY', '--json'], { XG_FLEET_KEY: ENCRYPTION_KEY });
      expect(`${table.stdout}${plain.stdout}`).not.toMatch(/xero:|XEROGUARDDEMOCLIENT/);
      expect((JSON.parse(plain.stdout) as { chains: Array<{ id: string }> }).chains.map((c) => c.id).sort()).toEqual(
        expected.map((e) => fleetChainId(e.key, ENCRYPTION_KEY)).sort(),
      );
      const wrong = await cli(['status', '--ledger', location, '--encryption-key-env', 'XG_FLEET_KEY'], { XG_FLEET_KEY: 'not-the-key' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`${CHAINS} of ${CHAINS} connection(s) were written with a different encryption key than the one in XG_FLEET_KEY`);
      expect(sim.stats().requests).toBe(requestsBefore);
    } finally {
      await ledger.close();
    }
  });
});

describe('fleet listing on a redis ledger', () => {
  test('lists every chain with its state and name, from the library and the command, with no call to Xero', async () => {
    const spec = makeLedgerSpec('redis', ENCRYPTION_KEY);
    specs.push(spec);
    const ledger = await openLedger(spec, clock);
    try {
      if (!hasChainNotes(ledger)) throw new Error('redis ledger keeps no notes');
      const expected = await fillLedger('redis', ledger, sim, clock, new XeroApiClient({ endpoints: { apiUrl: sim.apiUrl } }), 12);
      const requestsBefore = sim.stats().requests;
      const { value: listing, httpCalls } = await withoutHttp(() => listFleet(ledger, { clock }));
      expect(httpCalls).toBe(0);
      const got = (chains: FleetEntry[]) => chains.map((c) => [c.key, c.state === 'refreshing' ? 'active' : c.state, c.name]).sort();
      expect(got(listing.chains)).toEqual(expected.map((e) => [e.key, e.state, e.name]).sort());
      const json = await cli(
        ['status', '--ledger', `${String(spec.redisUrl)}?keyPrefix=${String(spec.keyPrefix)}`, '--encryption-key-env', 'XG_FLEET_KEY', '--json', '--show-keys'],
        { XG_FLEET_KEY: ENCRYPTION_KEY },
      );
      expect(json.code).toBe(0);
      expect(got((JSON.parse(json.stdout) as { chains: FleetEntry[] }).chains)).toEqual(expected.map((e) => [e.key, e.state, shownName(e)]).sort());
      expect(sim.stats().requests).toBe(requestsBefore);
    } finally {
      await ledger.close();
    }
  });
});
