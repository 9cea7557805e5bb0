import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { DAY, HOUR, MINUTE, SECOND, ManualClock } from '../../../src/clock';
import { WebhookKey, XERO_SIGNATURE_HEADER, eventTime, parseDelivery, type XeroEvent } from '../../../src/events';
import {
  DEMO_CLIENT_ID,
  DEMO_PKCE_CLIENT_ID,
  DEMO_TENANT_ID,
  SECOND_TENANT_ID,
  startSimulator,
  type Simulator,
  type SimulatorSeedSummary,
  type SimulatorWebhookView,
} from '../../../src/simulator';
import { ACCOUNTING_SCOPES, START, xero, type Envelope, type WireContact, type WireInvoice } from './accounting-helpers';
import { admin, type AdminRefusal } from './helpers';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * The simulator sends webhooks as Xero does (issue 26, item 4), to a real receiver on a real port
 * that checks each signature with the events core over the bytes it received.
 */
const KEY = 'rehearsal-webhook-key-CANARY-7f3a9c2e';
const LINE = { Description: 'Work', Quantity: 1, UnitAmount: 200, AccountCode: '200' };
const WIRE_DATE = /^\/Date\((\d+)\+0000\)\/$/;

let sim: Simulator;
let clock: ManualClock;
let token: string;
let receiver: WebhookReceiver;

beforeEach(async () => {
  clock = new ManualClock(START);
  sim = await startSimulator({ clock });
  token = sim.seedGrant({ scopes: ACCOUNTING_SCOPES }).access_token;
  receiver = await WebhookReceiver.start(KEY);
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

const api = <T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => xero<T>(sim, token, method, path, body, headers);
const events = (): XeroEvent[] => receiver.deliveries().flatMap((d) => d.json.events);
const updatedAt = (record: { UpdatedDateUTC: string }): number => Number(WIRE_DATE.exec(record.UpdatedDateUTC)?.[1]);
type Invoices = Envelope<'Invoices', WireInvoice>;

async function listen(categories?: string[]): Promise<void> {
  const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: receiver.url, key: KEY, categories });
  expect(webhook.status).toBe('on');
  receiver.received.length = 0;
}

async function contact(name: string): Promise<WireContact> {
  return (await api<Envelope<'Contacts', WireContact>>('PUT', 'Contacts', { Name: name })).json.Contacts[0];
}

describe('intent to receive', () => {
  it('sends a correctly and a wrongly signed empty delivery in Xero documented form, and turns the webhook on when they get 200 and 401', async () => {
    const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: receiver.url, key: KEY });
    expect(webhook).toMatchObject({ status: 'on', intentToReceive: { passed: true }, categories: ['CONTACT', 'INVOICE', 'CREDITNOTE'] });
    expect(webhook.intentToReceive?.checks).toEqual([
      { signature: 'correct', expected: 200, status: 200 },
      { signature: 'wrong', expected: 401, status: 401 },
    ]);
    expect(receiver.received.map((r) => r.answered)).toEqual([200, 401]);
    for (const probe of receiver.received) {
      expect(probe.bytes.toString('utf8')).toMatch(/^\{"events":\[\],"firstEventSequence":0,"lastEventSequence":0,"entropy":"[A-Z]{20}"\}$/);
      expect(probe.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    const [correct, wrong] = receiver.received;
    expect(correct?.headers[XERO_SIGNATURE_HEADER]).toBe(new WebhookKey(KEY).sign(correct?.bytes ?? ''));
    expect(wrong?.headers[XERO_SIGNATURE_HEADER]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(wrong?.headers[XERO_SIGNATURE_HEADER]).not.toBe(new WebhookKey(KEY).sign(wrong?.bytes ?? ''));
  });

  it('fails on a receiver that answers 200 to anything, and such a webhook sends no events', async () => {
    receiver.mode = 200;
    const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: receiver.url, key: KEY });
    expect(webhook).toMatchObject({ status: 'unverified', intentToReceive: { passed: false } });
    expect(webhook.intentToReceive?.checks[1]).toEqual({ signature: 'wrong', expected: 401, status: 200 });
    await contact('Unheard Ltd');
    await sim.webhooks.deliverDue();
    expect(receiver.deliveries()).toEqual([]);
    receiver.mode = 'verify';
    expect((await sim.webhooks.intentToReceive(DEMO_CLIENT_ID)).status).toBe('on');
  });

  it('fails when nothing answers, naming why', async () => {
    const closed = receiver.url;
    await receiver.close();
    const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: closed, key: KEY });
    expect(webhook.status).toBe('unverified');
    expect(webhook.intentToReceive?.checks[0]).toEqual({ signature: 'correct', expected: 200, status: null, error: expect.stringContaining('ECONNREFUSED') });
    receiver = await WebhookReceiver.start(KEY);
  });
});

describe('deliveries', () => {
  it('signs the exact bytes it sends, in Xero form, with eventDateUtc equal to the new UpdatedDateUTC', async () => {
    await listen();
    const created = await contact('Kauri Legal');
    await sim.webhooks.deliverDue();
    const [delivery] = receiver.deliveries();
    expect(delivery?.answered).toBe(200);
    expect(delivery?.headers[XERO_SIGNATURE_HEADER]).toBe(new WebhookKey(KEY).sign(delivery?.bytes ?? ''));
    const text = delivery?.bytes.toString('utf8') ?? '';
    expect(text).toBe(
      JSON.stringify({
        events: [
          {
            resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${created.ContactID}`,
            resourceId: created.ContactID,
            tenantId: DEMO_TENANT_ID,
            tenantType: 'ORGANISATION',
            eventCategory: 'CONTACT',
            eventType: 'CREATE',
            eventDateUtc: new Date(START).toISOString().slice(0, 23),
          },
        ],
        firstEventSequence: 1,
        lastEventSequence: 1,
        entropy: delivery?.json.entropy,
      }),
    );
    expect(delivery?.json.entropy).toMatch(/^[A-Z]{20}$/);
    expect(eventTime(delivery?.json.events[0].eventDateUtc)).toBe(updatedAt(created));
    const parsed = parseDelivery(delivery?.bytes ?? '');
    expect(parsed).toMatchObject({ ok: true, problems: [] });
  });

  it('answers the API call without waiting for the receiver: the delivery is queued and sent after it', async () => {
    await sim.close();
    sim = await startSimulator({ clock, webhookTimeoutMs: 10 * MINUTE });
    token = sim.seedGrant({ scopes: ACCOUNTING_SCOPES }).access_token;
    await listen();
    receiver.mode = 'hang';
    // The receiver holds the delivery for as long as the test likes: were the answer waiting on it, this call would never return.
    const created = await contact('Totara Builders');
    expect(created.Name).toBe('Totara Builders');
    await receiver.untilReceived(1);
    expect(receiver.received[0]?.answered).toBe('held');
    receiver.release();
    await sim.webhooks.deliverDue();
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ deliveries: 1, deliveredEvents: 1, queuedEvents: 0 });
  });

  it('follows an invoice through create, approval, payment and a credit note allocation, UpdatedDateUTC moving each time', async () => {
    await listen();
    const { ContactID } = await contact('Harbour Dental');
    const read = async (): Promise<WireInvoice> => (await api<Invoices>('GET', `Invoices/${invoice.InvoiceID}`)).json.Invoices[0];
    clock.advance(SECOND);
    const invoice = (await api<Invoices>('PUT', 'Invoices', { Type: 'ACCREC', Contact: { ContactID }, LineItems: [LINE, LINE] })).json.Invoices[0];
    clock.advance(SECOND);
    await api('POST', `Invoices/${invoice.InvoiceID}`, { Status: 'AUTHORISED' });
    const approved = await read();
    clock.advance(SECOND);
    // Half paid, and the other half credited: the credit note has one of the invoice's two lines.
    await api('PUT', 'Payments', { Invoice: { InvoiceID: invoice.InvoiceID }, Account: { Code: '090' }, Amount: approved.Total / 2 });
    const partPaid = await read();
    clock.advance(SECOND);
    const credit = (
      await api<Envelope<'CreditNotes', { CreditNoteID: string; Total: number }>>('PUT', 'CreditNotes', {
        Type: 'ACCRECCREDIT',
        Contact: { ContactID },
        Status: 'AUTHORISED',
        LineItems: [LINE],
      })
    ).json.CreditNotes[0];
    clock.advance(SECOND);
    await api('PUT', `CreditNotes/${credit.CreditNoteID}/Allocations`, { Allocations: [{ Invoice: { InvoiceID: invoice.InvoiceID }, Amount: credit.Total }] });
    const settled = await read();
    await sim.webhooks.deliverDue();

    expect(settled.Status).toBe('PAID');
    const times = [invoice, approved, partPaid, settled].map(updatedAt);
    expect(new Set(times).size).toBe(4);
    expect(events().map((e) => [e.eventCategory, e.eventType, e.resourceId, eventTime(e.eventDateUtc)])).toEqual([
      ['CONTACT', 'CREATE', ContactID, START],
      ['INVOICE', 'CREATE', invoice.InvoiceID, times[0]],
      ['INVOICE', 'UPDATE', invoice.InvoiceID, times[1]],
      ['INVOICE', 'UPDATE', invoice.InvoiceID, times[2]],
      ['CREDITNOTE', 'CREATE', credit.CreditNoteID, START + 4 * SECOND],
      ['INVOICE', 'UPDATE', invoice.InvoiceID, times[3]],
      ['CREDITNOTE', 'UPDATE', credit.CreditNoteID, START + 5 * SECOND],
    ]);
    const notes = events().filter((e) => e.eventCategory === 'CREDITNOTE');
    expect(notes.map((e) => e.data)).toEqual([
      { Type: 'ACCRECCREDIT', Status: 'AUTHORISED' },
      { Type: 'ACCRECCREDIT', Status: 'PAID' },
    ]);
    expect(
      events()
        .filter((e) => e.eventCategory !== 'CREDITNOTE')
        .every((e) => !('data' in e)),
    ).toBe(true);
    const sequences = receiver.deliveries().flatMap((d) => [d.json.firstEventSequence, d.json.lastEventSequence]);
    expect(sequences[0]).toBe(1);
    expect(sequences[sequences.length - 1]).toBe(7);
    // What a modified-since read sees agrees with the events: the invoice is read again after each change.
    const since = (ms: number) => api<Invoices>('GET', 'Invoices', undefined, { 'If-Modified-Since': new Date(ms).toISOString().slice(0, 19) });
    expect((await since(times[2] - 1)).json.Invoices.map((i) => i.InvoiceID)).toEqual([invoice.InvoiceID]);
  });

  it('moves UpdatedDateUTC and sends an UPDATE on every other change path of a contact or invoice', async () => {
    await listen();
    const kauri = await contact('Kauri Legal');
    const { ContactID } = await contact('Email Me Ltd');
    await api('POST', `Contacts/${ContactID}`, { EmailAddress: 'accounts@email-me.example' });
    const invoice = (await api<Invoices>('PUT', 'Invoices', { Type: 'ACCREC', Contact: { ContactID }, Status: 'AUTHORISED', LineItems: [LINE] })).json
      .Invoices[0];
    const group = (await api<Envelope<'ContactGroups', { ContactGroupID: string }>>('PUT', 'ContactGroups', { ContactGroups: [{ Name: 'VIP' }] })).json
      .ContactGroups[0];
    await sim.webhooks.deliverDue();
    receiver.received.length = 0;

    const paths: Array<[string, () => Promise<unknown>, string, string]> = [
      ['archive a contact', () => api('POST', `Contacts/${kauri.ContactID}`, { ContactStatus: 'ARCHIVED' }), 'CONTACT', kauri.ContactID],
      ['add a contact to a group', () => api('PUT', `ContactGroups/${group.ContactGroupID}/Contacts`, { Contacts: [{ ContactID }] }), 'CONTACT', ContactID],
      ['remove it from the group', () => api('DELETE', `ContactGroups/${group.ContactGroupID}/Contacts/${ContactID}`), 'CONTACT', ContactID],
      [
        'attach a file to a contact',
        () => api('PUT', `Contacts/${ContactID}/Attachments/a.txt`, Buffer.from('a'), { 'content-type': 'text/plain' }),
        'CONTACT',
        ContactID,
      ],
      ['email an invoice', () => api('POST', `Invoices/${invoice.InvoiceID}/Email`, {}), 'INVOICE', invoice.InvoiceID],
      [
        'attach a file to an invoice',
        () => api('PUT', `Invoices/${invoice.InvoiceID}/Attachments/b.txt`, Buffer.from('b'), { 'content-type': 'text/plain' }),
        'INVOICE',
        invoice.InvoiceID,
      ],
      ['void an invoice', () => api('POST', `Invoices/${invoice.InvoiceID}`, { Status: 'VOIDED' }), 'INVOICE', invoice.InvoiceID],
    ];
    for (const [what, change, category, id] of paths) {
      clock.advance(MINUTE);
      const before = receiver.deliveries().length;
      const answer = (await change()) as { status: number };
      expect([what, answer.status < 300]).toEqual([what, true]);
      await sim.webhooks.deliverDue();
      const sent = receiver
        .deliveries()
        .slice(before)
        .flatMap((d) => d.json.events);
      expect([what, sent.map((e) => [e.eventCategory, e.eventType, e.resourceId, eventTime(e.eventDateUtc)])]).toEqual([
        what,
        [[category, 'UPDATE', id, clock.now()]],
      ]);
      const record = (await api<Partial<Envelope<'Contacts', WireContact> & Invoices>>('GET', `${category === 'CONTACT' ? 'Contacts' : 'Invoices'}/${id}`))
        .json;
      expect([what, updatedAt((record.Contacts ?? record.Invoices)![0])]).toEqual([what, clock.now()]);
    }
  });

  it('sends a contact Xero creates by name inside an invoice, and nothing for a call that changes nothing', async () => {
    await listen();
    await api('PUT', 'Invoices', { Type: 'ACCPAY', Contact: { Name: 'New Supplier Ltd' }, LineItems: [LINE] });
    await api('GET', 'Invoices');
    await api('PUT', 'Invoices', { Type: 'ACCREC' });
    await sim.webhooks.deliverDue();
    expect(events().map((e) => [e.eventCategory, e.eventType])).toEqual([
      ['CONTACT', 'CREATE'],
      ['INVOICE', 'CREATE'],
    ]);
    expect(receiver.deliveries()).toHaveLength(1);
  });

  it('sends seeded records too, in batches of at most 100 with sequence numbers running on', async () => {
    await listen();
    const seeded = await admin<SimulatorSeedSummary>(sim, 'POST', '/accounting/seed', { tenantId: DEMO_TENANT_ID, contacts: 20, invoices: 150, seed: 3 });
    expect(seeded.status).toBe(200);
    await sim.webhooks.deliverDue();
    const deliveries = receiver.deliveries();
    expect(deliveries.every((d) => d.json.events.length <= 100)).toBe(true);
    expect(deliveries.map((d) => d.json.firstEventSequence)).toEqual(deliveries.map((_d, i) => i * 100 + 1));
    const all = events();
    expect(deliveries[deliveries.length - 1]?.json.lastEventSequence).toBe(all.length);
    expect(all.filter((e) => e.eventCategory === 'CONTACT' && e.eventType === 'CREATE')).toHaveLength(20);
    expect(all.filter((e) => e.eventCategory === 'INVOICE' && e.eventType === 'CREATE')).toHaveLength(seeded.json.invoices);
    // A paid invoice's payment is an UPDATE of the invoice, stamped when it was paid.
    expect(all.filter((e) => e.eventCategory === 'INVOICE' && e.eventType === 'UPDATE').length).toBe(seeded.json.payments);
  });

  it('sends an app only the organisations it is connected to, and only the categories it chose', async () => {
    await listen(['INVOICE']);
    const other = sim.seedGrant({ scopes: ACCOUNTING_SCOPES, email: 'other@xero-guard.test', clientId: DEMO_PKCE_CLIENT_ID, tenants: [SECOND_TENANT_ID] });
    await xero(sim, other.access_token, 'PUT', 'Contacts', { Name: 'Elsewhere' }, {}, SECOND_TENANT_ID);
    await xero(sim, other.access_token, 'PUT', 'Invoices', { Type: 'ACCREC', Contact: { Name: 'Elsewhere' }, LineItems: [LINE] }, {}, SECOND_TENANT_ID);
    await contact('Not an invoice');
    await sim.webhooks.deliverDue();
    expect(receiver.deliveries()).toEqual([]);
    await api('PUT', 'Invoices', { Type: 'ACCREC', Contact: { Name: 'Not an invoice' }, LineItems: [LINE] });
    await sim.webhooks.deliverDue();
    expect(events().map((e) => e.eventCategory)).toEqual(['INVOICE']);
  });

  it('matches Xero WebhookEvent and CreditNoteWebhookEvent schemas (openapi/xero-webhooks.yaml)', async () => {
    await listen();
    await api('PUT', 'CreditNotes', { Type: 'ACCPAYCREDIT', Contact: { Name: 'Supplier' }, LineItems: [LINE] });
    await api('PUT', 'Invoices', { Type: 'ACCPAY', Contact: { Name: 'Supplier' }, LineItems: [LINE] });
    await sim.webhooks.deliverDue();
    const doc = parse(readFileSync(join(__dirname, '..', '..', '..', 'openapi', 'xero-webhooks.yaml'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // Xero writes eventDateUtc without a zone (its own examples), which RFC 3339 date-time refuses.
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    ajv.addSchema({ $id: 'webhooks', components: doc.components });
    const plain = ajv.getSchema('webhooks#/components/schemas/WebhookEvent');
    const creditNotes = ajv.getSchema('webhooks#/components/schemas/CreditNoteWebhookEvent');
    const itemKeys = Object.keys(doc.components.schemas.WebhookEvent.properties.events.items.properties);
    for (const delivery of receiver.deliveries()) {
      expect(plain?.(delivery.json) ? [] : plain?.errors).toEqual([]);
      for (const event of delivery.json.events) {
        expect(Object.keys(event).filter((k) => !itemKeys.includes(k) && k !== 'data')).toEqual([]);
        if (event.eventCategory !== 'CREDITNOTE') continue;
        const alone = { ...delivery.json, events: [event] };
        expect(creditNotes?.(alone) ? [] : creditNotes?.errors).toEqual([]);
      }
    }
  });
});

describe('failed deliveries', () => {
  it('retries the same signed bytes on the simulator clock, less and less often, and delivers once the receiver is back', async () => {
    await listen();
    receiver.mode = 503;
    await contact('Retry Me');
    await sim.webhooks.deliverDue();
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({
      failedAttempts: 1,
      queuedEvents: 1,
      lastError: 'answered 503, not 200',
      nextAttemptAt: new Date(START + MINUTE).toISOString(),
    });
    clock.advance(MINUTE - SECOND);
    expect(await sim.webhooks.deliverDue()).toEqual({ attempts: 0, delivered: 0, failed: 0 });
    clock.advance(SECOND);
    expect(await sim.webhooks.deliverDue()).toEqual({ attempts: 1, delivered: 0, failed: 1 });
    expect(sim.webhooks.view(DEMO_CLIENT_ID).nextAttemptAt).toBe(new Date(START + 6 * MINUTE).toISOString());
    await contact('Waits Behind');
    receiver.mode = 'verify';
    clock.advance(5 * MINUTE);
    expect(await sim.webhooks.deliverDue()).toEqual({ attempts: 2, delivered: 2, failed: 0 });
    const attempts = receiver.received.slice(0, 3);
    expect(new Set(attempts.map((a) => a.bytes.toString('hex'))).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers[XERO_SIGNATURE_HEADER])).size).toBe(1);
    expect(attempts.map((a) => a.answered)).toEqual([503, 503, 200]);
    expect(
      receiver
        .deliveries()
        .filter((d) => d.answered === 200)
        .map((d) => [d.json.firstEventSequence, d.json.events[0].resourceId]),
    ).toEqual([
      [1, expect.any(String)],
      [2, expect.any(String)],
    ]);
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ failingSince: null, nextAttemptAt: null, deliveries: 2, queuedEvents: 0 });
  });

  it('switches the webhook off after 24 hours of failures, drops what waited, and the intent-to-receive check turns it back on', async () => {
    await listen();
    const closedUrl = receiver.url;
    receiver.mode = 500;
    await contact('Lost One');
    await sim.webhooks.deliverDue();
    let schedule = 0;
    while (sim.webhooks.view(DEMO_CLIENT_ID).status === 'on') {
      const next = Date.parse(sim.webhooks.view(DEMO_CLIENT_ID).nextAttemptAt ?? '');
      clock.set(next);
      await sim.webhooks.deliverDue();
      schedule++;
    }
    const off = sim.webhooks.view(DEMO_CLIENT_ID);
    expect(off).toMatchObject({ status: 'off', droppedEvents: 1, queuedEvents: 0, switchedOffAt: new Date(START + DAY).toISOString() });
    // 1, 5, 15, 30 minutes, 1, 2, 4, 8, 8 hours, then the last at 24 hours.
    expect(schedule).toBe(10);
    expect(off.failedAttempts).toBe(11);
    token = sim.seedGrant({ scopes: ACCOUNTING_SCOPES }).access_token;
    await contact('While Off');
    await sim.webhooks.deliverDue();
    expect(receiver.deliveries().filter((d) => d.answered === 200)).toEqual([]);

    receiver.mode = 'verify';
    const answer = await admin(sim, 'POST', '/webhooks/intent-to-receive', { clientId: DEMO_CLIENT_ID });
    expect(answer.json).toMatchObject({ status: 'on', url: closedUrl, switchedOffAt: null });
    const back = await contact('Back On');
    await sim.webhooks.deliverDue();
    const delivered = receiver.deliveries().filter((d) => d.answered === 200);
    expect(delivered.map((d) => d.json.events.map((e) => e.resourceId))).toEqual([[back.ContactID]]);
    // The sequence runs on past what was dropped, as Xero's does.
    expect(delivered[0]?.json.firstEventSequence).toBe(2);
  });

  it('holds deliveries back while held and sends them in order when released; switch-off drops them', async () => {
    await listen();
    sim.webhooks.hold(DEMO_CLIENT_ID, true);
    await contact('Held One');
    await contact('Held Two');
    clock.advance(HOUR);
    token = sim.seedGrant({ scopes: ACCOUNTING_SCOPES }).access_token;
    expect(await sim.webhooks.deliverDue()).toEqual({ attempts: 0, delivered: 0, failed: 0 });
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ held: true, queuedEvents: 2, failedAttempts: 0 });
    expect((await admin<SimulatorWebhookView>(sim, 'POST', '/webhooks/hold', { clientId: DEMO_CLIENT_ID, hold: false })).json.held).toBe(false);
    await sim.webhooks.deliverDue();
    expect(events().map((e) => e.eventCategory)).toEqual(['CONTACT', 'CONTACT']);
    sim.webhooks.hold(DEMO_CLIENT_ID, true);
    await contact('Dropped');
    expect((await admin(sim, 'POST', '/webhooks/switch-off', { clientId: DEMO_CLIENT_ID })).json).toMatchObject({ status: 'off', droppedEvents: 1 });
  });
});

describe('admin API', () => {
  it('sets a webhook with a generated key shown once, lists it without the key, and logs no key', async () => {
    const set = await admin<SimulatorWebhookView & { key: string }>(sim, 'POST', '/webhooks', {
      clientId: DEMO_CLIENT_ID,
      url: receiver.url,
      categories: ['CONTACT'],
    });
    expect(set.status).toBe(200);
    const key = set.json.key;
    expect(Buffer.from(key, 'base64')).toHaveLength(64);
    // The receiver knew another key, so the probe failed: a generated key has to be copied to the receiver first.
    expect(set.json.status).toBe('unverified');
    const listed = await admin(sim, 'GET', '/webhooks');
    expect(listed.json).toEqual([expect.objectContaining({ clientId: DEMO_CLIENT_ID, categories: ['CONTACT'], status: 'unverified' })]);
    expect(listed.text).not.toContain(key);

    await admin(sim, 'POST', '/webhooks', { clientId: DEMO_CLIENT_ID, url: receiver.url, key: KEY });
    await contact('Logged');
    // The delivery may have gone out already (it is queued as the call is answered): the route answers what it sent itself.
    expect((await admin(sim, 'POST', '/webhooks/deliver', {})).json).toEqual({ attempts: expect.any(Number), delivered: expect.any(Number), failed: 0 });
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ deliveries: 1, queuedEvents: 0 });
    const log = await admin<Array<{ kind: string; status: number | 'error' }>>(sim, 'GET', `/webhooks/log?clientId=${DEMO_CLIENT_ID}`);
    expect(log.json.map((e) => [e.kind, e.status])).toEqual([
      ['intent-to-receive', 401],
      ['intent-to-receive', 401],
      ['intent-to-receive', 200],
      ['intent-to-receive', 401],
      ['delivery', 200],
    ]);
    for (const path of ['/log', '/webhooks', '/webhooks/log', '/stats']) {
      const text = (await admin(sim, 'GET', path)).text;
      expect([path, text.includes(KEY) || text.includes('CANARY') || text.includes(key)]).toEqual([path, false]);
    }
    expect(JSON.stringify(sim.log())).not.toContain('CANARY');
    expect((await admin(sim, 'DELETE', `/webhooks/${DEMO_CLIENT_ID}`)).status).toBe(200);
    expect((await admin(sim, 'GET', '/webhooks')).json).toEqual([]);
  });

  it('refuses bad input naming the field', async () => {
    const bad = async (body: unknown) => (await admin<AdminRefusal>(sim, 'POST', '/webhooks', body)).json;
    expect(await bad({ clientId: 'nobody', url: receiver.url })).toEqual({ error: 'clientId: no client nobody', field: 'clientId' });
    expect((await bad({ clientId: DEMO_CLIENT_ID, url: 'ftp://x' })).field).toBe('url');
    expect((await bad({ clientId: DEMO_CLIENT_ID, url: 'not a url' })).field).toBe('url');
    expect((await bad({ clientId: DEMO_CLIENT_ID, url: receiver.url, categories: ['PAYMENT'] })).error).toBe(
      'categories: must name some of CONTACT, INVOICE, CREDITNOTE (not PAYMENT)',
    );
    expect((await bad({ clientId: DEMO_CLIENT_ID, url: receiver.url, secret: 'x' })).field).toBe('secret');
    expect((await admin<AdminRefusal>(sim, 'POST', '/webhooks/intent-to-receive', { clientId: DEMO_CLIENT_ID })).json.field).toBe('clientId');
    expect((await admin<AdminRefusal>(sim, 'POST', '/webhooks/hold', { clientId: DEMO_CLIENT_ID })).json.field).toBe('hold');
  });
});
