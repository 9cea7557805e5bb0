/**
 * What every event store must do (src/ledger/event-store.ts), run against each backend: the memory
 * and file stores in the unit project, the file, PostgreSQL and Redis stores in the integration
 * project (test/integration/ledgers/event-store.test.ts).
 */
import type { EventStore, InboxEntryInput, InboxLimits, KeyRetention } from '../../../src/ledger';

export interface StoreHandle {
  store: EventStore;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 2, 1, 9);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const LIMITS: InboxLimits = { maxEntries: 1000, memoryMs: 60 * MINUTE, coverMs: 60 * SECOND, consumerIdleMs: 24 * 60 * MINUTE };
const KEEP: KeyRetention = { retentionMs: 60 * MINUTE, maxKeys: 1000 };

function entry(n: number, overrides: Partial<InboxEntryInput> = {}): InboxEntryInput {
  return { id: `id-${n}`, resource: `t1:INVOICE:r${n}`, at: T0 + n, source: 'xero', payload: { n, resourceId: `r${n}` }, ...overrides };
}

export function eventStoreContract(name: string, open: () => Promise<StoreHandle>): void {
  describe(`${name} event store`, () => {
    let handle: StoreHandle;
    let store: EventStore;
    let inbox: string;
    beforeEach(async () => {
      handle = await open();
      store = handle.store;
      inbox = `app-${Math.random().toString(36).slice(2)}`;
    });
    afterEach(async () => {
      await handle.close();
    });

    describe('inbox', () => {
      test('appends in order with growing positions and keeps the payload; an id given again is a duplicate', async () => {
        const first = await store.append(inbox, [entry(1), entry(2), entry(1)], T0, LIMITS);
        expect(first.appended.map((e) => [e.position, e.id, e.payload])).toEqual([
          [1, 'id-1', { n: 1, resourceId: 'r1' }],
          [2, 'id-2', { n: 2, resourceId: 'r2' }],
        ]);
        expect(first.appended[0].receivedAt).toBe(T0);
        expect(first.duplicates).toBe(1);
        const again = await store.append(inbox, [entry(2), entry(3)], T0 + SECOND, LIMITS);
        expect(again.appended.map((e) => e.position)).toEqual([3]);
        expect(again.duplicates).toBe(1);
      });

      test('of 12 concurrent appends of the same event exactly one stores it; 12 different events get 12 distinct positions', async () => {
        const same = await Promise.all(Array.from({ length: 12 }, () => store.append(inbox, [entry(7)], T0, LIMITS)));
        expect(same.flatMap((r) => r.appended)).toHaveLength(1);
        expect(same.reduce((n, r) => n + r.duplicates, 0)).toBe(11);
        const different = await Promise.all(Array.from({ length: 12 }, (_, i) => store.append(inbox, [entry(100 + i)], T0, LIMITS)));
        const positions = different.flatMap((r) => r.appended.map((e) => e.position)).sort((a, b) => a - b);
        expect(positions).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
      });

      test('an id is remembered for memoryMs and then forgotten', async () => {
        await store.append(inbox, [entry(1)], T0, LIMITS);
        expect((await store.append(inbox, [entry(1)], T0 + LIMITS.memoryMs - 1, LIMITS)).duplicates).toBe(1);
        expect((await store.append(inbox, [entry(1)], T0 + 2 * LIMITS.memoryMs, LIMITS)).appended).toHaveLength(1);
      });

      test('a catch-up entry is covered by a Xero event of the same resource at or after it (within coverMs), and the other way round', async () => {
        const resource = 't1:INVOICE:abc';
        await store.append(inbox, [entry(1, { resource, at: T0 })], T0, LIMITS);
        // The sweep found the record changed at T0 - 5 s (the event was stamped a little later): the same change.
        const swept = await store.append(inbox, [entry(2, { resource, at: T0 - 5 * SECOND, source: 'sweep' })], T0, LIMITS);
        expect(swept).toMatchObject({ appended: [], covered: 1 });
        // A later change the webhook never delivered is not covered.
        const later = await store.append(inbox, [entry(3, { resource, at: T0 + 10 * MINUTE, source: 'sweep' })], T0, LIMITS);
        expect(later.appended).toHaveLength(1);
        // Xero's late retry of that change arrives after the sweep added it: covered.
        const retry = await store.append(inbox, [entry(4, { resource, at: T0 + 10 * MINUTE + 2 * SECOND })], T0, LIMITS);
        expect(retry).toMatchObject({ appended: [], covered: 1 });
        // Two Xero events a second apart are two changes.
        const other = 't1:CONTACT:xyz';
        const two = await store.append(inbox, [entry(5, { resource: other, at: T0 }), entry(6, { resource: other, at: T0 + SECOND })], T0, LIMITS);
        expect(two.appended).toHaveLength(2);
        // The same swept change twice is one.
        const sweptTwice = await store.append(
          inbox,
          [entry(7, { resource: 't1:CONTACT:q', at: T0, source: 'sweep' }), entry(8, { resource: 't1:CONTACT:q', at: T0, source: 'sweep' })],
          T0,
          LIMITS,
        );
        expect(sweptTwice).toMatchObject({ covered: 1 });
        expect(sweptTwice.appended).toHaveLength(1);
      });

      test('with no consumer registered, entries are not kept for anyone', async () => {
        await store.append(inbox, [entry(1), entry(2)], T0, LIMITS);
        const opened = await store.openConsumer(inbox, 'late', 'oldest', T0);
        expect(opened).toMatchObject({ created: true, head: 2, position: 2 });
        expect(await store.claimBatch(inbox, 'late', { owner: 'p1', max: 10, ttlMs: MINUTE, now: T0 })).toEqual({ status: 'empty', missed: 0 });
      });
    });

    describe('consumers', () => {
      test('a consumer opened at the head reads what came after, in batches, and advances only on commit', async () => {
        await store.append(inbox, [entry(1)], T0, LIMITS);
        expect(await store.openConsumer(inbox, 'c1', 'head', T0)).toEqual({ position: 1, head: 1, created: true });
        await store.append(inbox, [entry(2), entry(3), entry(4)], T0, LIMITS);
        const first = await store.claimBatch(inbox, 'c1', { owner: 'p1', max: 2, ttlMs: MINUTE, now: T0 });
        expect(first.status).toBe('claimed');
        if (first.status !== 'claimed') return;
        expect(first.entries.map((e) => e.id)).toEqual(['id-2', 'id-3']);
        expect(first.redeliveredUpTo).toBe(0);
        expect(await store.claimBatch(inbox, 'c1', { owner: 'p2', max: 2, ttlMs: MINUTE, now: T0 + 1 })).toEqual({
          status: 'busy',
          owner: 'p1',
          expiresAt: T0 + MINUTE,
        });
        expect(await store.commitBatch(inbox, 'c1', 'not-the-token', T0, LIMITS)).toBe(false);
        expect(await store.commitBatch(inbox, 'c1', first.token, T0, LIMITS)).toBe(true);
        expect(await store.commitBatch(inbox, 'c1', first.token, T0, LIMITS)).toBe(false);
        const second = await store.claimBatch(inbox, 'c1', { owner: 'p2', max: 2, ttlMs: MINUTE, now: T0 });
        expect(second.status === 'claimed' && second.entries.map((e) => e.id)).toEqual(['id-4']);
        expect(await store.openConsumer(inbox, 'c1', 'head', T0)).toEqual({ position: 3, head: 4, created: false });
      });

      test('a claim that expired unfinished is taken over, flagged as possibly emitted, and its old holder cannot commit', async () => {
        await store.openConsumer(inbox, 'c1', 'head', T0);
        await store.append(inbox, [entry(1), entry(2)], T0, LIMITS);
        const dead = await store.claimBatch(inbox, 'c1', { owner: 'dead', max: 10, ttlMs: MINUTE, now: T0 });
        const next = await store.claimBatch(inbox, 'c1', { owner: 'alive', max: 10, ttlMs: MINUTE, now: T0 + MINUTE });
        expect(next.status === 'claimed' && [next.entries.map((e) => e.position), next.redeliveredUpTo]).toEqual([[1, 2], 2]);
        expect(dead.status === 'claimed' && (await store.commitBatch(inbox, 'c1', dead.token, T0 + MINUTE, LIMITS))).toBe(false);
        expect(next.status === 'claimed' && (await store.commitBatch(inbox, 'c1', next.token, T0 + MINUTE, LIMITS))).toBe(true);
      });

      test('an abandoned claim is offered again at once, not flagged', async () => {
        await store.openConsumer(inbox, 'c1', 'head', T0);
        await store.append(inbox, [entry(1)], T0, LIMITS);
        const first = await store.claimBatch(inbox, 'c1', { owner: 'p1', max: 10, ttlMs: MINUTE, now: T0 });
        if (first.status === 'claimed') await store.abandonBatch(inbox, 'c1', first.token);
        const again = await store.claimBatch(inbox, 'c1', { owner: 'p2', max: 10, ttlMs: MINUTE, now: T0 });
        expect(again.status === 'claimed' && [again.entries.map((e) => e.id), again.redeliveredUpTo]).toEqual([['id-1'], 0]);
      });

      test('of 10 concurrent claims of one consumer exactly one gets the batch', async () => {
        await store.openConsumer(inbox, 'c1', 'head', T0);
        await store.append(inbox, [entry(1), entry(2)], T0, LIMITS);
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.claimBatch(inbox, 'c1', { owner: `p${i}`, max: 10, ttlMs: MINUTE, now: T0 })),
        );
        expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
        expect(claims.filter((c) => c.status === 'busy')).toHaveLength(9);
      });

      test('consumers are independent: each reads every entry', async () => {
        await store.openConsumer(inbox, 'a', 'head', T0);
        await store.openConsumer(inbox, 'b', 'head', T0);
        await store.append(inbox, [entry(1), entry(2)], T0, LIMITS);
        for (const consumer of ['a', 'b']) {
          const claim = await store.claimBatch(inbox, consumer, { owner: 'p', max: 10, ttlMs: MINUTE, now: T0 });
          expect(claim.status === 'claimed' && claim.entries.map((e) => e.id)).toEqual(['id-1', 'id-2']);
          if (claim.status === 'claimed') await store.commitBatch(inbox, consumer, claim.token, T0, LIMITS);
        }
      });

      test('an entry stays until every live consumer has read it', async () => {
        await store.openConsumer(inbox, 'fast', 'head', T0);
        await store.openConsumer(inbox, 'slow', 'head', T0);
        await store.append(inbox, [entry(1)], T0, LIMITS);
        const fast = await store.claimBatch(inbox, 'fast', { owner: 'p', max: 10, ttlMs: MINUTE, now: T0 });
        if (fast.status === 'claimed') await store.commitBatch(inbox, 'fast', fast.token, T0, LIMITS);
        await store.append(inbox, [entry(2)], T0, LIMITS);
        const slow = await store.claimBatch(inbox, 'slow', { owner: 'p', max: 10, ttlMs: MINUTE, now: T0 });
        expect(slow.status === 'claimed' && slow.entries.map((e) => e.id)).toEqual(['id-1', 'id-2']);
      });

      test('the cap removes the oldest entries; a consumer behind them is told how many it missed', async () => {
        await store.openConsumer(inbox, 'c1', 'head', T0);
        const capped = { ...LIMITS, maxEntries: 3 };
        let dropped = 0;
        for (let n = 1; n <= 5; n++) dropped += (await store.append(inbox, [entry(n)], T0, capped)).dropped;
        expect(dropped).toBe(2);
        const claim = await store.claimBatch(inbox, 'c1', { owner: 'p', max: 10, ttlMs: MINUTE, now: T0 });
        expect(claim.status === 'claimed' && [claim.missed, claim.entries.map((e) => e.position)]).toEqual([2, [3, 4, 5]]);
      });

      test('a consumer idle past consumerIdleMs is dropped at the next append and no longer holds entries back', async () => {
        await store.openConsumer(inbox, 'gone', 'head', T0);
        await store.openConsumer(inbox, 'here', 'head', T0 + LIMITS.consumerIdleMs);
        await store.append(inbox, [entry(1)], T0 + LIMITS.consumerIdleMs, LIMITS);
        expect(await store.claimBatch(inbox, 'gone', { owner: 'p', max: 10, ttlMs: MINUTE, now: T0 + LIMITS.consumerIdleMs })).toEqual({ status: 'unknown' });
        expect(await store.claimBatch(inbox, 'never', { owner: 'p', max: 10, ttlMs: MINUTE, now: T0 })).toEqual({ status: 'unknown' });
      });
    });

    describe('key claims', () => {
      const scope = () => `poll:${inbox}`;

      test('a key is claimed once, busy while held, done once completed, and a done key stays done', async () => {
        const a = await store.claimKeys(scope(), ['k1', 'k2', 'k1'], { owner: 'a', ttlMs: MINUTE, now: T0 });
        expect(a.states).toEqual({ k1: 'claimed', k2: 'claimed' });
        const b = await store.claimKeys(scope(), ['k1', 'k3'], { owner: 'b', ttlMs: MINUTE, now: T0 });
        expect(b.states).toEqual({ k1: 'busy', k3: 'claimed' });
        expect(await store.completeKeys(scope(), a.token, ['k1', 'k2'], T0, KEEP)).toBe(2);
        expect(await store.completeKeys(scope(), b.token, ['k1'], T0, KEEP)).toBe(0);
        expect((await store.claimKeys(scope(), ['k1', 'k2', 'k3'], { owner: 'c', ttlMs: MINUTE, now: T0 })).states).toEqual({
          k1: 'done',
          k2: 'done',
          k3: 'busy',
        });
      });

      test('of 10 concurrent claimers of the same keys exactly one gets each key', async () => {
        const keys = ['x1', 'x2', 'x3', 'x4'];
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.claimKeys(scope(), i % 2 ? keys : [...keys].reverse(), { owner: `p${i}`, ttlMs: MINUTE, now: T0 })),
        );
        for (const key of keys) expect(claims.filter((c) => c.states[key] === 'claimed')).toHaveLength(1);
      });

      test('a claim that expired unfinished is reclaimed; its first holder can no longer complete it; a released key is claimed afresh', async () => {
        const first = await store.claimKeys(scope(), ['k'], { owner: 'a', ttlMs: MINUTE, now: T0 });
        const second = await store.claimKeys(scope(), ['k'], { owner: 'b', ttlMs: MINUTE, now: T0 + MINUTE });
        expect(second.states).toEqual({ k: 'reclaimed' });
        expect(await store.completeKeys(scope(), first.token, ['k'], T0 + MINUTE, KEEP)).toBe(0);
        await store.releaseKeys(scope(), second.token, ['k']);
        expect((await store.claimKeys(scope(), ['k'], { owner: 'c', ttlMs: MINUTE, now: T0 + MINUTE })).states).toEqual({ k: 'claimed' });
      });

      test('a done key is forgotten after the retention unless seen again; beyond maxKeys the least recently seen go', async () => {
        const hold = await store.claimKeys(scope(), ['old', 'seen', 'live'], { owner: 'a', ttlMs: 10 * KEEP.retentionMs, now: T0 });
        await store.completeKeys(scope(), hold.token, ['old', 'seen'], T0, KEEP);
        // Seen again half way: its retention starts over.
        await store.claimKeys(scope(), ['seen'], { owner: 'a', ttlMs: MINUTE, now: T0 + KEEP.retentionMs / 2 });
        const later = await store.claimKeys(scope(), ['other'], { owner: 'a', ttlMs: MINUTE, now: T0 + KEEP.retentionMs });
        await store.completeKeys(scope(), later.token, ['other'], T0 + KEEP.retentionMs, KEEP);
        const states = (await store.claimKeys(scope(), ['old', 'seen', 'live'], { owner: 'b', ttlMs: MINUTE, now: T0 + KEEP.retentionMs })).states;
        // 'live' is still held by its (long) claim: never forgotten while held.
        expect(states).toEqual({ old: 'claimed', seen: 'done', live: 'busy' });

        const capScope = `${scope()}:cap`;
        for (let i = 0; i < 5; i++) {
          const c = await store.claimKeys(capScope, [`c${i}`], { owner: 'a', ttlMs: MINUTE, now: T0 + i });
          await store.completeKeys(capScope, c.token, [`c${i}`], T0 + i, { ...KEEP, maxKeys: 3 });
        }
        const capped = await store.claimKeys(capScope, ['c0', 'c1', 'c2', 'c3', 'c4'], { owner: 'b', ttlMs: MINUTE, now: T0 + 10 });
        expect(capped.states).toEqual({ c0: 'claimed', c1: 'claimed', c2: 'done', c3: 'done', c4: 'done' });
      });
    });

    describe('marks', () => {
      test('a mark only rises, also when raised concurrently', async () => {
        const scope = `marks:${inbox}`;
        expect(await store.readMarks(scope)).toEqual({});
        await store.raiseMarks(scope, { a: T0, b: 5 });
        await store.raiseMarks(scope, { a: T0 - 1, b: 7 });
        await Promise.all([10, 30, 20].map((v) => store.raiseMarks(scope, { c: v })));
        expect(await store.readMarks(scope)).toEqual({ a: T0, b: 7, c: 30 });
      });
    });
  });
}
