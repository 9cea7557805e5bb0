import { MINUTE, OffsetClock, SECOND } from '../../src/clock';
import { TokenEngine } from '../../src/engine';
import type { Ledger } from '../../src/ledger';
import { XeroIdentityClient } from '../../src/xero';
import { KEY, toTokenSet } from '../helpers/engine-fixture';
import {
  ALL_LEDGER_KINDS,
  dropLedgerSpec,
  expireLeases,
  makeLedgerSpec,
  openLedger,
  type LedgerKind,
  type LedgerSpec,
} from '../../tools/ledgers/ledger-factory';
import { Storm } from '../helpers/storm';
import { allValid, CLIENT, GRACE_MODES, startTokenServer, type TokenServer } from '../../tools/services/token-server';

// A safety bound, not a threshold: 8 processes per test on 2 cores shared with other suites.
jest.setTimeout(180_000);

const PROCESSES = 8;
const CALLERS = 50;
// The file ledger keeps its three rotations; the shared backends run two per mode to keep the
// whole matrix (4 backends x 3 grace modes, 8 processes each) within a few minutes on 2 cores.
const ROTATIONS: Record<LedgerKind, number> = { file: 3, postgres: 2, redis: 2, 'redis+postgres': 2 };

let server: TokenServer;
let storm: Storm | undefined;
let spec: LedgerSpec | undefined;
let parentLedger: Ledger | undefined;
afterEach(async () => {
  await storm?.stop();
  storm = undefined;
  await server?.close();
  await parentLedger?.close();
  parentLedger = undefined;
  if (spec) await dropLedgerSpec(spec);
  spec = undefined;
});

async function setUp(kind: LedgerKind, mode: (typeof GRACE_MODES)[number]) {
  const clock = new OffsetClock();
  server = await startTokenServer({ clock, mode });
  spec = makeLedgerSpec(kind, 'storm-key');
  const ledger = await openLedger(spec, clock);
  parentLedger = ledger;
  const engine = new TokenEngine({ ledger, clock, client: CLIENT, identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }) });
  // Inside the refresh-ahead window from the start: every process wants to refresh at once.
  await engine.adoptGrant(KEY, toTokenSet(server.seed(60)));
  return { clock, spec, engine };
}

const MATRIX = ALL_LEDGER_KINDS.flatMap((kind) => GRACE_MODES.map((mode) => [kind, mode] as const));

describe.each(MATRIX)('%s ledger across OS processes (grace mode %s)', (kind, mode) => {
  test(`invariant 1 (storm): ${PROCESSES} processes x ${CALLERS} concurrent callers, ${ROTATIONS[kind]} rotations: one token call per rotation, every caller gets a valid token`, async () => {
    const { clock, spec } = await setUp(kind, mode);
    storm = await Storm.start(PROCESSES, { ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT });
    for (let rotation = 1; rotation <= ROTATIONS[kind]; rotation++) {
      const offsetMs = (rotation - 1) * 31 * MINUTE;
      clock.set(Date.now() + offsetMs);
      const results = await storm.round(offsetMs, CALLERS);
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const tokens = results.flatMap((r) => r.tokens);
      expect(tokens).toHaveLength(PROCESSES * CALLERS);
      expect(await allValid(server, tokens)).toBe(true);
      expect(server.calls).toBe(rotation);
    }
    expect(server.deadTokenUses).toBe(0);
  });

  test('crash: kill -9 after Xero answered but before the ledger write; the next caller recovers with zero dead-token uses', async () => {
    const { clock, spec, engine } = await setUp(kind, mode);
    const exit = await Storm.crashOnce({ ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT, dieAt: { type: 'token_response' } }, 0);
    expect(exit.signal).toBe('SIGKILL');
    expect(server.calls).toBe(1);
    // The dead process still holds the lease; move past its expiry instead of waiting for it.
    clock.advance(engine.policy.leaseTtlMs + SECOND);
    await expireLeases(spec);
    const token = await engine.getAccessToken(KEY);
    expect(await server.isValidAccessToken(token)).toBe(true);
    expect(server.deadTokenUses).toBe(0);
    clock.advance(31 * MINUTE);
    expect(await server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
    expect(server.deadTokenUses).toBe(0);
  });

  test('crash: kill -9 after the ledger write but before the lease release; the next caller uses the stored token with no token call', async () => {
    const { clock, spec, engine } = await setUp(kind, mode);
    const exit = await Storm.crashOnce(
      { ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT, dieAt: { type: 'ledger_written', why: 'rotated' } },
      0,
    );
    expect(exit.signal).toBe('SIGKILL');
    clock.advance(engine.policy.leaseTtlMs + SECOND);
    await expireLeases(spec);
    const token = await engine.getAccessToken(KEY);
    expect(await server.isValidAccessToken(token)).toBe(true);
    expect(server.calls).toBe(1);
    clock.advance(31 * MINUTE);
    expect(await server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
    expect(server.calls).toBe(2);
    expect(server.deadTokenUses).toBe(0);
  });
});

describe.each(ALL_LEDGER_KINDS)('%s ledger: handing over and giving up across OS processes', (kind) => {
  test('invariant 1 and 6: a holder that fails (429) hands the lease to exactly one successor; nobody refreshes alongside it', async () => {
    await setUp(kind, 'same-pair');
    storm = await Storm.start(PROCESSES, { ledger: spec as LedgerSpec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT });
    server.faults.push('rate_limit');
    const results = await storm.round(0, CALLERS);
    const errors = results.flatMap((r) => r.errors);
    // Only the failing holder's own in-process callers share its error; every other caller is served.
    expect(errors.length).toBeLessThanOrEqual(CALLERS);
    expect(errors.every((e) => e.name === 'TokenEndpointRateLimitedError' && e.retryable)).toBe(true);
    const tokens = results.flatMap((r) => r.tokens);
    expect(tokens.length + errors.length).toBe(PROCESSES * CALLERS);
    expect(await allValid(server, tokens)).toBe(true);
    expect(server.calls).toBe(2);
    expect(server.deadTokenUses).toBe(0);
  });

  test('invariant 5 across processes: a revoked connection is marked needs_reauth exactly once, after one token call', async () => {
    const { engine } = await setUp(kind, 'same-pair');
    storm = await Storm.start(PROCESSES, { ledger: spec as LedgerSpec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT });
    server.revokeAll();
    const results = await storm.round(0, CALLERS);
    const errors = results.flatMap((r) => r.errors);
    expect(errors).toHaveLength(PROCESSES * CALLERS);
    expect(errors.every((e) => e.name === 'ConnectionStateError' && !e.retryable && /needs to be reconnected/.test(e.message))).toBe(true);
    expect(server.calls).toBe(1);
    const status = await engine.status(KEY);
    expect(status.state).toBe('needs_reauth');
    expect(status.history.filter((h) => h.to === 'needs_reauth')).toHaveLength(1);
  });
});
