import { promises as fs, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SECOND } from '../../../src/clock';
import { FileLedger, type ConnectionRecord } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';

const KEY = 'xero:unit:file-ledger';
const clock = new ManualClock(Date.UTC(2026, 0, 1));

function record(version: number, label: string): ConnectionRecord {
  return {
    key: KEY,
    version,
    grant: 'authorization_code',
    state: 'active',
    stateReason: null,
    tokenSet: {
      accessToken: `at-${label}`,
      refreshToken: `rt-${label}`,
      tokenType: 'Bearer',
      scope: [],
      expiresAt: clock.now() + 1800_000,
      obtainedAt: clock.now(),
    },
    lastRotationAt: clock.now(),
    pending: null,
    rejectedRefreshTokenFp: null,
    candidates: [],
    history: [],
    createdAt: clock.now(),
    updatedAt: clock.now(),
  };
}

function newLedger(): { ledger: FileLedger; directory: string } {
  const directory = mkdtempSync(join(tmpdir(), 'xg-file-ledger-'));
  return { ledger: new FileLedger({ directory, sealer: new Sealer('unit-key'), clock }), directory };
}

describe('file ledger', () => {
  test('invariant 7 (fencing): of 20 writers basing on the same version exactly one wins', async () => {
    const { ledger } = newLedger();
    await ledger.write(record(0, 'base'), 0);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.write(record(1, `w${i}`), 1)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const losers = results.filter((r) => !r.ok);
    expect(losers.every((r) => !r.ok && r.current?.version === 2)).toBe(true);
  });

  test('invariant 7 (fencing): a writer whose base version was already collected cannot publish below the newest', async () => {
    const { ledger } = newLedger();
    for (let v = 0; v < 8; v++) expect((await ledger.write(record(v, `v${v}`), v)).ok).toBe(true);
    // Versions 1..5 have been collected; doc.2 no longer exists, so link() alone would succeed.
    const stale = await ledger.write(record(1, 'stale'), 1);
    expect(stale.ok).toBe(false);
    expect((await ledger.read(KEY))!.tokenSet.accessToken).toBe('at-v7');
  });

  test('every version is flushed: file and folder are fsynced before a write reports success', async () => {
    const { ledger, directory } = newLedger();
    const probe = await fs.open(join(directory, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = jest.spyOn(proto, 'sync');
    try {
      await ledger.write(record(0, 'durable'), 0);
      expect(sync).toHaveBeenCalledTimes(2);
    } finally {
      sync.mockRestore();
    }
  });

  test('invariant 1: released leases keep their generation, so generations only grow and the next taker gets a new number', async () => {
    const { ledger, directory } = newLedger();
    const first = (await ledger.acquireLease(KEY, { owner: 'a', ttlMs: 30 * SECOND, waitMs: 0 }))!;
    await ledger.releaseLease(first);
    const [dir] = readdirSync(directory);
    expect(readdirSync(join(directory, dir)).filter((n) => n.startsWith('lease.'))).toEqual(['lease.000000000001.json']);
    const contenders = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.acquireLease(KEY, { owner: `c${i}`, ttlMs: 30 * SECOND, waitMs: 0 })));
    const winners = contenders.filter((lease) => lease !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.token.startsWith('2:')).toBe(true);
  });

  test('a lease that expired is taken over by exactly one of many contenders, and the old holder can neither renew nor release it', async () => {
    const { ledger } = newLedger();
    const old = (await ledger.acquireLease(KEY, { owner: 'old', ttlMs: 30 * SECOND, waitMs: 0 }))!;
    clock.advance(31 * SECOND);
    const contenders = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.acquireLease(KEY, { owner: `c${i}`, ttlMs: 30 * SECOND, waitMs: 0 })));
    const winners = contenders.filter((lease) => lease !== null);
    expect(winners).toHaveLength(1);
    expect(await ledger.renewLease(old, 30 * SECOND)).toBe(false);
    await ledger.releaseLease(old);
    expect(await ledger.acquireLease(KEY, { owner: 'late', ttlMs: 30 * SECOND, waitMs: 0 })).toBeNull();
  });
});
