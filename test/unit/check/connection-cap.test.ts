import {
  capLevel,
  chainClientId,
  connectionCapReport,
  detectCapChanges,
  type CapWatchState,
  type ChainOrganisations,
  type ConnectionCapReport,
} from '../../../src/check/connection-cap';

const orgs = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`);
const jwt = (claims: Record<string, unknown>): string => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

describe('capLevel', () => {
  test('at Starter: ok to 3, cap minus one at 4, at cap at 5, over past it', () => {
    expect([0, 3, 4, 5, 6].map((n) => [n, capLevel('starter', n)])).toEqual([
      [0, { cap: 5, remaining: 5, level: 'ok' }],
      [3, { cap: 5, remaining: 2, level: 'ok' }],
      [4, { cap: 5, remaining: 1, level: 'cap_minus_one' }],
      [5, { cap: 5, remaining: 0, level: 'at_cap' }],
      [6, { cap: 5, remaining: 0, level: 'over_cap' }],
    ]);
  });

  test("each tier's own cap; Enterprise has none", () => {
    expect(capLevel('core', 49).level).toBe('cap_minus_one');
    expect(capLevel('plus', 1000).level).toBe('at_cap');
    expect(capLevel('advanced', 9998).level).toBe('ok');
    expect(capLevel('enterprise', 1_000_000)).toEqual({ cap: null, remaining: null, level: 'ok' });
  });
});

describe('connectionCapReport', () => {
  test('counts distinct organisations per app across its chains, whoever connected them', () => {
    const chains: ChainOrganisations[] = [
      { clientId: 'APP-B', tenantIds: orgs(3) },
      // Another user of the same app, one organisation shared with the first (any case: one GUID).
      { clientId: 'APP-B', tenantIds: [...orgs(1, 2).map((t) => t.toUpperCase()), ...orgs(1, 3)] },
      { clientId: 'APP-A', tenantIds: orgs(5) },
      { clientId: 'APP-A', tenantIds: null },
      { clientId: null, tenantIds: orgs(9) },
    ];
    const reports = connectionCapReport(chains, 'starter');
    expect(reports.map((r) => [r.clientId, r.tierName, r.connected, r.cap, r.remaining, r.level, r.chainsNotCounted])).toEqual([
      ['APP-A', 'Starter', 5, 5, 0, 'at_cap', 1],
      ['APP-B', 'Starter', 4, 5, 1, 'cap_minus_one', 0],
    ]);
    expect(reports[1]?.tenantIds).toEqual(orgs(4));
  });

  test("takes each app's tier from the caller", () => {
    const reports = connectionCapReport(
      [
        { clientId: 'CORE', tenantIds: orgs(5) },
        { clientId: 'START', tenantIds: orgs(5) },
      ],
      (clientId) => (clientId === 'CORE' ? 'core' : 'starter'),
    );
    expect(reports.map((r) => [r.clientId, r.tier, r.level])).toEqual([
      ['CORE', 'core', 'ok'],
      ['START', 'starter', 'at_cap'],
    ]);
    expect(connectionCapReport([], 'starter')).toEqual([]);
  });
});

describe('chainClientId', () => {
  test("an n8n chain key names its app; otherwise the access token's client_id claim; otherwise nothing", () => {
    expect(chainClientId('xero:ABCDEF0123:9f86d081884c7d65')).toBe('ABCDEF0123');
    expect(chainClientId('xero:ABCDEF0123:cc_0123456789abcdef0123456789abcdef')).toBe('ABCDEF0123');
    expect(chainClientId('node-red:config-1', jwt({ client_id: 'NODERED-APP' }))).toBe('NODERED-APP');
    expect(chainClientId('node-red:config-1', jwt({ client_id: 'has spaces' }))).toBeNull();
    expect(chainClientId('node-red:config-1', 'not a jwt')).toBeNull();
    expect(chainClientId('node-red:config-1', null)).toBeNull();
  });
});

describe('detectCapChanges', () => {
  const report = (connected: number, clientId = 'APP'): ConnectionCapReport =>
    connectionCapReport([{ clientId, tenantIds: orgs(connected) }], 'starter')[0] as ConnectionCapReport;

  /** Every look's events, in order, as a watcher would see them. */
  function watch(counts: number[], start: CapWatchState | null = null) {
    let state = start;
    const seen: string[][] = [];
    for (const [i, n] of counts.entries()) {
      const out = detectCapChanges(state, [report(n)], Date.UTC(2026, 3, 1) + i);
      state = out.state;
      seen.push(out.events.map((e) => `${e.kind} ${e.connected}/${e.cap}`));
    }
    return { seen, state };
  }

  test('4 connected then 5 at Starter: one cap-minus-one event, then one cap-reached event, each once', () => {
    expect(watch([3, 4, 4, 5, 5, 5]).seen).toEqual([[], ['connection_cap_near 4/5'], [], ['connection_cap_reached 5/5'], [], []]);
  });

  test('a jump straight to the cap is one event; a watcher starting at the cap reports it once', () => {
    expect(watch([2, 5]).seen).toEqual([[], ['connection_cap_reached 5/5']]);
    expect(watch([5, 6, 5]).seen).toEqual([['connection_cap_reached 5/5'], [], []]);
    expect(watch([4]).seen).toEqual([['connection_cap_near 4/5']]);
  });

  test('a connection removed arms the events again', () => {
    expect(watch([4, 5, 3, 4, 5]).seen).toEqual([
      ['connection_cap_near 4/5'],
      ['connection_cap_reached 5/5'],
      [],
      ['connection_cap_near 4/5'],
      ['connection_cap_reached 5/5'],
    ]);
  });

  test('an app missing from one look keeps its memory; a damaged state counts as nothing seen', () => {
    const { state } = watch([5]);
    const gap = detectCapChanges(state, [report(1, 'OTHER')], 0);
    expect(gap.state.APP).toEqual({ level: 'at_cap' });
    expect(detectCapChanges(gap.state, [report(5)], 0).events).toEqual([]);
    const damaged = { APP: { level: 'sky-high' }, X: 'nonsense' } as unknown as CapWatchState;
    expect(detectCapChanges(damaged, [report(4)], 0).events.map((e) => e.kind)).toEqual(['connection_cap_near']);
    expect(detectCapChanges(damaged, [], 0).state).toEqual({});
  });

  test('no events without a cap', () => {
    const enterprise = connectionCapReport([{ clientId: 'BIG', tenantIds: orgs(20_000) }], 'enterprise');
    expect(detectCapChanges(null, enterprise, 0).events).toEqual([]);
  });
});
