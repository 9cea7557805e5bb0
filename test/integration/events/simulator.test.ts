/**
 * The events core against the real Accounting client and the simulator over HTTP: If-Modified-Since
 * polling and named events as Xero answers them, record fetches by IDs= and by `where` (the
 * simulator's parser accepts exactly Xero's syntax), the catch-up sweep, and a real CallBudget fed by
 * the simulator's rate-limit headers.
 */
import { HOUR, MINUTE } from '../../../src/clock';
import { CallBudget } from '../../../src/check';
import {
  ChangePoller,
  EventConsumer,
  EventInbox,
  runCatchUp,
  type ChangePollerOptions,
  type EventFilter,
  type PollState,
  type PollWatch,
  type XeroEvent,
} from '../../../src/events';
import { MemoryLedger, type EventStore } from '../../../src/ledger';
import { DEMO_TENANT_ID, startSimulator } from '../../../src/simulator';
import { staticTokenSource, XeroAccountingClient } from '../../../src/xero';
import { SCOPES, setup, type Setup } from '../xero-api/support';

const APP = 'demo-app';
let s: Setup;
let store: EventStore;
/** The client these tests read with: the simulated days pass many 30-minute tokens, so a fresh grant stands in for the engine's refresh. */
let reader: XeroAccountingClient;
afterEach(async () => {
  await s?.sim.close();
});

async function contactId(): Promise<string> {
  const r = await reader.request<{ Contacts: Array<{ ContactID: string }> }>({
    method: 'PUT',
    path: 'Contacts',
    body: { Contacts: [{ Name: `Customer ${Math.random()}` }] },
  });
  return r.body.Contacts[0].ContactID;
}

async function invoice(contact: string, type: 'ACCREC' | 'ACCPAY' = 'ACCREC', extra: Record<string, unknown> = {}): Promise<string> {
  const body = {
    Type: type,
    Status: 'AUTHORISED',
    Contact: { ContactID: contact },
    LineItems: [{ Description: 'Work', Quantity: 1, UnitAmount: 100, AccountCode: type === 'ACCREC' ? '200' : '400' }],
    ...extra,
  };
  const r = await reader.request<{ Invoices: Array<{ InvoiceID: string }> }>({ method: 'PUT', path: 'Invoices', body: { Invoices: [body] } });
  return r.body.Invoices[0].InvoiceID;
}

async function pay(invoiceId: string, amount: number): Promise<void> {
  await s
    .client()
    .request({ method: 'PUT', path: 'Payments', body: { Payments: [{ Invoice: { InvoiceID: invoiceId }, Account: { Code: '090' }, Amount: amount }] } });
}

function poller(consumer: string, watches: PollWatch[], extra: Partial<ChangePollerOptions> = {}): ChangePoller {
  return new ChangePoller({ store, consumer, reader, clock: s.simClock, watches, ...extra });
}

/** A webhook trigger that fetches the records its events name. */
function webhookConsumer(filter: EventFilter): EventConsumer {
  return new EventConsumer({ store, inbox: APP, consumer: 'wf:webhook', clock: s.simClock, fetch: { reader }, filter });
}

/** One poll as a host runs it: poll, emit, mark emitted. */
async function pollOnce(p: ChangePoller, state: PollState | null) {
  const result = await p.poll(state);
  await p.complete(result.pending);
  return result;
}

function event(resourceId: string, category = 'INVOICE'): XeroEvent {
  return {
    resourceUrl: '',
    resourceId,
    tenantId: DEMO_TENANT_ID,
    tenantType: 'ORGANISATION',
    eventCategory: category,
    eventType: 'UPDATE',
    eventDateUtc: new Date(s.simClock.now()).toISOString().replace('Z', ''),
  };
}

describe('events against the simulator', () => {
  beforeEach(async () => {
    s = await setup({ sharedClock: true });
    store = new MemoryLedger({ clock: s.simClock }).eventStore();
    let token = { value: '', at: -Infinity };
    reader = s.client({
      tokens: {
        getAccessToken: async () => {
          if (s.simClock.now() - token.at > 20 * MINUTE) token = { value: s.sim.seedGrant({ scopes: SCOPES }).access_token, at: s.simClock.now() };
          return token.value;
        },
        reportRejected: async () => undefined,
      },
    });
  });

  test('polling: changes since activation once each, sent as If-Modified-Since; invoice paid once; a quiet poll emits nothing', async () => {
    const customer = await contactId();
    const p = poller('wf:poll', [
      { tenantId: DEMO_TENANT_ID, watch: 'sales_invoices' },
      { tenantId: DEMO_TENANT_ID, watch: 'bills' },
      { tenantId: DEMO_TENANT_ID, named: 'invoice_paid' },
    ]);
    const run = (state: PollState | null) => pollOnce(p, state);
    s.simClock.advance(MINUTE);
    let result = await run(null);
    expect(result.items).toEqual([]);
    s.simClock.advance(MINUTE);
    const sale = await invoice(customer);
    const bill = await invoice(customer, 'ACCPAY');
    s.simClock.advance(15 * MINUTE);
    result = await run(result.state);
    expect(result.items.map((i) => [i.kind, i.watch, i.recordId])).toEqual([
      ['change', 'sales_invoices', sale.toLowerCase()],
      ['change', 'bills', bill.toLowerCase()],
    ]);
    expect(result.items[0].record).toMatchObject({ InvoiceID: sale, Type: 'ACCREC', Total: expect.any(Number), LineItems: expect.any(Array) });
    const sinceHeaders = s.transport.requests.filter((r) => r.url.includes('/Invoices?')).map((r) => r.headers['if-modified-since']);
    expect(sinceHeaders.every((h) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(String(h)))).toBe(true);

    await pay(sale, 115);
    s.simClock.advance(15 * MINUTE);
    result = await run(result.state);
    expect(result.items.map((i) => [i.kind, i.recordId, i.record.Status])).toEqual([
      ['change', sale.toLowerCase(), 'PAID'],
      ['invoice_paid', sale.toLowerCase(), 'PAID'],
    ]);
    s.simClock.advance(15 * MINUTE);
    expect((await run(result.state)).items).toEqual([]);
  });

  test('invoice overdue by a daily query Xero can answer (DueDate<DateTime(...)), emitted once', async () => {
    const customer = await contactId();
    const due = new Date(s.simClock.now() + 2 * 24 * HOUR).toISOString().slice(0, 10);
    const late = await invoice(customer, 'ACCREC', { DueDate: due });
    const p = poller('wf:overdue', [{ tenantId: DEMO_TENANT_ID, named: 'invoice_overdue' }]);
    let state: PollState | null = null;
    const found: string[] = [];
    for (let day = 0; day < 5; day++) {
      const result = await pollOnce(p, state);
      found.push(...result.items.map((i) => `${day}:${i.recordId}`));
      state = result.state;
      s.simClock.advance(24 * HOUR);
    }
    expect(found).toEqual([`3:${late.toLowerCase()}`]);
    expect(s.transport.requests.filter((r) => r.url.includes('DueDate')).length).toBe(5);
  });

  test('a consumer fetches the records its events name: invoices by IDs= in one call, credit notes by a where Xero parses, missing ones as not found', async () => {
    const customer = await contactId();
    const ids = [await invoice(customer), await invoice(customer), await invoice(customer, 'ACCPAY')];
    const credit = await reader.request<{ CreditNotes: Array<{ CreditNoteID: string }> }>({
      method: 'PUT',
      path: 'CreditNotes',
      body: {
        CreditNotes: [
          {
            Type: 'ACCRECCREDIT',
            Status: 'AUTHORISED',
            Contact: { ContactID: customer },
            LineItems: [{ Description: 'Refund', Quantity: 1, UnitAmount: 10, AccountCode: '200' }],
          },
        ],
      },
    });
    const creditId: string = credit.body.CreditNotes[0].CreditNoteID;
    const inbox = new EventInbox({ store, inbox: APP, clock: s.simClock });
    const consumer = webhookConsumer({ direction: 'sales' });
    await consumer.open();
    const gone = 'dddddddd-0000-4000-8000-000000000009';
    await inbox.append({
      events: [...ids.map((id) => event(id)), event(gone), event(creditId, 'CREDITNOTE')],
      firstEventSequence: 1,
      lastEventSequence: 5,
      entropy: 'x',
    });
    const before = s.transport.requests.length;
    const batch = await consumer.next();
    const reads = s.transport.requests.slice(before).map((r) => new URL(r.url));
    expect(reads.map((u) => [u.pathname, u.searchParams.has('IDs'), u.searchParams.has('where')])).toEqual([
      ['/api.xro/2.0/Invoices', true, false],
      ['/api.xro/2.0/CreditNotes', false, true],
    ]);
    // Sales only: the bill is dropped once its record shows ACCPAY; the missing invoice comes with its reason.
    expect(batch.items.map((i) => [i.event.resourceId, i.record?.Type ?? null, i.recordError?.code ?? null])).toEqual([
      [ids[0], 'ACCREC', null],
      [ids[1], 'ACCREC', null],
      [gone, null, 'not_found'],
      [creditId, 'ACCRECCREDIT', null],
    ]);
    expect(await batch.commit()).toBe(true);
  });

  test('catch-up: a change whose webhook never came arrives once, from the sweep, with its record', async () => {
    const customer = await contactId();
    const sweep = () => runCatchUp({ store, inbox: APP, reader, tenantIds: [DEMO_TENANT_ID], clock: s.simClock });
    const consumer = webhookConsumer({ categories: ['INVOICE'] });
    await consumer.open();
    expect((await sweep()).started).toHaveLength(3);
    s.simClock.advance(MINUTE);
    const delivered = await invoice(customer);
    await new EventInbox({ store, inbox: APP, clock: s.simClock }).append({
      events: [event(delivered)],
      firstEventSequence: 1,
      lastEventSequence: 1,
      entropy: 'x',
    });
    s.simClock.advance(MINUTE);
    const lost = await invoice(customer);
    s.simClock.advance(HOUR);
    const report = await sweep();
    expect(report.swept.find((r) => r.category === 'INVOICE')).toMatchObject({ read: 2, added: 1, covered: 1 });
    const batch = await consumer.next();
    expect(batch.items.map((i) => [i.event.resourceId, i.source, i.record?.InvoiceID])).toEqual([
      [delivered, 'webhook', delivered],
      [lost, 'catch-up', lost],
    ]);
    await batch.commit();
    s.simClock.advance(HOUR);
    await sweep();
    expect((await consumer.next()).items).toEqual([]);
  });

  test("a real call budget fed by Xero's headers: polling stops at the organisation's reserve, says so once, and spends no more", async () => {
    const sim = await startSimulator({ clock: s.simClock, rateLimits: { perDay: 40, perMinute: 1000, concurrent: 10 } });
    try {
      const grant = sim.seedGrant({ scopes: ['offline_access', 'accounting.transactions', 'accounting.contacts'] });
      const client = new XeroAccountingClient({
        tokens: staticTokenSource(grant.access_token),
        tenantId: DEMO_TENANT_ID,
        endpoints: { apiUrl: sim.apiUrl },
        clock: s.simClock,
      });
      const budget = new CallBudget({
        notes: new MemoryLedger({ clock: s.simClock }),
        key: 'chain',
        clock: s.simClock,
        policy: { dayLimit: 40, reserveFraction: 0.5 },
      });
      const p = poller(
        'wf:budget',
        [
          { tenantId: DEMO_TENANT_ID, watch: 'sales_invoices' },
          { tenantId: DEMO_TENANT_ID, watch: 'contacts' },
          { tenantId: DEMO_TENANT_ID, watch: 'payments' },
        ],
        { reader: client, budget },
      );
      let state: PollState | null = null;
      const notices: string[] = [];
      const requests: number[] = [];
      for (let i = 0; i < 12; i++) {
        const result = await pollOnce(p, state);
        notices.push(...result.notices.map((n) => n.kind));
        state = result.state;
        requests.push(sim.stats().requests);
        s.simClock.advance(MINUTE);
      }
      // The reserve is half of 40: every call asked first, so the last one left exactly the reserve, and none followed.
      expect(budget.budget(DEMO_TENANT_ID)?.dayRemaining).toBe(20);
      expect(requests.at(-1)).toBe(20);
      expect(requests.filter((n) => n === 20).length).toBeGreaterThan(3);
      expect(notices).toEqual(['budget_skip']);
    } finally {
      await sim.close();
    }
  });
});
