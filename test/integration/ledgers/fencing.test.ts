import { SECOND } from '../../../src/clock';
import type { TokenSet } from '../../../src/xero/token-set';
import { KEY } from '../../helpers/engine-fixture';
import { ALL_LEDGER_KINDS, expireLeases } from '../../../tools/ledgers/ledger-factory';
import { GRACE_MODES } from '../../../tools/services/token-server';
import { ledgerFixture, type LedgerFixture } from './fixture';

let fx: LedgerFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const MATRIX = ALL_LEDGER_KINDS.flatMap((kind) => GRACE_MODES.map((mode) => [kind, mode] as const));

describe.each(MATRIX)('%s ledger, grace mode %s', (kind, mode) => {
  test('invariant 7 (fencing): a holder whose lease is forced to expire mid-refresh cannot overwrite the newer token set; its set is kept as a candidate', async () => {
    const f = (fx = await ledgerFixture(kind, mode));
    await f.seed(60);
    let paused = false;
    let newer: TokenSet | undefined;
    const slow = f.makeEngine({
      onEvent: async (event) => {
        f.events.push(event);
        if (event.type === 'token_response' && !paused) {
          // Paused here, after Xero answered and before the write: its lease runs out (the
          // clock for file/Postgres, deletion for Redis, whose watchdog would otherwise keep
          // it), and another holder takes the lease and rotates.
          paused = true;
          f.clock.advance(f.engine.policy.leaseTtlMs + SECOND);
          await expireLeases(f.spec);
          await f.makeEngine().refresh(KEY, { force: true });
          newer = (await f.ledger.read(KEY))!.tokenSet;
        }
      },
    });
    const before = f.server.calls;
    await slow.getAccessToken(KEY);
    expect(f.server.calls - before).toBe(2);
    expect(f.events.some((e) => e.type === 'fenced')).toBe(true);
    const record = (await f.ledger.read(KEY))!;
    // The other holder's rotation stays current; the paused holder's write was refused.
    expect(record.tokenSet).toEqual(newer);
    const kept = record.candidates.filter((c) => c.reason.includes('lease expired'));
    // Same-pair: Xero answered the retried refresh token with the very pair now current, so there is
    // no second chance to keep (Invariant 12); otherwise the paused holder's distinct set is kept.
    expect(kept).toHaveLength(mode === 'same-pair' ? 0 : 1);
    if (mode !== 'same-pair') {
      expect(f.server.issuedTokens()).toContain(kept[0].tokenSet.refreshToken);
      expect(kept[0].tokenSet.refreshToken).not.toBe(record.tokenSet.refreshToken);
    }
    expect((await f.server.isValidAccessToken(record.tokenSet.accessToken)) || mode === 'fresh-pair-revokes').toBe(true);
    expect(f.server.deadTokenUses).toBe(0);
  });
});
