/**
 * Issue 13 item 1 across real OS processes: a child writes its refresh intent and is SIGSTOPped
 * there; its lease runs out; this process takes over and rotates; SIGCONT. The stopped holder must
 * not present the refresh token that was already rotated (Invariant 11), in any grace mode.
 * And item 4 across processes: a refused access token reported by every process is refreshed once
 * and served by none afterwards (Invariant 15).
 * Items 2 and 3 across processes: a fenced holder's kept set is retired once the chain spends it and
 * a revocation then costs one token call (Invariant 12); after a call's answers are all lost another
 * process resumes the intent (Invariant 6); a holder whose lease ran out mid-retry takes the set a
 * sibling stored (Invariant 4); a set whose write failed is spooled and stored by another process
 * (Invariant 14).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINUTE, OffsetClock, SECOND } from '../../../src/clock';
import { TokenEngine } from '../../../src/engine';
import type { EnginePolicy } from '../../../src/engine/policy';
import type { Ledger } from '../../../src/ledger';
import { XeroIdentityClient } from '../../../src/xero';
import { KEY, readTree, toTokenSet } from '../../helpers/engine-fixture';
import { dropLedgerSpec, expireLeases, makeLedgerSpec, openLedger, type LedgerKind, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { Storm } from '../../helpers/storm';
import { CLIENT, GRACE_MODES, startTokenServer, type TokenServer } from '../../../tools/services/token-server';

const LEASE_TTL = 5 * SECOND;
/** Short retries and no lease wait: a whole call's lost answers take well under a second. */
const QUICK: Partial<EnginePolicy> = { leaseWaitMs: 0, retryBaseMs: 100, retryMaxMs: 200 };

export function pausedHolderSuite(kind: LedgerKind): void {
  // A safety bound for one child process on a loaded 2-core machine, not a timing threshold.
  jest.setTimeout(60_000);
  let server: TokenServer | undefined;
  let storm: Storm | undefined;
  let spec: LedgerSpec | undefined;
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await storm?.stop();
    await server?.close();
    await ledger?.close();
    if (spec) await dropLedgerSpec(spec);
    storm = server = spec = ledger = undefined;
  });

  test.each(GRACE_MODES)(
    `invariant 11: ${kind} ledger, grace mode %s: SIGSTOP after the intent, successor rotates, SIGCONT: one token call, 0 dead-token uses`,
    async (mode) => {
      const clock = new OffsetClock();
      server = await startTokenServer({ clock, mode });
      spec = makeLedgerSpec(kind, 'pause-key');
      ledger = await openLedger(spec, clock);
      const successor = new TokenEngine({
        ledger,
        clock,
        client: CLIENT,
        policy: { leaseTtlMs: LEASE_TTL },
        identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }),
      });
      await successor.adoptGrant(KEY, toTokenSet(server.seed(60)));

      const paused = await Storm.runUntilStopped(
        { ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT, leaseTtlMs: LEASE_TTL, stopAt: { type: 'ledger_written', why: 'intent' } },
        0,
      );
      storm = paused.storm;
      // The stopped holder's lease runs out (file and PostgreSQL on the injected clock; Redis on its own, so deleted).
      clock.advance(LEASE_TTL + SECOND);
      await expireLeases(spec);
      const fresh = await successor.getAccessToken(KEY);
      const woken = await paused.resume();

      expect(woken.errors).toEqual([]);
      expect(woken.tokens).toEqual([fresh]);
      expect(server.calls).toBe(1);
      expect(await server.isValidAccessToken(fresh)).toBe(true);
      clock.advance(31 * MINUTE);
      expect(await server.isValidAccessToken(await successor.getAccessToken(KEY))).toBe(true);
      expect(server.calls).toBe(2);
      expect(server.deadTokenUses).toBe(0);
    },
  );

  async function setUp(mode: (typeof GRACE_MODES)[number], spoolFolder?: string) {
    const clock = new OffsetClock();
    server = await startTokenServer({ clock, mode });
    spec = { ...makeLedgerSpec(kind, 'stale-key'), ...(spoolFolder && kind !== 'file' ? { spoolFolder } : {}) };
    ledger = await openLedger(spec, clock);
    const engine = new TokenEngine({
      ledger,
      clock,
      client: CLIENT,
      policy: { leaseTtlMs: LEASE_TTL, ...QUICK },
      identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }),
    });
    await engine.adoptGrant(KEY, toTokenSet(server.seed(60)));
    const child = { ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT, leaseTtlMs: LEASE_TTL, policy: QUICK };
    return { clock, engine, child, server, spec };
  }

  test.each(GRACE_MODES)(
    `invariant 12: ${kind} ledger, grace mode %s: SIGSTOP between Xero's answer and the write; the fenced set is retired once spent; a revocation costs one token call`,
    async (mode) => {
      const { clock, engine, child, server, spec } = await setUp(mode);
      const paused = await Storm.runUntilStopped({ ...child, stopAt: { type: 'token_response' } }, 0);
      storm = paused.storm;
      clock.advance(LEASE_TTL + SECOND);
      await expireLeases(spec);
      await engine.getAccessToken(KEY);
      const woken = await paused.resume();
      expect(woken.errors).toEqual([]);
      expect(server.calls).toBe(2);
      // The chain moves on twice from the successor's set: whatever the woken holder kept, the chain spent or left.
      for (let i = 0; i < 2; i++) {
        clock.advance(31 * MINUTE);
        expect(await server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
      }
      expect(server.calls).toBe(4);
      const status = await engine.status(KEY);
      expect(status.candidates.filter((c) => c.live)).toEqual([]);
      expect(server.deadTokenUses).toBe(0);
      // Another process, after the user revoked the app: exactly one token call finds it.
      server.revokeAll();
      await storm.stop();
      storm = await Storm.start(1, child);
      const [after] = await storm.round(clock.now() - Date.now() + 31 * MINUTE, 1);
      expect(after.tokens).toEqual([]);
      expect(after.errors.map((e) => e.name)).toEqual(['ConnectionStateError']);
      expect(server.calls).toBe(5);
    },
  );

  test.each(GRACE_MODES)(
    `invariant 6: ${kind} ledger, grace mode %s: one process loses every answer of its call; another process resumes the intent at once, not BUSY`,
    async (mode) => {
      const { child, server } = await setUp(mode);
      storm = await Storm.start(2, child);
      server.faults.push('drop_after_issue', 'drop_after_issue', 'drop_after_issue');
      const [lost] = await storm.roundOn(0, 0, 1);
      expect(lost.errors.map((e) => e.name)).toEqual(['RefreshOutcomeUnknownError']);
      const [resumed] = await storm.roundOn(1, 0, 1);
      expect(resumed.errors).toEqual([]);
      expect(await server.isValidAccessToken(resumed.tokens[0])).toBe(true);
      expect(server.calls).toBe(4);
      const [later] = await storm.roundOn(0, 31 * MINUTE, 1);
      expect(later.errors).toEqual([]);
      expect(server.calls).toBe(5);
      expect(server.deadTokenUses).toBe(0);
    },
  );

  test.each(GRACE_MODES)(
    `invariant 4: ${kind} ledger, grace mode %s: SIGSTOP after a lost answer, lease runs out, a sibling stores a fresh set; SIGCONT: the set, not REFRESH_OUTCOME_UNKNOWN`,
    async (mode) => {
      const { clock, engine, child, server, spec } = await setUp(mode);
      server.faults.push('drop_after_issue');
      const paused = await Storm.runUntilStopped({ ...child, stopAt: { type: 'token_response' } }, 0);
      storm = paused.storm;
      clock.advance(LEASE_TTL + SECOND);
      await expireLeases(spec);
      const fresh = await engine.getAccessToken(KEY);
      const woken = await paused.resume();
      expect(woken.errors).toEqual([]);
      expect(woken.tokens).toEqual([fresh]);
      expect(server.calls).toBe(2);
      expect(server.deadTokenUses).toBe(0);
    },
  );

  test.each(GRACE_MODES)(
    `invariant 14: ${kind} ledger, grace mode %s: the write of Xero's answer fails and the process exits; another process stores the spooled set with no token call`,
    async (mode) => {
      const spoolFolder = mkdtempSync(join(tmpdir(), 'xg-spool-'));
      const { child, server, clock, engine } = await setUp(mode, spoolFolder);
      storm = await Storm.start(1, { ...child, failWriteAfterAnswer: true });
      const [failed] = await storm.round(0, 1);
      expect(failed.errors.map((e) => e.name)).toEqual(['LedgerUnavailableError']);
      expect(failed.events).toContain('token_set_spooled');
      expect(server.leaksToken(readTree(kind === 'file' ? String(spec?.directory) : spoolFolder))).toBe(false);
      await storm.stop();
      storm = await Storm.start(1, child);
      const [recovered] = await storm.round(LEASE_TTL + SECOND, 1);
      expect(recovered.errors).toEqual([]);
      expect(recovered.events).toContain('spool_recovered:current');
      expect(await server.isValidAccessToken(recovered.tokens[0])).toBe(true);
      expect(server.calls).toBe(1);
      clock.advance(31 * MINUTE);
      expect(await server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
      expect(server.calls).toBe(2);
      expect(server.deadTokenUses).toBe(0);
    },
  );

  test(`invariant 15: ${kind} ledger: 4 processes x 10 callers report the same refused access token: one token call, and none serves it afterwards`, async () => {
    const clock = new OffsetClock();
    server = await startTokenServer({ clock, mode: 'same-pair' });
    spec = makeLedgerSpec(kind, 'reject-key');
    ledger = await openLedger(spec, clock);
    const engine = new TokenEngine({ ledger, clock, client: CLIENT, identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }) });
    const seeded = server.seed();
    await engine.adoptGrant(KEY, toTokenSet(seeded));
    storm = await Storm.start(4, { ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT });
    const cached = await storm.round(0, 10);
    expect(new Set(cached.flatMap((r) => r.tokens))).toEqual(new Set([seeded.accessToken]));
    const after = await storm.round(0, 10, seeded.accessToken);
    expect(after.flatMap((r) => r.errors)).toEqual([]);
    const served = new Set(after.flatMap((r) => r.tokens));
    expect(served.size).toBe(1);
    expect(served.has(seeded.accessToken)).toBe(false);
    expect(await server.isValidAccessToken([...served][0])).toBe(true);
    expect(server.calls).toBe(1);
    expect(server.deadTokenUses).toBe(0);
  });
}
