/**
 * The "Xero Guard Connections" node on real ledgers (file and PostgreSQL) holding 200 chains in
 * mixed states: it lists all 200 under the user's names with the right states, in n8n's words, and
 * the simulator's request log shows it made no call to Xero. Its watchdog mode says each change once.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { XeroGuardConnections } from '../../../nodes/XeroGuardConnections/XeroGuardConnections.node';
import { openGuardedLedger } from '../../../nodes/shared/guarded-session';
import { MINUTE } from '../../../src/clock';
import { connectionKeyFor, TokenEngine } from '../../../src/engine';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../../src/simulator';
import { XeroIdentityClient } from '../../../src/xero';
import { dropTables, TEST_POSTGRES_URL } from '../../../tools/ledgers/ledger-factory';
import { tokenSetOf } from '../../unit/check/sim-fixture';
import { fakeContext, makeN8nFixture, type N8nFixture } from '../../unit/n8n/n8n-fixture';

const CHAINS = 200;
const STATES = ['active', 'needs_reauth', 'misconfigured', 'superseded', 'active'] as const;

describe.each(['file', 'postgres'] as const)('Xero Guard Connections node on a %s ledger', (kind) => {
  const node = new XeroGuardConnections();
  const prefix = `xg_fleetnode_${process.pid}_`;
  let f: N8nFixture;
  let savedPrefix: string | undefined;
  beforeEach(async () => {
    f = await makeN8nFixture();
    savedPrefix = process.env.DB_TABLE_PREFIX;
    process.env.DB_TABLE_PREFIX = prefix;
  });
  afterEach(async () => {
    await f.close();
    if (savedPrefix === undefined) delete process.env.DB_TABLE_PREFIX;
    else process.env.DB_TABLE_PREFIX = savedPrefix;
    if (kind === 'postgres') await dropTables(`${prefix}xero_guard_`);
  });

  it(`lists all ${CHAINS} chains with their states and names, and makes no call to Xero; the watchdog mode says each change once`, async () => {
    const credentials = f.credentials(undefined, kind === 'postgres' ? { ledger: 'postgres', ledgerPostgresUrl: TEST_POSTGRES_URL } : {});
    const { ledger } = await openGuardedLedger(credentials);
    const identity = new XeroIdentityClient({ endpoints: { tokenUrl: f.sim.tokenUrl }, clock: f.clock });
    const engine = new TokenEngine({ ledger, identity, clock: f.clock, client: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET } });
    const expected = new Map<string, { state: string; name: string }>();
    for (let i = 0; i < CHAINS; i++) {
      const grant = f.sim.seedGrant({ email: `bookkeeper-${kind}-${i}@example.com`, tenants: [{ tenantId: `org-${kind}-${i}`, name: `Client ${i} Pty` }] });
      const key = connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string);
      const name = `Books of client ${i}`;
      await engine.adoptGrant(key, tokenSetOf(grant, f.clock.now()), { displayName: name });
      const state = STATES[i % STATES.length];
      const record = (await ledger.read(key))!;
      if (state === 'needs_reauth') await ledger.write({ ...record, state, stateReason: 'Xero rejected its refresh token (invalid_grant).' }, record.version);
      if (state === 'misconfigured') await ledger.write({ ...record, state, stateReason: 'the client secret was rejected (invalid_client).' }, record.version);
      if (state === 'superseded') await engine.markSuperseded(key, 'reconnected as another chain');
      expected.set(name, { state, name });
    }
    f.clock.advance(MINUTE);
    const requestsBefore = f.sim.stats().requests;
    const run = async (parameters: Record<string, unknown>, staticData: Record<string, unknown> = {}) => {
      const [items] = await node.execute.call(fakeContext({ credentials, parameters, staticData }) as unknown as IExecuteFunctions);
      return (items ?? []).map((i) => i.json);
    };

    const listed = await run({ mode: 'list' });
    expect(listed).toHaveLength(CHAINS);
    for (const item of listed) {
      const want = expected.get(String(item.name));
      expect(want).toBeDefined();
      expect(item).toMatchObject({ state: want!.state, nameSource: 'stored' });
      if (want!.state === 'needs_reauth') {
        expect(String(item.message)).toMatch(new RegExp(`^Xero credential "${want!.name}" needs reconnecting`));
        expect(String(item.advice)).toMatch(/"Switch account"/);
      }
      expect(JSON.stringify(item)).not.toMatch(/Node-RED|accessToken"|refreshToken"/);
    }
    const needing = await run({ mode: 'list', needsAttention: true });
    expect(needing).toHaveLength(CHAINS * (2 / STATES.length));

    // Watchdog: the first run reports those needing a person, then nothing, then one event per change.
    const staticData: Record<string, unknown> = {};
    expect(await run({ mode: 'changes' }, staticData)).toHaveLength(CHAINS * (2 / STATES.length));
    expect(await run({ mode: 'changes' }, staticData)).toHaveLength(0);
    const [firstActive] = [...expected.values()].filter((e) => e.state === 'active');
    const key = (listed.find((i) => i.name === firstActive.name) as IDataObject).chainKey as string;
    const record = (await ledger.read(key))!;
    await ledger.write({ ...record, state: 'needs_reauth', stateReason: 'Xero rejected its refresh token (invalid_grant).' }, record.version);
    const changes = await run({ mode: 'changes' }, staticData);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ event: 'changed', name: firstActive.name, from: 'active', to: 'needs_reauth' });

    expect(f.sim.stats().requests).toBe(requestsBefore);
  });
});
