import { DAY, HOUR, ManualClock, MINUTE, SECOND } from '../../../src/clock';
import { ChangePoller, EventsConfigError, type CallBudgetLike, type ChangePollerOptions, type PollState, type PollWatch } from '../../../src/events';
import { MemoryLedger, type EventStore } from '../../../src/ledger';
import { FakeBooks, guid } from './fake-books';

const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const T0 = Date.UTC(2026, 2, 2, 9);
const iso = (ms: number) => new Date(ms).toISOString();

let clock: ManualClock;
let store: EventStore;
let books: FakeBooks;
beforeEach(() => {
  clock = new ManualClock(T0);
  store = new MemoryLedger({ clock }).eventStore();
  books = new FakeBooks();
});

const invoice = (n: number, at: number, extra: Record<string, unknown> = {}) => ({
  InvoiceID: guid(n),
  Type: 'ACCREC',
  Status: 'AUTHORISED',
  AmountDue: 100,
  UpdatedDateUTC: iso(at),
  ...extra,
});
const poller = (watches: PollWatch[] = [{ tenantId: TENANT, watch: 'sales_invoices' }], extra: Partial<ChangePollerOptions> = {}) =>
  new ChangePoller({ store, consumer: 'wf1:poll', reader: books, watches, clock, ...extra });

/** One poll as a host runs it: poll, emit (collect), mark emitted, keep the state. */
async function run(p: ChangePoller, state: PollState | null) {
  const result = await p.poll(state);
  await p.complete(result.pending);
  return result;
}

describe('the change poller', () => {
  test('starts from now: what changed before activation is not emitted, each later change once, a record changed again again', async () => {
    books.put(TENANT, 'Invoices', invoice(1, T0 - HOUR));
    const p = poller();
    let result = await run(p, null);
    expect(result.items).toEqual([]);
    clock.advance(15 * MINUTE);
    books.put(TENANT, 'Invoices', invoice(2, T0 + 10 * MINUTE));
    result = await run(p, result.state);
    expect(result.items.map((i) => [i.recordId, i.updatedDateUtc, i.kind, i.watch, i.redelivered])).toEqual([
      [guid(2), iso(T0 + 10 * MINUTE), 'change', 'sales_invoices', false],
    ]);
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.items).toEqual([]);
    books.put(TENANT, 'Invoices', invoice(2, T0 + 20 * MINUTE, { Status: 'PAID' }));
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.items.map((i) => [i.recordId, i.record.Status])).toEqual([[guid(2), 'PAID']]);
  });

  test('the cursor is the newest UpdatedDateUTC Xero returned (its clock, not ours), read back 5 minutes', async () => {
    const p = poller();
    let result = await run(p, null);
    books.put(TENANT, 'Invoices', invoice(1, T0 + MINUTE));
    clock.advance(2 * DAY);
    result = await run(p, result.state);
    expect(result.items).toHaveLength(1);
    clock.advance(2 * DAY);
    result = await run(p, result.state);
    // Nothing new for two days of our clock: still asked from Xero's last stamp less the overlap.
    expect(books.calls.at(-1)?.ifModifiedSince).toBe(T0 + MINUTE - 5 * MINUTE);
  });

  test('the overlap catches a record committed late with an older stamp, and the second read of the same change emits nothing', async () => {
    const p = poller();
    let result = await run(p, null);
    books.put(TENANT, 'Invoices', invoice(1, T0 + 10 * MINUTE));
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.items).toHaveLength(1);
    // Visible only now, stamped 3 minutes before the cursor (and in the same second as it: one-second resolution).
    books.put(TENANT, 'Invoices', invoice(2, T0 + 7 * MINUTE), invoice(3, T0 + 10 * MINUTE + 400));
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.items.map((i) => i.recordId).sort()).toEqual([guid(2), guid(3)]);
    expect(books.calls.at(-1)?.query).toMatchObject({ where: 'Type=="ACCREC"', order: 'UpdatedDateUTC ASC' });
  });

  test('sales invoices and bills are told apart by Xero (where Type==...)', async () => {
    const p = poller([
      { tenantId: TENANT, watch: 'sales_invoices' },
      { tenantId: TENANT, watch: 'bills' },
    ]);
    let result = await run(p, null);
    books.put(TENANT, 'Invoices', invoice(1, T0 + MINUTE), invoice(2, T0 + MINUTE, { Type: 'ACCPAY' }));
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.items.map((i) => [i.watch, i.recordId])).toEqual([
      ['sales_invoices', guid(1)],
      ['bills', guid(2)],
    ]);
  });

  test('two processes polling the same trigger at once emit each change once between them', async () => {
    const a = poller(undefined, { owner: 'a' });
    const b = poller(undefined, { owner: 'b' });
    const start = await run(a, null);
    for (let n = 1; n <= 30; n++) books.put(TENANT, 'Invoices', invoice(n, T0 + n * SECOND));
    clock.advance(15 * MINUTE);
    const [ra, rb] = await Promise.all([a.poll(start.state), b.poll(start.state)]);
    await Promise.all([a.complete(ra.pending), b.complete(rb.pending)]);
    const emitted = [...ra.items, ...rb.items].map((i) => i.recordId).sort();
    expect(emitted).toEqual(Array.from({ length: 30 }, (_, i) => guid(i + 1)));
  });

  test('a process that dies between claiming and emitting loses nothing: its claim holds the cursor back, then is taken over, flagged', async () => {
    const dead = poller(undefined, { owner: 'dead', claimTtlMs: 10 * MINUTE });
    const alive = poller(undefined, { owner: 'alive', claimTtlMs: 10 * MINUTE });
    const start = await run(alive, null);
    books.put(TENANT, 'Invoices', invoice(1, T0 + MINUTE));
    clock.advance(15 * MINUTE);
    await dead.poll(start.state); // claimed, never emitted, never completed, its state never stored
    books.put(TENANT, 'Invoices', invoice(2, T0 + 10 * MINUTE));
    let result = await run(alive, start.state);
    expect(result.items.map((i) => i.recordId)).toEqual([guid(2)]);
    // The cursor stayed before the change still claimed by the dead process.
    expect(result.state.watches[`${TENANT}:sales_invoices`].cursor).toBe(T0 + MINUTE);
    clock.advance(10 * MINUTE);
    result = await run(alive, result.state);
    expect(result.items.map((i) => [i.recordId, i.redelivered])).toEqual([[guid(1), true]]);
    expect(result.state.watches[`${TENANT}:sales_invoices`].cursor).toBe(T0 + 10 * MINUTE);
  });

  test('emitting failed: the claims are given back and the next poll emits them', async () => {
    const p = poller();
    const start = await run(p, null);
    books.put(TENANT, 'Invoices', invoice(1, T0 + MINUTE));
    clock.advance(15 * MINUTE);
    const failed = await p.poll(start.state);
    await p.release(failed.pending);
    const again = await run(p, start.state);
    expect(again.items.map((i) => [i.recordId, i.redelivered])).toEqual([[guid(1), false]]);
  });

  test('backfill from a date emits what changed since then', async () => {
    books.put(TENANT, 'Invoices', invoice(1, T0 - 3 * DAY), invoice(2, T0 - HOUR));
    const result = await run(poller(undefined, { backfillFrom: iso(T0 - 2 * DAY) }), null);
    expect(result.items.map((i) => i.recordId)).toEqual([guid(2)]);
    expect(() => poller(undefined, { backfillFrom: 'last tuesday' }).poll(null)).rejects.toThrow(EventsConfigError);
  });

  test('a burst bigger than one poll comes over several polls, each change once, even when all share one timestamp', async () => {
    const p = poller(undefined, { pageSize: 100, maxItemsPerPoll: 500 });
    let result = await run(p, null);
    for (let n = 1; n <= 1200; n++) books.put(TENANT, 'Invoices', invoice(n, T0 + MINUTE));
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(15 * MINUTE);
      result = await run(p, result.state);
      seen.push(...result.items.map((item) => item.recordId));
    }
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
  });

  test('a failed read is said, and that watch starts again where it was', async () => {
    const p = poller();
    const start = await run(p, null);
    books.put(TENANT, 'Invoices', invoice(1, T0 + MINUTE));
    books.failNext = new Error('socket hang up');
    clock.advance(15 * MINUTE);
    const failed = await run(p, start.state);
    expect(failed.notices).toEqual([{ kind: 'poll_failed', tenantId: TENANT, message: `Polling sales invoices of ${TENANT} failed: socket hang up` }]);
    expect(failed.state.watches[`${TENANT}:sales_invoices`]).toEqual(start.state.watches[`${TENANT}:sales_invoices`]);
    expect((await run(p, failed.state)).items).toHaveLength(1);
  });

  test('a user mistake in the watches is refused with what to choose', () => {
    expect(() => poller([])).toThrow(/choose at least one resource/);
    expect(() => poller([{ tenantId: TENANT, watch: 'invoices' as 'bills' }])).toThrow(/"invoices" cannot be polled; choose from sales_invoices, bills/);
    expect(() => poller([{ tenantId: TENANT, named: 'invoice_voided' as 'bill_due' }])).toThrow(/not a named event/);
    expect(() => poller(undefined, { timeZone: 'NZST' })).toThrow(/IANA name/);
  });
});

describe('the call budget', () => {
  test("never spends the organisation's reserve: a skipped poll is said once, the resumption once, and nothing is lost", async () => {
    let allowed = true;
    const recorded: unknown[] = [];
    const budget: CallBudgetLike = { mayUseForHousekeeping: () => allowed, record: (tenantId, reading) => recorded.push([tenantId, reading.dayRemaining]) };
    const p = poller(
      [
        { tenantId: TENANT, watch: 'sales_invoices' },
        { tenantId: TENANT, watch: 'contacts' },
      ],
      { budget },
    );
    let result = await run(p, null);
    expect(recorded).toEqual([
      [TENANT, 900],
      [TENANT, 900],
    ]);
    books.put(TENANT, 'Invoices', invoice(1, T0 + MINUTE));
    allowed = false;
    const calls = books.calls.length;
    const notices: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(15 * MINUTE);
      result = await run(p, result.state);
      notices.push(...result.notices.map((n) => n.kind));
      expect(result.items).toEqual([]);
    }
    expect(books.calls.length).toBe(calls);
    expect(notices).toEqual(['budget_skip']);
    allowed = true;
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.notices.map((n) => n.kind)).toEqual(['budget_resumed']);
    expect(result.items.map((i) => i.recordId)).toEqual([guid(1)]);
  });

  test('adaptive interval: quiet polls double the wait up to the ceiling, a change brings it back; a call before it is due reads nothing', async () => {
    const p = poller(undefined, { schedule: { intervalMs: 15 * MINUTE, ceilingMs: HOUR } });
    let result = await run(p, null);
    const waits: number[] = [result.state.schedule?.waitMs ?? 0];
    for (let i = 0; i < 4; i++) {
      const wait = result.state.schedule?.waitMs ?? 0;
      clock.advance(15 * MINUTE);
      if (wait > 15 * MINUTE) {
        const early = await p.poll(result.state);
        expect(early.due).toBe(false);
        clock.advance(wait - 15 * MINUTE);
      }
      const calls = books.calls.length;
      result = await run(p, result.state);
      expect(books.calls.length).toBe(calls + 1);
      waits.push(result.state.schedule?.waitMs ?? 0);
    }
    expect(waits.map((w) => w / MINUTE)).toEqual([15, 30, 60, 60, 60]);
    books.put(TENANT, 'Invoices', invoice(1, clock.now() + 30 * MINUTE));
    clock.advance(HOUR);
    result = await run(p, result.state);
    expect(result.changed).toBe(true);
    expect(result.state.schedule?.waitMs).toBe(15 * MINUTE);
    expect(() => poller(undefined, { schedule: { intervalMs: 15 * MINUTE, ceilingMs: 5 * MINUTE } })).toThrow(/ceiling .* must be at least the poll interval/);
  });
});

describe('named events', () => {
  test('invoice paid: once per invoice, however often it changes after; bills and long-paid invoices are not news', async () => {
    const p = poller([{ tenantId: TENANT, named: 'invoice_paid' }]);
    let result = await run(p, null);
    books.put(
      TENANT,
      'Invoices',
      invoice(1, T0 + MINUTE, { Status: 'PAID', FullyPaidOnDate: '2026-03-02T00:00:00Z', AmountDue: 0 }),
      invoice(2, T0 + MINUTE, { Type: 'ACCPAY', Status: 'PAID', FullyPaidOnDate: '2026-03-02T00:00:00Z' }),
      invoice(3, T0 + MINUTE, { Status: 'PAID', FullyPaidOnDate: '2026-01-01T00:00:00Z' }),
      invoice(4, T0 + MINUTE),
    );
    clock.advance(15 * MINUTE);
    result = await run(p, result.state);
    expect(result.items.map((i) => [i.kind, i.recordId])).toEqual([['invoice_paid', guid(1)]]);
    books.put(TENANT, 'Invoices', invoice(1, T0 + 20 * MINUTE, { Status: 'PAID', FullyPaidOnDate: '2026-03-02T00:00:00Z', Reference: 'edited' }));
    clock.advance(15 * MINUTE);
    expect((await run(p, result.state)).items).toEqual([]);
  });

  test('invoice overdue: checked once a day; what is overdue at activation is the baseline; each becomes news once', async () => {
    const due = (n: number, day: string) => invoice(n, T0 - DAY, { DueDate: `${day}T00:00:00Z`, DueDateString: `${day}T00:00:00` });
    books.put(TENANT, 'Invoices', due(1, '2026-02-20'), due(2, '2026-03-02'), due(3, '2026-03-10'));
    const p = poller([{ tenantId: TENANT, named: 'invoice_overdue' }]);
    let result = await run(p, null);
    expect(result.items).toEqual([]);
    const calls = books.calls.length;
    clock.advance(HOUR);
    result = await run(p, result.state);
    expect(books.calls.length).toBe(calls);
    clock.set(Date.UTC(2026, 2, 3, 0, 5));
    result = await run(p, result.state);
    expect(result.items.map((i) => [i.kind, i.recordId])).toEqual([['invoice_overdue', guid(2)]]);
    clock.set(Date.UTC(2026, 2, 4, 0, 5));
    expect((await run(p, result.state)).items).toEqual([]);
    // Paid, then the due date moved and it is overdue again: a new occurrence.
    books.put(TENANT, 'Invoices', due(2, '2026-03-03'));
    clock.set(Date.UTC(2026, 2, 5, 0, 5));
    expect((await run(p, result.state)).items.map((i) => i.key)).toEqual([`${TENANT}:invoice_overdue:overdue:${guid(2)}:2026-03-03`]);
  });

  test("the day turns in the organisation's time zone", async () => {
    books.put(TENANT, 'Invoices', invoice(1, T0 - DAY, { DueDate: '2026-03-02T00:00:00Z', DueDateString: '2026-03-02T00:00:00' }));
    const p = poller([{ tenantId: TENANT, named: 'invoice_overdue' }], { timeZone: 'Pacific/Auckland' });
    // 09:00 UTC on 2 March is 22:00 on 2 March in Auckland: the invoice is due today there, not overdue.
    let result = await run(p, null);
    clock.set(Date.UTC(2026, 2, 2, 10, 30)); // 23:30 in Auckland
    result = await run(p, result.state);
    expect(result.items).toEqual([]);
    clock.set(Date.UTC(2026, 2, 2, 11, 30)); // 00:30 on 3 March in Auckland (13:00 UTC+13)
    result = await run(p, result.state);
    expect(result.items.map((i) => i.recordId)).toEqual([guid(1)]);
  });

  test('bill due within the days asked; quote accepted once', async () => {
    books.put(
      TENANT,
      'Invoices',
      invoice(1, T0 - DAY, { Type: 'ACCPAY', DueDate: '2026-03-05T00:00:00Z', DueDateString: '2026-03-05T00:00:00' }),
      invoice(2, T0 - DAY, { Type: 'ACCPAY', DueDate: '2026-03-20T00:00:00Z', DueDateString: '2026-03-20T00:00:00' }),
    );
    const bills = poller([{ tenantId: TENANT, named: 'bill_due' }], { dueInDays: 3, backfillFrom: T0 - 30 * DAY });
    expect((await run(bills, null)).items.map((i) => [i.kind, i.recordId])).toEqual([['bill_due', guid(1)]]);

    const quotes = poller([{ tenantId: TENANT, named: 'quote_accepted' }]);
    let result = await run(quotes, null);
    books.put(
      TENANT,
      'Quotes',
      { QuoteID: guid(7), Status: 'ACCEPTED', UpdatedDateUTC: iso(T0 + MINUTE) },
      { QuoteID: guid(8), Status: 'SENT', UpdatedDateUTC: iso(T0 + MINUTE) },
    );
    clock.advance(15 * MINUTE);
    result = await run(quotes, result.state);
    expect(result.items.map((i) => [i.kind, i.recordId])).toEqual([['quote_accepted', guid(7)]]);
    expect(books.calls.at(-1)?.query).toMatchObject({ Status: 'ACCEPTED' });
    books.put(TENANT, 'Quotes', { QuoteID: guid(7), Status: 'ACCEPTED', Reference: 'x', UpdatedDateUTC: iso(T0 + 20 * MINUTE) });
    clock.advance(15 * MINUTE);
    expect((await run(quotes, result.state)).items).toEqual([]);
  });
});
