/**
 * Issue 13, items 1 to 4, in one process: two engines (two "processes") on one file ledger, a
 * short lease, and an event handler that a test holds open to stand for a pause (SIGSTOP, a long
 * GC, a slow onEvent). The simulator is the judge of dead-token uses.
 */
import { MINUTE, SECOND } from '../../../src/clock';
import { ConnectionStateError, RefreshOutcomeUnknownError, type EngineEvent } from '../../../src/engine';
import { LedgerUnavailableError } from '../../../src/errors';
import { withCandidate } from '../../../src/engine/record-updates';
import { KEY, makeFixture, readTree, rejectionOf, toTokenSet, type Fixture } from '../../helpers/engine-fixture';
import { failingWrites } from '../../helpers/failing-writes';
import { GRACE_MODES } from '../../../tools/services/token-server';

const LEASE_TTL = 5 * SECOND;

interface Gate {
  reached: Promise<void>;
  release(): void;
}

/** An onEvent handler that stops, once, at the first event matching `at`, until the test releases it. */
function pauseAt(at: (event: EngineEvent) => boolean): { gate: Gate; onEvent: (event: EngineEvent) => Promise<void> } {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let fired = false;
  return {
    gate: { reached, release },
    onEvent: async (event) => {
      if (fired || !at(event)) return;
      fired = true;
      reach();
      await released;
    },
  };
}

let fx: Fixture;
afterEach(async () => fx?.close());

/**
 * An engine ("paused") stopped at the first event `at` matches, held there past its lease while a
 * second engine ("successor") gets a token, then let go: what each ended with.
 */
async function pausedPastItsLease(at: (event: EngineEvent) => boolean) {
  const { gate, onEvent } = pauseAt(at);
  const paused = fx.makeEngine({ owner: 'paused', onEvent });
  const successor = fx.makeEngine({ owner: 'successor' });
  const pausedAnswer = paused.getAccessToken(KEY);
  await gate.reached;
  fx.clock.advance(LEASE_TTL + SECOND);
  const fresh = await successor.getAccessToken(KEY);
  gate.release();
  return { paused: await pausedAnswer, fresh, successor };
}

describe.each(GRACE_MODES)('pauses and stale sets (grace mode %s)', (mode) => {
  beforeEach(async () => {
    fx = await makeFixture({ mode, policy: { leaseTtlMs: LEASE_TTL, leaseWaitMs: 0, retryBaseMs: 100, retryMaxMs: 200 } });
  });

  test('item 1, invariant 11: a holder paused after its intent, past its lease, does not send the refresh token its successor already rotated', async () => {
    await fx.seed(60);
    const { paused, fresh, successor } = await pausedPastItsLease((e) => e.type === 'ledger_written' && e.why === 'intent');
    expect(paused).toBe(fresh);
    expect(fx.server.calls).toBe(1);
    expect(await fx.server.isValidAccessToken(fresh)).toBe(true);
    // The chain goes on from the successor's set: no dead-token use in any grace mode.
    fx.clock.advance(31 * MINUTE);
    expect(await fx.server.isValidAccessToken(await successor.getAccessToken(KEY))).toBe(true);
    expect(fx.server.calls).toBe(2);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('item 1, invariant 11: the check comes after the last event before the send too (a pause in refresh_started)', async () => {
    await fx.seed(60);
    const { paused, fresh } = await pausedPastItsLease((e) => e.type === 'refresh_started');
    expect(paused).toBe(fresh);
    expect(fx.server.calls).toBe(1);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('invariant 11: a holder that lost its lease before sending takes its intent back, so a caller 31 minutes later refreshes instead of giving the connection up', async () => {
    // Found by the idle-holiday survival scenario: a pause between the intent and the send, then nobody
    // for more than the grace window; the unsent intent read as a lost answer and the chain was dropped.
    await fx.seed(60);
    const { gate, onEvent } = pauseAt((e) => e.type === 'ledger_written' && e.why === 'intent');
    const paused = fx.makeEngine({ owner: 'paused', onEvent });
    const pausedAnswer = paused.getAccessToken(KEY).then(
      () => 'served',
      (error: Error) => error.message,
    );
    await gate.reached;
    fx.clock.advance(LEASE_TTL + SECOND);
    gate.release();
    expect(await pausedAnswer).toMatch(/lost the refresh lease .* no refresh token was sent from here/);
    expect(fx.server.calls).toBe(0);
    expect((await fx.ledger.read(KEY))?.pending).toBeNull();
    fx.clock.advance(31 * MINUTE);
    const later = fx.makeEngine({ owner: 'later' });
    expect(await fx.server.isValidAccessToken(await later.getAccessToken(KEY))).toBe(true);
    expect(fx.server.calls).toBe(1);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test("invariant 11: a holder that took over another's intent writes it again, so the paused owner cannot take it back under the send", async () => {
    await fx.seed(60);
    const first = pauseAt((e) => e.type === 'ledger_written' && e.why === 'intent');
    const paused = fx.makeEngine({ owner: 'paused', onEvent: first.onEvent });
    const pausedAnswer = paused.getAccessToken(KEY).catch((error: Error) => error);
    await first.gate.reached;
    fx.clock.advance(LEASE_TTL + SECOND);
    // The successor resumes the intent and is held just before its send, while the paused owner wakes.
    const second = pauseAt((e) => e.type === 'refresh_started');
    const successor = fx.makeEngine({ owner: 'successor', onEvent: second.onEvent });
    const fresh = successor.getAccessToken(KEY);
    await second.gate.reached;
    expect((await fx.ledger.read(KEY))?.pending?.owner).toBe('successor');
    first.gate.release();
    await pausedAnswer;
    expect((await fx.ledger.read(KEY))?.pending?.owner).toBe('successor');
    second.gate.release();
    expect(await fx.server.isValidAccessToken(await fresh)).toBe(true);
    expect(fx.server.calls).toBe(1);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('item 2, invariant 12: a candidate whose refresh token the chain spent is retired, and a revocation is found with exactly one token call', async () => {
    await fx.seed(60);
    // What a fenced holder stored under same-pair before the fix: a copy of the current set as a "live" candidate.
    const seeded = (await fx.ledger.read(KEY))!;
    await fx.ledger.write(
      withCandidate(seeded, { tokenSet: seeded.tokenSet, addedAt: fx.clock.now(), reason: 'written after a newer version (lease expired mid-refresh)' }),
      seeded.version,
    );
    await fx.engine.refresh(KEY, { force: true });
    fx.clock.advance(31 * MINUTE);
    await fx.engine.refresh(KEY);
    expect(fx.server.calls).toBe(2);
    const status = await fx.engine.status(KEY);
    expect(status.candidates).toHaveLength(1);
    expect(status.candidates[0]).toMatchObject({ live: false, refreshTokenFp: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(JSON.stringify(status)).not.toContain(seeded.tokenSet.refreshToken as string);
    expect(fx.server.deadTokenUses).toBe(0);

    fx.server.revokeAll();
    fx.clock.advance(31 * MINUTE);
    const error = await rejectionOf(fx.engine.getAccessToken(KEY));
    expect(error).toBeInstanceOf(ConnectionStateError);
    expect(fx.server.calls).toBe(3);
  });

  test('item 2, invariant 12 (and the order of invariant 3): candidates are tried newest first', async () => {
    await fx.seed(60);
    const dead = fx.server.seed();
    fx.server.revokeToken(dead.refreshToken);
    const live = fx.server.seed();
    const record = (await fx.ledger.read(KEY))!;
    const older = withCandidate(record, { tokenSet: toTokenSet(dead), addedAt: fx.clock.now() - 2 * MINUTE, reason: 'older branch' });
    const both = withCandidate(older, { tokenSet: toTokenSet(live), addedAt: fx.clock.now() - MINUTE, reason: 'newer branch' });
    await fx.ledger.write(both, record.version);
    fx.server.revokeToken(record.tokenSet.refreshToken as string);
    const token = await fx.engine.getAccessToken(KEY);
    expect(await fx.server.isValidAccessToken(token)).toBe(true);
    // The current token (dead) and the newest candidate: the older, dead one is never presented.
    expect(fx.server.calls).toBe(2);
    expect(fx.server.deadTokenUses).toBe(1);
  });

  test('item 3, invariant 6: after a whole call lost its answers, the next process resumes the intent at once instead of answering BUSY', async () => {
    await fx.seed(60);
    const first = fx.makeEngine({ owner: 'first' });
    fx.server.faults.push('drop_after_issue', 'drop_after_issue', 'drop_after_issue');
    expect(await rejectionOf(first.getAccessToken(KEY))).toBeInstanceOf(RefreshOutcomeUnknownError);
    const next = fx.makeEngine({ owner: 'next' });
    const token = await next.getAccessToken(KEY);
    expect(await fx.server.isValidAccessToken(token)).toBe(true);
    expect(fx.server.calls).toBe(4);
    fx.clock.advance(31 * MINUTE);
    expect(await fx.server.isValidAccessToken(await next.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('item 3, invariant 4: a caller whose lease ran out during a retry gets the set a sibling stored, not REFRESH_OUTCOME_UNKNOWN', async () => {
    await fx.seed(60);
    fx.server.faults.push('drop_after_issue');
    // The paused engine is the one retrying after the lost answer; the successor is its sibling.
    const { paused, fresh } = await pausedPastItsLease((e) => e.type === 'token_response' && !e.ok);
    expect(paused).toBe(fresh);
    expect(fx.server.calls).toBe(2);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('item 3, invariant 14: a set whose ledger write failed is spooled (sealed) and stored by another process after the first is gone', async () => {
    await fx.seed(60);
    const flaky = failingWrites(fx.ledger);
    const events: EngineEvent[] = [];
    const crashed = fx.makeEngine({
      owner: 'crashed',
      ledger: flaky.ledger,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'token_response' && e.ok) flaky.failNext();
      },
    });
    expect(await rejectionOf(crashed.getAccessToken(KEY))).toBeInstanceOf(LedgerUnavailableError);
    expect(events.some((e) => e.type === 'token_set_spooled')).toBe(true);
    // Sealed at rest like the ledger: no token Xero issued appears in the spool folder.
    expect(fx.server.leaksToken(readTree(fx.directory))).toBe(false);
    const recovering: EngineEvent[] = [];
    const other = fx.makeEngine({ owner: 'other', onEvent: (e) => void recovering.push(e) });
    const token = await other.getAccessToken(KEY);
    expect(await fx.server.isValidAccessToken(token)).toBe(true);
    expect(fx.server.calls).toBe(1);
    expect(recovering).toContainEqual(expect.objectContaining({ type: 'spool_recovered', as: 'current' }));
    fx.clock.advance(31 * MINUTE);
    expect(await fx.server.isValidAccessToken(await other.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(0);
    expect(fx.server.calls).toBe(2);
  });

  test('item 4, invariant 15: reportRejected refreshes once across processes and no process serves the refused token afterwards', async () => {
    await fx.seed();
    const a = fx.makeEngine({ owner: 'a' });
    const b = fx.makeEngine({ owner: 'b' });
    const refused = await a.getAccessToken(KEY);
    expect(await b.getAccessToken(KEY)).toBe(refused);
    await Promise.all([
      ...Array.from({ length: 10 }, () => a.reportRejected(KEY, refused)),
      ...Array.from({ length: 10 }, () => b.reportRejected(KEY, refused)),
    ]);
    expect(fx.server.calls).toBe(1);
    const fromA = await a.getAccessToken(KEY);
    const fromB = await b.getAccessToken(KEY);
    expect(fromA).not.toBe(refused);
    expect(fromB).toBe(fromA);
    expect(await fx.server.isValidAccessToken(fromA)).toBe(true);
    // A caller that reports every 401 cannot make a storm: within the interval, reports only drop the cache.
    for (let i = 0; i < 5; i++) await a.reportRejected(KEY, fromA);
    expect(fx.server.calls).toBe(1);
    fx.clock.advance(a.policy.rejectionRefreshIntervalMs);
    await a.reportRejected(KEY, fromA);
    expect(fx.server.calls).toBe(2);
    expect(fx.server.deadTokenUses).toBe(0);
  });
});
