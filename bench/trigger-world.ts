/**
 * The world bench/trigger.bench.ts plays a day in: the simulator as a real HTTP server on a manual
 * clock, seeded with a realistic book; a bookkeeper who changes it through the API; the calls every
 * watcher spends, counted from the simulator's own request log (never from our code's counters);
 * and the one other party the webhook path needs, a receiving endpoint made of the events core
 * (verify, inbox, consumer), as the trigger node wires it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, MINUTE } from '../src/clock';
import {
  drainConsumer,
  EventConsumer,
  EventInbox,
  readBodyCapped,
  verifyWebhook,
  WebhookKey,
  XERO_SIGNATURE_HEADER,
  type EventItem,
  type RecordReader,
} from '../src/events';
import type { EventStore } from '../src/ledger';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, startSimulator, type Simulator } from '../src/simulator';
import { XeroAccountingClient, type XeroTokenSource } from '../src/xero';

/** A Monday, midnight UTC: the simulated day runs from here for 24 hours. */
export const DAY_START = Date.UTC(2026, 4, 4, 0, 0, 0);
const SCOPES = ['offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'];

export interface World {
  sim: Simulator;
  clock: ManualClock;
  /** The trigger's reader: the real Accounting client over HTTP. */
  reader: XeroAccountingClient;
  tokens: XeroTokenSource;
  meter: CallMeter;
  /** Seeded contact IDs (read before the day starts, outside every count). */
  contactIds: string[];
  close(): Promise<void>;
}

/**
 * A seeded organisation at the start of the day. The simulated day passes many 30-minute access
 * tokens: a fresh grant every 20 simulated minutes stands in for the token engine's refresh (token
 * calls are not API calls and are not counted).
 */
export async function startWorld(book: { contacts: number; invoices: number }): Promise<World> {
  const clock = new ManualClock(DAY_START - 30 * MINUTE);
  const sim = await startSimulator({ clock });
  let token = { value: '', at: -Infinity };
  const tokens: XeroTokenSource = {
    getAccessToken: async () => {
      if (clock.now() - token.at > 20 * MINUTE) token = { value: sim.seedGrant({ scopes: SCOPES }).access_token, at: clock.now() };
      return token.value;
    },
    reportRejected: async () => undefined,
  };
  // Seeded in the past hour, so that nothing seeded is "changed today" for the watchers.
  sim.accounting.seed(DEMO_TENANT_ID, { ...book, seed: 26 });
  const reader = new XeroAccountingClient({ tokens, tenantId: DEMO_TENANT_ID, endpoints: { apiUrl: sim.apiUrl }, clock });
  const contactIds: string[] = [];
  for await (const page of reader.pages({ path: 'Contacts', query: { pageSize: 1000 } }))
    for (const c of page.records) contactIds.push(String((c as { ContactID: string }).ContactID));
  clock.set(DAY_START);
  return { sim, clock, reader, tokens, meter: new CallMeter(sim), contactIds, close: () => sim.close() };
}

/**
 * Calls counted from the simulator's request log, into the bucket of whoever made them since the
 * last take: GETs to the Accounting API are the watching; the bookkeeper's PUTs and POSTs are kept
 * apart (they are the user's own work, the same for every watcher).
 */
export class CallMeter {
  private seq: number;
  readonly reads = new Map<string, number>();
  readonly paths = new Map<string, Map<string, number>>();
  writes = 0;

  constructor(private readonly sim: Simulator) {
    this.seq = sim.log().at(-1)?.seq ?? 0;
  }

  /** Everything the simulator logged since the last take goes to `bucket`. */
  take(bucket: string): number {
    let n = 0;
    for (const e of this.sim.log(this.seq)) {
      this.seq = e.seq;
      if (e.type !== 'request' || e.endpoint !== 'accounting') continue;
      if (e.method !== 'GET') {
        this.writes++;
        continue;
      }
      n++;
      const paths = this.paths.get(bucket) ?? new Map<string, number>();
      const path = e.path.replace(/^\/api\.xro\/2\.0\//, '');
      paths.set(path, (paths.get(path) ?? 0) + 1);
      this.paths.set(bucket, paths);
    }
    this.reads.set(bucket, (this.reads.get(bucket) ?? 0) + n);
    return n;
  }

  get(bucket: string): number {
    return this.reads.get(bucket) ?? 0;
  }

  byPath(bucket: string): Record<string, number> {
    return Object.fromEntries(this.paths.get(bucket) ?? []);
  }
}

/** The five kinds of change of a busy day, in turn. */
export const CHANGE_KINDS = ['sales_invoices', 'bills', 'payments', 'contacts', 'credit_notes'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface Change {
  kind: ChangeKind;
  /** The record a webhook names for it: the invoice a payment paid, else the record itself (lower case). */
  eventResourceId: string;
  /** The record the change made or changed (the payment, for payments). */
  recordId: string;
}

/** A bookkeeper at work through the API: PUTs and POSTs only, so none of it counts as watching. */
export class Bookkeeper {
  private readonly unpaid: Array<{ id: string; total: number }> = [];
  private turn = 0;

  constructor(
    private readonly client: XeroAccountingClient,
    private readonly contactIds: readonly string[],
  ) {}

  async change(): Promise<Change> {
    const kind = CHANGE_KINDS[this.turn % CHANGE_KINDS.length] as ChangeKind;
    const contact = this.contactIds[this.turn % this.contactIds.length] as string;
    this.turn++;
    const line = (account: string) => [{ Description: `Work ${this.turn}`, Quantity: 1, UnitAmount: 100 + this.turn, AccountCode: account }];
    if (kind === 'sales_invoices' || kind === 'bills') {
      const type = kind === 'bills' ? 'ACCPAY' : 'ACCREC';
      const body = { Invoices: [{ Type: type, Status: 'AUTHORISED', Contact: { ContactID: contact }, LineItems: line(type === 'ACCREC' ? '200' : '400') }] };
      const r = await this.client.request<{ Invoices: Array<{ InvoiceID: string; Total: number }> }>({ method: 'PUT', path: 'Invoices', body });
      const invoice = r.body.Invoices[0] as { InvoiceID: string; Total: number };
      if (type === 'ACCREC') this.unpaid.push({ id: invoice.InvoiceID, total: invoice.Total });
      return { kind, eventResourceId: invoice.InvoiceID.toLowerCase(), recordId: invoice.InvoiceID.toLowerCase() };
    }
    if (kind === 'payments') {
      const invoice = this.unpaid.shift();
      if (!invoice) throw new Error('the bookkeeper has no unpaid invoice of its own to pay (a payment follows a sales invoice in every turn)');
      const body = { Payments: [{ Invoice: { InvoiceID: invoice.id }, Account: { Code: '090' }, Amount: invoice.total }] };
      const r = await this.client.request<{ Payments: Array<{ PaymentID: string }> }>({ method: 'PUT', path: 'Payments', body });
      return { kind, eventResourceId: invoice.id.toLowerCase(), recordId: (r.body.Payments[0] as { PaymentID: string }).PaymentID.toLowerCase() };
    }
    if (kind === 'contacts') {
      const body = { Contacts: [{ ContactID: contact, EmailAddress: `accounts+${this.turn}@example.com` }] };
      await this.client.request({ method: 'POST', path: 'Contacts', body });
      return { kind, eventResourceId: contact.toLowerCase(), recordId: contact.toLowerCase() };
    }
    const body = { CreditNotes: [{ Type: 'ACCRECCREDIT', Status: 'AUTHORISED', Contact: { ContactID: contact }, LineItems: line('200') }] };
    const r = await this.client.request<{ CreditNotes: Array<{ CreditNoteID: string }> }>({ method: 'PUT', path: 'CreditNotes', body });
    const id = (r.body.CreditNotes[0] as { CreditNoteID: string }).CreditNoteID.toLowerCase();
    return { kind, eventResourceId: id, recordId: id };
  }
}

/**
 * The webhook path as the trigger runs it: a receiving endpoint that reads the body under the cap,
 * verifies x-xero-signature, answers at once, appends to the app's inbox; a consumer that drains
 * the inbox (records fetched, batched) and emits. When each record was emitted (wall time) is kept.
 */
export class WebhookReceiver {
  readonly key: string = randomBytes(48).toString('base64');
  readonly emitted: EventItem[] = [];
  /** Resource id (lower case) -> process.hrtime of its first emission. */
  readonly emittedAt = new Map<string, bigint>();
  private readonly webhookKey = new WebhookKey(this.key);
  /** The app's inbox, which the catch-up sweep adds to. */
  readonly inboxName = this.webhookKey.inboxName();
  private readonly server: Server;
  private readonly inbox: EventInbox;
  private readonly consumer: EventConsumer;
  private draining: Promise<void> = Promise.resolve();
  private waiters = new Map<string, () => void>();
  url = '';

  constructor(store: EventStore, clock: ManualClock, reader: RecordReader) {
    const inbox = this.inboxName;
    this.inbox = new EventInbox({ store, inbox, clock });
    this.consumer = new EventConsumer({ store, inbox, consumer: 'bench:webhook', clock, fetch: { reader } });
    this.server = createServer((req, res) => void this.receive(req, res));
  }

  /** Listens, opens the consumer, and sets the app's webhook at the simulator (its intent-to-receive check must pass). */
  async start(sim: Simulator): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/xero-events`;
    await this.consumer.open();
    const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: this.url, key: this.key });
    if (webhook.status !== 'on')
      throw new Error(`the simulator's intent-to-receive check did not pass on ${this.url}: ${JSON.stringify(webhook.intentToReceive)}`);
  }

  /** Resolves once the record has been emitted (at once if it already was). */
  emittedFor(resourceId: string): Promise<void> {
    if (this.emittedAt.has(resourceId)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(resourceId, resolve));
  }

  /** What was appended (a catch-up sweep's changes included) is emitted. */
  drain(): Promise<void> {
    this.draining = this.draining.then(async () => {
      await drainConsumer(this.consumer, (items) => {
        const at = process.hrtime.bigint();
        for (const item of items) {
          this.emitted.push(item);
          const id = item.event.resourceId.toLowerCase();
          if (!this.emittedAt.has(id)) this.emittedAt.set(id, at);
          this.waiters.get(id)?.();
          this.waiters.delete(id);
        }
      });
    });
    return this.draining;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBodyCapped(req);
    if (!('bytes' in body)) {
      res.writeHead(413).end();
      return;
    }
    const verdict = verifyWebhook({ body: body.bytes, signature: req.headers[XERO_SIGNATURE_HEADER], key: this.webhookKey });
    res.writeHead(verdict.status).end();
    if (verdict.status !== 200 || !verdict.delivery || verdict.delivery.events.length === 0) return;
    await this.inbox.append(verdict.delivery);
    await this.drain();
  }
}

/**
 * The delay a change waits for the next poll, averaged over a day with changes at uniformly random
 * moments: a change falls in a gap of length g with probability g/span and waits g/2 on average,
 * so the mean is the sum of g^2/2 over the sum of g. The gaps are the poll times the core chose.
 */
export function expectedPollDelayMs(pollTimes: readonly number[], dayEnd: number): number {
  const times = [...pollTimes, dayEnd].sort((a, b) => a - b);
  let sumSquares = 0;
  let span = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    sumSquares += gap * gap;
    span += gap;
  }
  return span === 0 ? 0 : sumSquares / (2 * span);
}
