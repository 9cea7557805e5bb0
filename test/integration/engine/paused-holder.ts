/**
 * Issue 13 item 1 across real OS processes: a child writes its refresh intent and is SIGSTOPped
 * there; its lease runs out; this process takes over and rotates; SIGCONT. The stopped holder must
 * not present the refresh token that was already rotated (Invariant 11), in any grace mode.
 * And item 4 across processes: a refused access token reported by every process is refreshed once
 * and served by none afterwards (Invariant 15).
 */
import { MINUTE, OffsetClock, SECOND } from '../../../src/clock';
import { TokenEngine } from '../../../src/engine';
import type { Ledger } from '../../../src/ledger';
import { XeroIdentityClient } from '../../../src/xero';
import { KEY, toTokenSet } from '../../helpers/engine-fixture';
import { dropLedgerSpec, expireLeases, makeLedgerSpec, openLedger, type LedgerKind, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { Storm } from '../../helpers/storm';
import { CLIENT, GRACE_MODES, startTokenServer, type TokenServer } from '../../../tools/services/token-server';

const LEASE_TTL = 5 * SECOND;

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
    `${kind} ledger, grace mode %s: SIGSTOP after the intent, successor rotates, SIGCONT: one token call, 0 dead-token uses`,
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

  test(`${kind} ledger: 4 processes x 10 callers report the same refused access token: one token call, and none serves it afterwards`, async () => {
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
