/**
 * The "Xero Guard Connections" node on real ledgers (file and PostgreSQL) holding 200 chains in
 * mixed states. By default it lists only its own credential's chain (issue 24, item 2: the ledger is
 * shared by every credential of the instance, n8n's users are not); with the instance owner's
 * XERO_GUARD_FLEET_SCOPE=ledger it lists all 200 under the user's names with the right states, in
 * n8n's words, and the simulator's request log shows it made no call to Xero. Its watchdog mode says
 * each change once. No output ever holds a chain key, a client id, a secret or a token.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { XeroGuardConnections } from '../../../nodes/XeroGuardConnections/XeroGuardConnections.node';
import { openGuardedLedger } from '../../../nodes/shared/guarded-session';
import { MINUTE } from '../../../src/clock';
import { CHAIN_KEY, connectionKeyFor, TokenEngine } from '../../../src/engine';
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
    delete process.env.XERO_GUARD_FLEET_SCOPE;
    if (savedPrefix === undefined) delete process.env.DB_TABLE_PREFIX;
    else process.env.DB_TABLE_PREFIX = savedPrefix;
    if (kind === 'postgres') await dropTables(`${prefix}xero_guard_`);
  });

  it(`lists its own chain by default, all ${CHAINS} with the owner's setting, with no call to Xero and no key, client id or token; the watchdog mode says each change once`, async () => {
    const settings = kind === 'postgres' ? { ledger: 'postgres', ledgerPostgresUrl: TEST_POSTGRES_URL } : {};
    const { ledger } = await openGuardedLedger(f.credentials(undefined, settings));
    const identity = new XeroIdentityClient({ endpoints: { tokenUrl: f.sim.tokenUrl }, clock: f.clock });
    const engine = new TokenEngine({ ledger, identity, clock: f.clock, client: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET } });
    const expected = new Map<string, { state: string; name: string; key: string }>();
    let credentials: Record<string, unknown> = {};
    for (let i = 0; i < CHAINS; i++) {
      const grant = f.sim.seedGrant({ email: `bookkeeper-${kind}-${i}@example.com`, tenants: [{ tenantId: `org-${kind}-${i}`, name: `Client ${i} Pty` }] });
      // The node's own credential is the one that connected the first chain.
      if (i === 0) credentials = f.credentials(grant, settings);
      const key = connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string);
      const name = `Books of client ${i}`;
      await engine.adoptGrant(key, tokenSetOf(grant, f.clock.now()), { displayName: name });
      const state = STATES[i % STATES.length];
      const record = (await ledger.read(key))!;
      if (state === 'needs_reauth') await ledger.write({ ...record, state, stateReason: 'Xero rejected its refresh token (invalid_grant).' }, record.version);
      if (state === 'misconfigured') await ledger.write({ ...record, state, stateReason: 'the client secret was rejected (invalid_client).' }, record.version);
      // The engine's own reason names the chain that replaced it, by key: no output may.
      if (state === 'superseded') await engine.markSuperseded(key, `reconnected as ${connectionKeyFor(DEMO_CLIENT_ID, `newer-root-${i}`)}`);
      expected.set(name, { state, name, key });
    }
    f.clock.advance(MINUTE);
    const requestsBefore = f.sim.stats().requests;
    const run = async (parameters: Record<string, unknown>, staticData: Record<string, unknown> = {}, data = credentials) => {
      const [items] = await node.execute.call(fakeContext({ credentials: data, parameters, staticData }) as unknown as IExecuteFunctions);
      return (items ?? []).map((i) => i.json);
    };

    const outputs: unknown[] = [];
    const shown = async (parameters: Record<string, unknown>, staticData?: Record<string, unknown>) => {
      const items = await run(parameters, staticData);
      outputs.push(items, staticData ?? {});
      return items;
    };

    // Default: the credential's own chain only.
    const own = await shown({ mode: 'list' });
    expect(own.map((i) => [i.name, i.state])).toEqual([['Books of client 0', 'active']]);
    expect(await shown({ mode: 'changes' }, {})).toEqual([]);
    // A credential never connected names no chain: nothing to list.
    expect(await run({ mode: 'list' }, {}, f.credentials(undefined, settings))).toEqual([]);
    // Only the instance owner's environment widens the view; a typo is an error, never a wider view.
    process.env.XERO_GUARD_FLEET_SCOPE = 'everything';
    await expect(run({ mode: 'list' })).rejects.toThrow(/XERO_GUARD_FLEET_SCOPE must be "own" .* or "ledger"/);
    process.env.XERO_GUARD_FLEET_SCOPE = 'ledger';

    const listed = await shown({ mode: 'list' });
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
    const needing = await shown({ mode: 'list', needsAttention: true });
    expect(needing).toHaveLength(CHAINS * (2 / STATES.length));

    // Watchdog: the first run reports those needing a person, then nothing, then one event per change.
    const staticData: Record<string, unknown> = {
      xeroGuardFleet: { [[...expected.values()][0].key]: { name: 'kept by an earlier version', state: 'active' } },
    };
    expect(await shown({ mode: 'changes' }, staticData)).toHaveLength(CHAINS * (2 / STATES.length));
    expect(staticData.xeroGuardFleet).toBeUndefined();
    expect(await shown({ mode: 'changes' }, staticData)).toHaveLength(0);
    const [, firstActive] = [...expected.values()].filter((e) => e.state === 'active');
    const record = (await ledger.read(firstActive.key))!;
    await ledger.write({ ...record, state: 'needs_reauth', stateReason: 'Xero rejected its refresh token (invalid_grant).' }, record.version);
    const changes = await shown({ mode: 'changes' }, staticData);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ event: 'changed', name: firstActive.name, from: 'active', to: 'needs_reauth' });

    expect(f.sim.stats().requests).toBe(requestsBefore);
    // The canary sweep over every output and what the watchdog remembered.
    const text = JSON.stringify(outputs);
    expect(text).not.toMatch(CHAIN_KEY);
    expect(text).not.toContain(DEMO_CLIENT_ID);
    expect(text).not.toContain(DEMO_CLIENT_SECRET);
    expect(text).not.toMatch(/accessToken"|refreshToken"|chainKey/);
    const issued = f.sim
      .log()
      .flatMap((e) => (e.type === 'token-issued' ? [e.accessToken, e.refreshToken ?? ''] : []))
      .filter(Boolean);
    expect(issued.filter((token) => text.includes(token))).toEqual([]);
  });
});
