/**
 * The Xero Guard Trigger's pure parts: what its parameters mean (and the first thing wrong with
 * them), how a delivery is answered before anything reads it, the items an execution receives,
 * and the node's description (both modes, the webhook path, no secret in a parameter).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookKey } from '../../../src/events';
import { eventItem, changeItem } from '../../../nodes/XeroGuardTrigger/items';
import { judgeDelivery, inboxOf } from '../../../nodes/XeroGuardTrigger/receive';
import { consumerIdOf, readTriggerSettings } from '../../../nodes/XeroGuardTrigger/settings';
import { XeroGuardTrigger, WEBHOOK_PATH } from '../../../nodes/XeroGuardTrigger/XeroGuardTrigger.node';
import { XeroGuardOAuth2Api } from '../../../credentials/XeroGuardOAuth2Api.credentials';
import { secretsOf } from '../../../nodes/shared/safe-error';
import { failureOfError } from '../../../nodes/shared/failure';

const TENANT = 'a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e';
const KEY = 'canary-key-0123456789';

const reader =
  (params: Record<string, unknown>) =>
  (name: string, fallback: unknown): unknown =>
    name in params ? params[name] : fallback;

describe('trigger settings', () => {
  test('webhook mode by default: every category and type, records fetched, hourly catch-up', () => {
    expect(readTriggerSettings(reader({}))).toEqual({
      mode: 'webhook',
      organisations: [],
      filter: { categories: ['CONTACT', 'INVOICE', 'CREDITNOTE'], eventTypes: ['CREATE', 'UPDATE'], direction: 'both' },
      fetch: true,
      catchUpMinutes: 60,
    });
  });

  test('filters: organisations, categories, types and direction; catch-up off with 0', () => {
    const s = readTriggerSettings(
      reader({ organisations: [TENANT], categories: ['INVOICE'], eventTypes: ['CREATE'], invoiceDirection: 'sales', catchUpMinutes: 0 }),
    );
    expect(s).toMatchObject({
      mode: 'webhook',
      filter: { categories: ['INVOICE'], eventTypes: ['CREATE'], tenantIds: [TENANT], direction: 'sales' },
      catchUpMinutes: 0,
    });
  });

  test('sales or bills only needs the records; an organisation must be a tenant id', () => {
    expect(() => readTriggerSettings(reader({ invoiceDirection: 'purchases', fetchRecords: false }))).toThrow(/Fetch Records/);
    expect(() => readTriggerSettings(reader({ organisations: ['Acme Ltd'] }))).toThrow(/"Acme Ltd" is not a tenant id/);
    expect(() => readTriggerSettings(reader({ categories: [] }))).toThrow(/Categories/);
  });

  test('polling: resources and named events, interval and ceiling in minutes, with their rules', () => {
    const s = readTriggerSettings(
      reader({ mode: 'poll', watch: ['bills', 'invoice_paid'], intervalMinutes: 5, ceilingMinutes: 40, backfillFrom: '2026-01-01' }),
    );
    expect(s).toEqual({
      mode: 'poll',
      organisations: [],
      watches: ['bills'],
      named: ['invoice_paid'],
      intervalMs: 5 * 60_000,
      ceilingMs: 40 * 60_000,
      backfillFrom: '2026-01-01',
      timeZone: '',
      dueInDays: 0,
    });
    expect(() => readTriggerSettings(reader({ mode: 'poll', watch: [] }))).toThrow(/Watch/);
    expect(() => readTriggerSettings(reader({ mode: 'poll', watch: ['receipts'] }))).toThrow(/"receipts" cannot be polled/);
    expect(() => readTriggerSettings(reader({ mode: 'poll', intervalMinutes: 30, ceilingMinutes: 10 }))).toThrow(/Slow Down To/);
    // A settings error is n8n's configuration-invalid.
    let error: unknown;
    try {
      readTriggerSettings(reader({ mode: 'poll', watch: [] }));
    } catch (e) {
      error = e;
    }
    expect(failureOfError(error)).toEqual({ cause: 'configuration-invalid' });
  });

  test('the consumer id is one per workflow and node', () => {
    expect(consumerIdOf('wf1', 'node-a')).toBe('n8n:wf1:node-a');
    expect(consumerIdOf('wf1', 'node-a')).not.toBe(consumerIdOf('wf2', 'node-a'));
  });
});

describe('answering a delivery', () => {
  const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'ABCDEFGHIJKLMNOPQRST' });
  const request = (over: Partial<Parameters<typeof judgeDelivery>[0]>) =>
    judgeDelivery({
      mode: 'webhook',
      contentLength: String(body.length),
      body: Buffer.from(body),
      signature: new WebhookKey(KEY).sign(body),
      keyText: KEY,
      ...over,
    });

  test('a correctly signed probe gets 200; a wrong, missing or repeated signature 401', () => {
    expect(request({})).toMatchObject({ status: 200 });
    expect(request({ signature: new WebhookKey('other').sign(body) })).toMatchObject({ status: 401, delivery: null });
    expect(request({ signature: undefined })).toMatchObject({ status: 401 });
    expect(request({ signature: [new WebhookKey(KEY).sign(body), new WebhookKey(KEY).sign(body)] })).toMatchObject({ status: 401 });
  });

  test('over the cap by Content-Length: 413 before the body is looked at', () => {
    expect(request({ contentLength: String(2 * 1024 * 1024), body: null })).toMatchObject({ status: 413 });
  });

  test('no key in the credential: 401 and a problem that says where the key goes, without any key', () => {
    const verdict = request({ keyText: '  ' });
    expect(verdict.status).toBe(401);
    expect(verdict.problems.join(' ')).toMatch(/Webhook Key field/);
  });

  test('a polling trigger answers 404 to anything', () => {
    expect(request({ mode: 'poll' })).toMatchObject({ status: 404 });
  });

  test("the inbox is the app's keyed fingerprint, never the key (the same name Node-RED reads)", () => {
    expect(inboxOf(KEY)).toBe(new WebhookKey(KEY).inboxName());
    expect(inboxOf(` ${KEY}\n`)).toBe(inboxOf(KEY));
    expect(inboxOf(KEY)).not.toContain(KEY);
  });
});

describe('items', () => {
  const event = {
    resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/x',
    resourceId: '0a0b0c0d-1111-4222-8333-444455556666',
    tenantId: TENANT,
    tenantType: 'ORGANISATION',
    eventCategory: 'INVOICE',
    eventType: 'UPDATE',
    eventDateUtc: '2026-04-01T09:00:00.123',
  } as const;

  test('a webhook event: the record with the event beside it and its identity', () => {
    const item = eventItem({
      eventId: 'e1',
      event,
      events: [event],
      source: 'webhook',
      record: { InvoiceID: event.resourceId },
      recordError: null,
      redelivered: false,
    });
    expect(item.json).toMatchObject({
      eventId: 'e1',
      eventCategory: 'INVOICE',
      eventType: 'UPDATE',
      resourceId: event.resourceId,
      record: { InvoiceID: event.resourceId },
      redelivered: false,
      source: 'webhook',
    });
  });

  test('a polled change: the record, what it is and its identity', () => {
    const item = changeItem({
      kind: 'change',
      watch: 'bills',
      tenantId: TENANT,
      recordId: 'r1',
      record: { InvoiceID: 'r1' },
      updatedDateUtc: '2026-04-01T09:00:00.000Z',
      key: 'k1',
      redelivered: true,
    });
    expect(item.json).toEqual({
      eventId: 'k1',
      source: 'poll',
      kind: 'change',
      watch: 'bills',
      tenantId: TENANT,
      recordId: 'r1',
      updatedDateUtc: '2026-04-01T09:00:00.000Z',
      redelivered: true,
      record: { InvoiceID: 'r1' },
    });
  });
});

describe('the node and the credential', () => {
  const node = new XeroGuardTrigger();

  test('one trigger with both ways: a POST webhook at /webhook/<id>/xero-guard, trigger() and poll()', () => {
    expect(node.description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: WEBHOOK_PATH }]);
    expect(node.description.polling).toBe(true);
    expect(typeof node.trigger).toBe('function');
    expect(typeof node.poll).toBe('function');
    expect(node.description.properties.find((p) => p.name === 'mode')?.default).toBe('webhook');
    // No parameter of the workflow takes a key.
    expect(node.description.properties.filter((p) => /key|secret/i.test(p.name))).toEqual([]);
  });

  test('the codex and the light and dark icons exist', () => {
    const root = join(__dirname, '..', '..', '..');
    const codex = JSON.parse(readFileSync(join(root, 'nodes', 'XeroGuardTrigger', 'XeroGuardTrigger.node.json'), 'utf8')) as { node: string };
    expect(codex.node).toBe('n8n-nodes-xero-guard.xeroGuardTrigger');
    expect(node.description.icon).toEqual({ light: 'file:../../icons/xero-guard-events.svg', dark: 'file:../../icons/xero-guard-events.dark.svg' });
  });

  test('the credential keeps the webhook key in one secret field, redacted like its other secrets', () => {
    const field = new XeroGuardOAuth2Api().properties.find((p) => p.name === 'webhookSecret');
    expect(field).toMatchObject({ displayName: 'Webhook Key', type: 'string', typeOptions: { password: true }, default: '' });
    expect(secretsOf({ webhookSecret: ` ${KEY} ` })).toEqual(expect.arrayContaining([KEY]));
  });
});
