/**
 * The Xero Guard Trigger on a real n8n 2.41.1 loading the packed tarball, against the simulator, on
 * one n8n boot (restarted where a check needs it): the simulator's intent-to-receive check passes on
 * the node's production URL; an invoice created through the Xero Guard node starts exactly one execution
 * with the full record; a wrongly signed delivery gets 401 and a replayed one starts nothing; two
 * workflows on the same app each get every event once; the catch-up brings what changed while n8n
 * was down, once; polling emits every change once: a simulated week of about 1,000 changes over 3
 * organisations and 5 resources, 28 polls, n8n restarted twice (XERO_GUARD_E2E_POLL_STEPS and
 * XERO_GUARD_E2E_POLL_CHANGES scale it). The webhook key appears in no execution and no log line.
 */
import { randomUUID } from 'node:crypto';
import { HOUR, MINUTE, type OffsetClock } from '../../../src/clock';
import { updatedAt } from '../../../src/events/resources';
import { ifModifiedSinceHeader } from '../../../src/xero/accounting/dates';
import { WebhookKey, XERO_SIGNATURE_HEADER } from '../../../src/events';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator } from '../../../src/simulator';
import { progress } from '../../../tools/n8n/install';
import { nodeOutput, startN8n, waitFor, type N8nHandle } from '../../../tools/n8n/n8n';
import { n8nClockEnv, removeN8nClock, setN8nClockOffset } from '../../../tools/n8n/clock';
import { webhookInto } from '../../../tools/n8n/workflows';
import {
  CREDENTIAL_TYPE,
  PACKAGE,
  XERO_TRIGGER_NODE,
  xeroTriggerUrl,
  credentialFor,
  startE2eSimulator,
  xeroTriggerWorkflow,
  type XeroTriggerChangeItem,
  type XeroTriggerEventItem,
} from '../../../tools/n8n/xero';
import { e2eTest } from '../harness/diagnostics';

jest.setTimeout(600_000);

const KEY = `canary-webhook-key-${randomUUID()}`;
const THIRD_TENANT_ID = 'c9e1d2f3-0a4b-4c5d-8e6f-7a8b9c0d1e2f';
const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'];
const TRIGGER = XERO_TRIGGER_NODE;

type Cred = { id: string; name: string };
/** The Accounting API's answers, with the fields read here. */
type Invoice = { InvoiceID: string; Total: number };
type Invoices = { Invoices: Invoice[] };
type Contacts = { Contacts: Array<{ ContactID: string }> };
type CreditNotes = { CreditNotes: Array<{ CreditNoteID: string }> };
type ItemRecords = { Items: Array<{ ItemID: string }> };
/** Any record in an Accounting API envelope (`{ Invoices: [...] }`). */
type WireRecord = Record<string, unknown>;

describe('Xero Guard Trigger on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator;
  let clock: OffsetClock;
  let token = '';
  let credential: Cred;
  const clockFile = n8nClockEnv();

  const api = async <T = unknown>(method: string, path: string, body?: unknown, tenantId = DEMO_TENANT_ID): Promise<T> => {
    const res = await fetch(`${sim.apiUrl}/api.xro/2.0/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'xero-tenant-id': tenantId, accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const newInvoice = async (reference: string, tenantId = DEMO_TENANT_ID): Promise<Invoice> =>
    (
      await api<Invoices>(
        'PUT',
        'Invoices',
        {
          Type: 'ACCREC',
          Reference: reference,
          Contact: { Name: 'Kauri Legal' },
          LineItems: [{ Description: 'Advice', Quantity: 1, UnitAmount: 250, AccountCode: '200' }],
        },
        tenantId,
      )
    ).Invoices[0];

  /**
   * An invoice made as a user makes one: a workflow with the Xero Guard node's "Create an invoice" on the
   * trigger's own credential, run once (its contact made first through the API, so the invoice names it by ID).
   */
  const invoiceThroughXeroGuard = async (reference: string): Promise<Invoice> => {
    const contact = (await api<Contacts>('PUT', 'Contacts', { Name: 'Kauri Legal' })).Contacts[0]!;
    const path = `create-invoice-${reference.toLowerCase()}`;
    const workflowId = await n8n!.importWorkflow(
      webhookInto(`create an invoice ${reference}`, path, {
        name: 'Create Invoice',
        type: `${PACKAGE}.xeroGuard`,
        typeVersion: 1,
        parameters: {
          organizationId: { __rl: true, mode: 'id', value: DEMO_TENANT_ID },
          resource: 'invoice',
          operation: 'create',
          type: 'ACCREC',
          contactId: { __rl: true, mode: 'id', value: contact.ContactID },
          lineItemsUi: { lineItemsValues: [{ description: 'Advice', quantity: 1, unitAmount: '250', accountCode: '200' }] },
          additionalFields: { reference },
        },
        credentials: { [CREDENTIAL_TYPE]: credential },
      }),
    );
    await n8n!.activate(workflowId);
    const answer = await n8n!.webhook(path);
    if (answer.status !== 200) throw new Error(`the Xero Guard node's invoice workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    await n8n!.deactivate(workflowId);
    const created = (answer.json as Array<Invoice & { Reference?: string }>)[0];
    expect(created).toMatchObject({ Reference: reference, InvoiceID: expect.any(String) });
    return created!;
  };

  /** Each execution of a workflow as its trigger's items (json), oldest first. */
  const emitted = async <T = XeroTriggerEventItem>(workflowId: string): Promise<T[][]> => {
    const executions = await n8n!.executions({ workflowId });
    return executions.sort((a, b) => Number(a.id) - Number(b.id)).map((e) => nodeOutput(e, TRIGGER).map((item) => item.json)) as unknown as T[][];
  };
  /** A webhook or catch-up trigger's items by default; a polling one's are XeroTriggerChangeItem. */
  const items = async <T = XeroTriggerEventItem>(workflowId: string): Promise<T[]> => (await emitted<T>(workflowId)).flat() as T[];
  const until = <T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> => waitFor(what, check, ms, 300);

  const post = (url: string, body: string, signature: string | null): Promise<number> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { [XERO_SIGNATURE_HEADER]: signature }) },
      body,
    }).then((r) => r.status);

  /** The test's own connection for its Xero calls (not n8n's credential). */
  const bookkeeper = (): string =>
    sim.seedGrant({ scopes: SCOPES, email: 'bookkeeper@xero-guard.test', tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID, THIRD_TENANT_ID] }).access_token;

  beforeAll(async () => {
    ({ sim, clock } = await startE2eSimulator());
    setN8nClockOffset(clockFile, 0);
    const tokens = sim.seedGrant({ scopes: SCOPES, tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID, { tenantId: THIRD_TENANT_ID, name: 'Third Ltd' }] });
    token = bookkeeper();
    n8n = await startN8n({ env: clockFile.env });
    const cred = credentialFor(sim, tokens, { scopes: SCOPES });
    cred.data.webhookSecret = KEY;
    await n8n.importCredentials([cred]);
    credential = { id: cred.id, name: cred.name };
  }, 600_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    removeN8nClock(clockFile);
  }, 120_000);

  const check = e2eTest(() => ({ n8n, sim }));
  const productionUrl = (webhookId: string) => xeroTriggerUrl(n8n!.url, webhookId);

  /**
   * n8n 2.41 activates a workflow after the API has answered (its publication outbox): a trigger
   * is running once its production URL answers as the node does (401 to an unsigned body in webhook
   * mode, an empty 404 in polling mode; n8n adds a workflow's webhooks after its triggers and first
   * poll), and stopped once n8n answers for it instead (after a restart a deactivated workflow's URL
   * says "Published version not found", not "is not registered").
   */
  const registered = async (webhookId: string): Promise<boolean> => {
    const res = await fetch(productionUrl(webhookId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const text = await res.text();
    return res.status === 401 || (res.status === 404 && text.trim() === '');
  };
  const activate = async (w: { id: string; webhookId: string }): Promise<void> => {
    await n8n!.activate(w.id);
    await until(`workflow ${w.id} to be active`, async () => ((await registered(w.webhookId)) ? true : undefined));
  };
  const deactivate = async (w: { id: string; webhookId: string }): Promise<void> => {
    await n8n!.deactivate(w.id);
    await until(`workflow ${w.id} to be inactive`, async () => ((await registered(w.webhookId)) ? undefined : true));
  };

  let receiver: { id: string; url: string; webhookId: string };
  let reader: { id: string; webhookId: string };
  let sweeper: { id: string; webhookId: string };
  /** How far n8n's clock and the simulator's stand ahead of real time. */
  let offset = 0;
  const moveClocks = (ms: number): void => {
    clock.advance(ms);
    offset += ms;
    setN8nClockOffset(clockFile, offset);
    // This test's own access token (30 minutes) is past expiry after a jump: a fresh one for its own calls.
    token = bookkeeper();
  };

  check(
    'the intent-to-receive check passes on the production URL; an invoice starts one execution with its record; a second workflow on the same app gets every event once too',
    async () => {
      const a = xeroTriggerWorkflow('receiver', credential, { mode: 'webhook', catchUpMinutes: 0 });
      const b = xeroTriggerWorkflow('reader', credential, { mode: 'webhook', categories: ['INVOICE'], fetchRecords: false, catchUpMinutes: 0 });
      const c = xeroTriggerWorkflow('sweeper', credential, { mode: 'webhook', categories: ['INVOICE'] });
      receiver = { id: await n8n!.importWorkflow(a.workflow), url: productionUrl(a.webhookId), webhookId: a.webhookId };
      reader = { id: await n8n!.importWorkflow(b.workflow), webhookId: b.webhookId };
      sweeper = { id: await n8n!.importWorkflow(c.workflow), webhookId: c.webhookId };
      await activate(receiver);
      await activate(reader);
      // Hourly catch-up: its first sweep, now, starts its cursors.
      await activate(sweeper);
      // n8n registers the webhook a moment after the activation answers.
      await until('the production URL to be registered', async () => ((await post(receiver.url, '{}', null)) === 401 ? true : undefined));

      const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: receiver.url, key: KEY });
      expect(webhook.intentToReceive?.checks.map((c) => [c.signature, c.status])).toEqual([
        ['correct', 200],
        ['wrong', 401],
      ]);
      expect(webhook.status).toBe('on');
      // The probe (no events) started nothing.
      expect(await n8n!.executions({ workflowId: receiver.id })).toEqual([]);

      const invoice = await invoiceThroughXeroGuard('E2E-1');
      const contact = (await api<Contacts>('PUT', 'Contacts', { Name: 'Totara Builders' })).Contacts[0];
      await sim.webhooks.deliverDue();
      const got = await until('the invoice and the contact at the receiver', async () => {
        const all = await items(receiver.id);
        return all.length >= 3 ? all : undefined;
      });
      // The invoice's create (its new contact's create too), and the contact: each once, with its record.
      const invoiceItems = got.filter((i) => i.resourceId === invoice.InvoiceID);
      expect(invoiceItems).toHaveLength(1);
      expect(invoiceItems[0]).toMatchObject({ eventCategory: 'INVOICE', eventType: 'CREATE', source: 'webhook', redelivered: false, tenantId: DEMO_TENANT_ID });
      expect(invoiceItems[0].record).toMatchObject({
        InvoiceID: invoice.InvoiceID,
        Reference: 'E2E-1',
        Total: invoice.Total,
        Contact: { Name: 'Kauri Legal' },
      });
      expect(got.filter((i) => i.resourceId === contact.ContactID)).toHaveLength(1);
      const invoiceExecutions = (await emitted(receiver.id)).filter((run) => run.some((i) => i.resourceId === invoice.InvoiceID));
      expect(invoiceExecutions).toHaveLength(1);

      // The reader (invoices only, no records) got the same invoice event once, from the same inbox.
      const read = await until('the reader', async () => {
        const all = await items(reader.id);
        return all.length >= 1 ? all : undefined;
      });
      expect(read.map((i) => [i.resourceId, i.eventCategory, i.record])).toEqual([[invoice.InvoiceID, 'INVOICE', null]]);
      expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ failedAttempts: 0 });
    },
  );

  check('a wrongly signed or unsigned delivery gets 401, one over 1 MiB 413, and none starts anything; a replayed delivery starts nothing', async () => {
    const before = (await items(receiver.id)).length;
    const readerBefore = (await items(reader.id)).length;
    // Held back while this test sends its own delivery, byte for byte, twice.
    sim.webhooks.hold(DEMO_CLIENT_ID, true);
    const invoice = await newInvoice('E2E-REPLAY');
    const body = JSON.stringify({
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${invoice.InvoiceID}`,
          resourceId: invoice.InvoiceID,
          tenantId: DEMO_TENANT_ID,
          tenantType: 'ORGANISATION',
          eventCategory: 'INVOICE',
          eventType: 'UPDATE',
          eventDateUtc: '2026-04-01T09:00:00.123',
        },
      ],
      firstEventSequence: 901,
      lastEventSequence: 901,
      entropy: 'ABCDEFGHIJKLMNOPQRST',
    });
    expect(await post(receiver.url, body, new WebhookKey('not-the-key').sign(body))).toBe(401);
    expect(await post(receiver.url, body, null)).toBe(401);
    // Over the 1 MiB cap: refused by its declared size before its signature is computed (n8n itself parses a JSON
    // body before any node runs, so it is JSON here).
    const big = JSON.stringify({ events: [], pad: 'x'.repeat(1024 * 1024) });
    expect(await post(receiver.url, big, new WebhookKey(KEY).sign(big))).toBe(413);
    expect(await post(receiver.url, body, new WebhookKey(KEY).sign(body))).toBe(200);
    expect(await post(receiver.url, body, new WebhookKey(KEY).sign(body))).toBe(200);
    sim.webhooks.hold(DEMO_CLIENT_ID, false);
    // A real change after them, so that every earlier delivery has been read when it arrives.
    const after = await newInvoice('E2E-AFTER');
    await sim.webhooks.deliverDue();
    await until('the change after the attacks', async () => ((await items(reader.id)).some((i) => i.resourceId === after.InvoiceID) ? true : undefined));
    await until('the receiver', async () => ((await items(receiver.id)).some((i) => i.resourceId === after.InvoiceID) ? true : undefined));
    const got = (await items(receiver.id)).slice(before);
    // The signed UPDATE once (the replay is the same event); the held CREATE of E2E-REPLAY was delivered after the hold, once.
    expect(got.filter((i) => i.resourceId === invoice.InvoiceID && i.eventType === 'UPDATE')).toHaveLength(1);
    expect(got.filter((i) => i.resourceId === invoice.InvoiceID && i.eventType === 'CREATE')).toHaveLength(1);
    const readerGot = (await items(reader.id)).slice(readerBefore);
    expect(readerGot.filter((i) => i.resourceId === invoice.InvoiceID && i.eventType === 'UPDATE')).toHaveLength(1);
    // No execution carries the key, and neither does n8n's log.
    const executions = JSON.stringify(await n8n!.executions({}));
    expect(executions).not.toContain(KEY);
    expect(n8n!.currentLog()).not.toContain(KEY);
  });
  check('n8n down for an hour while 20 invoices change, their deliveries lost: after the restart the catch-up emits those 20, once each', async () => {
    await n8n!.stopProcess();
    moveClocks(HOUR);
    const changed = new Set<string>();
    for (let i = 0; i < 20; i++) changed.add((await newInvoice(`DOWN-${i}`)).InvoiceID);
    // As Xero does after a day of failed deliveries: the webhook is switched off and what waited is dropped.
    sim.webhooks.switchOff(DEMO_CLIENT_ID);
    // Past the sweep's 5 minutes of settling, on both clocks.
    moveClocks(10 * MINUTE);
    await n8n!.restart();
    await until('the sweeper to be active again', async () => ((await registered(sweeper.webhookId)) ? true : undefined));
    const swept = await until(
      'the catch-up to emit the 20 invoices',
      async () => {
        const got = (await items(sweeper.id)).filter((i) => changed.has(i.resourceId));
        return got.length >= 20 ? got : undefined;
      },
      120_000,
    );
    expect(new Set(swept.map((i) => i.resourceId))).toEqual(changed);
    expect(swept.every((i) => i.source === 'catch-up' && i.record?.InvoiceID === i.resourceId)).toBe(true);
    // Xero's webhook back on; a change after it arrives through it, and nothing of the 20 comes again.
    expect((await sim.webhooks.intentToReceive(DEMO_CLIENT_ID)).status).toBe('on');
    const after = await newInvoice('AFTER-DOWN');
    await sim.webhooks.deliverDue();
    await until('the change after the restart', async () => ((await items(sweeper.id)).some((i) => i.resourceId === after.InvoiceID) ? true : undefined));
    expect((await items(sweeper.id)).filter((i) => changed.has(i.resourceId))).toHaveLength(20);
    // The other workflows read the same inbox: the 20 once each there too.
    await until('the receiver to read the 20', async () =>
      (await items(receiver.id)).filter((i) => changed.has(i.resourceId)).length >= 20 ? true : undefined,
    );
    expect((await items(receiver.id)).filter((i) => changed.has(i.resourceId))).toHaveLength(20);
  });

  check('polling: a simulated week of changes over 3 organisations and 5 resources, n8n restarted twice, every change emitted once', async () => {
    // The webhook workflows rest; Xero's webhook goes away, so only the poller works.
    for (const w of [receiver, reader, sweeper]) if (w) await deactivate(w);
    if (sim.webhooks.list().length > 0) sim.webhooks.remove(DEMO_CLIENT_ID);
    sim.setRateLimits(false);
    const tenants = [DEMO_TENANT_ID, SECOND_TENANT_ID, THIRD_TENANT_ID];
    // A contact per organisation for the documents, made before the trigger starts (so not a change it reports).
    const contactOf = new Map<string, string>();
    for (const t of tenants) contactOf.set(t, (await api<Contacts>('PUT', 'Contacts', { Name: `Regular ${t.slice(0, 4)}` }, t)).Contacts[0].ContactID);
    const p = xeroTriggerWorkflow('poller', credential, {
      mode: 'poll',
      watch: ['sales_invoices', 'bills', 'contacts', 'credit_notes', 'items'],
      intervalMinutes: 15,
      ceilingMinutes: 15,
    });
    const poller = { id: await n8n!.importWorkflow(p.workflow), webhookId: p.webhookId };
    moveClocks(MINUTE);
    await activate(poller);
    // Changes from here on must come after its first poll has started the cursor: n8n runs that poll after the activation answered.
    await until('the first poll', async () => (n8n!.currentLog().includes('Xero Guard Trigger polled') ? true : undefined));

    /** Every change made: `<record id>:<UpdatedDateUTC ms>`, as Xero answered it. */
    const made = new Set<string>();
    const note = <R extends WireRecord>(record: R, idField: string): R => {
      made.add(`${String(record[idField]).toLowerCase()}:${updatedAt(record)}`);
      return record;
    };
    const docs: Array<{ tenantId: string; path: string; idField: string; id: string }> = [];
    let n = 0;
    const change = async (tenantId: string, kind: number): Promise<void> => {
      n++;
      const contact = { ContactID: contactOf.get(tenantId) };
      const line = [{ Description: `Line ${n}`, Quantity: 1, UnitAmount: 10 + (n % 90), AccountCode: '200' }];
      if (kind === 0)
        docs.push({
          tenantId,
          path: 'Invoices',
          idField: 'InvoiceID',
          id: note((await api<Invoices>('PUT', 'Invoices', { Type: 'ACCREC', Contact: contact, LineItems: line }, tenantId)).Invoices[0], 'InvoiceID')
            .InvoiceID,
        });
      if (kind === 1)
        docs.push({
          tenantId,
          path: 'Invoices',
          idField: 'InvoiceID',
          id: note((await api<Invoices>('PUT', 'Invoices', { Type: 'ACCPAY', Contact: contact, LineItems: line }, tenantId)).Invoices[0], 'InvoiceID')
            .InvoiceID,
        });
      if (kind === 2)
        docs.push({
          tenantId,
          path: 'Contacts',
          idField: 'ContactID',
          id: note((await api<Contacts>('PUT', 'Contacts', { Name: `Customer ${n}` }, tenantId)).Contacts[0], 'ContactID').ContactID,
        });
      if (kind === 3)
        docs.push({
          tenantId,
          path: 'CreditNotes',
          idField: 'CreditNoteID',
          id: note(
            (await api<CreditNotes>('PUT', 'CreditNotes', { Type: 'ACCRECCREDIT', Contact: contact, LineItems: line }, tenantId)).CreditNotes[0],
            'CreditNoteID',
          ).CreditNoteID,
        });
      if (kind === 4)
        docs.push({
          tenantId,
          path: 'Items',
          idField: 'ItemID',
          id: note((await api<ItemRecords>('PUT', 'Items', { Code: `ITEM-${n}`, Name: `Item ${n}` }, tenantId)).Items[0], 'ItemID').ItemID,
        });
    };
    /** An update of an earlier record (each at most once per step: a poll sees only a record's latest version). */
    const update = async (doc: (typeof docs)[number]): Promise<void> => {
      const body = doc.path === 'Items' ? { Name: `Renamed ${n++}` } : doc.path === 'Contacts' ? { Name: `Renamed ${n++}` } : { Reference: `REF-${n++}` };
      const answer = await api<Record<string, WireRecord[]>>('POST', `${doc.path}/${doc.id}`, body, doc.tenantId);
      note(answer[doc.path][0], doc.idField);
    };

    const WATCHED = [
      { path: 'Invoices', idField: 'InvoiceID', query: 'where=Type%3D%3D%22ACCREC%22' },
      { path: 'Invoices', idField: 'InvoiceID', query: 'where=Type%3D%3D%22ACCPAY%22' },
      { path: 'Contacts', idField: 'ContactID', query: 'includeArchived=true' },
      { path: 'CreditNotes', idField: 'CreditNoteID', query: '' },
      { path: 'Items', idField: 'ItemID', query: '' },
    ];
    const changedSince = async (since: number): Promise<string[]> => {
      const keys: string[] = [];
      for (const tenantId of tenants) {
        for (const w of WATCHED) {
          const res = await fetch(`${sim.apiUrl}/api.xro/2.0/${w.path}?${w.query}`, {
            headers: {
              authorization: `Bearer ${token}`,
              'xero-tenant-id': tenantId,
              accept: 'application/json',
              'If-Modified-Since': ifModifiedSinceHeader(since),
            },
          });
          if (res.status === 304) continue;
          const records = ((await res.json()) as Record<string, WireRecord[] | undefined>)[w.path] ?? [];
          for (const r of records) if ((updatedAt(r) ?? 0) >= since) keys.push(`${String(r[w.idField]).toLowerCase()}:${updatedAt(r)}`);
        }
      }
      return keys;
    };
    /** Polls n8n started for the poller that have not ended, from this n8n process's log. */
    const pollsUnderWay = (): number => {
      const log = n8n!.currentLog();
      const count = (text: string): number => log.split(text).length - 1;
      return (
        count('Poll trigger initiated for workflow "poller"') - count('Skipping poll for superseded workflow "poller"') - count('Xero Guard Trigger polled')
      );
    };
    const truth = new Set<string>();
    const STEPS = Number(process.env.XERO_GUARD_E2E_POLL_STEPS ?? 28);
    const PER_STEP = Number(process.env.XERO_GUARD_E2E_POLL_CHANGES ?? 36);
    const emittedKeys = async (): Promise<string[]> =>
      (await items<XeroTriggerChangeItem>(poller.id)).map((i) => `${String(i.recordId).toLowerCase()}:${Date.parse(i.updatedDateUtc)}`);
    for (let step = 0; step < STEPS; step++) {
      const restart = step === Math.floor(STEPS / 3) || step === Math.floor((2 * STEPS) / 3);
      if (restart) {
        // The webhook workflows, deactivated at the start of this check, neither read nor emit any more (n8n 2.41
        // can start a trigger twice; an unclosed start went on emitting into the deactivated workflow, which n8n
        // logs as a trigger execution failure, "Published version not found").
        const refused = n8n!
          .currentLog()
          .split('\n')
          .filter((line) => line.includes('logTriggerExecutionFailure') && [receiver, reader, sweeper].some((w) => line.includes(`"workflowId":"${w.id}"`)));
        expect(refused).toEqual([]);
        await n8n!.stopProcess();
      }
      const stepStart = clock.now();
      const touched = new Set<string>();
      for (let k = 0; k < PER_STEP; k++) {
        const older = docs.filter((d) => !touched.has(d.id));
        if (k % 3 === 2 && older.length > 0) {
          const doc = older[(step * 7 + k) % older.length];
          touched.add(doc.id);
          await update(doc);
        } else {
          await change(tenants[k % 3], (step + k) % 5);
          touched.add(docs[docs.length - 1].id);
        }
      }
      // A week in 28 steps: six hours each; every poll is due (every 15 minutes).
      moveClocks((7 * 24 * HOUR) / STEPS);
      if (restart) {
        await n8n!.restart();
        await until('the poller to be active again', async () => ((await registered(poller.webhookId)) ? true : undefined));
      } else {
        // n8n polls at once on activation: that is this step's poll. Not while one of n8n's minute polls is under
        // way: n8n discards the result of a poll it started before a deactivation, and that poll's claims hold its
        // changes back (for 10 minutes, then they come flagged redelivered), past this step.
        await until('no poll of the poller under way', async () => (pollsUnderWay() === 0 ? true : undefined));
        await deactivate(poller);
        await activate(poller);
      }
      // What a poll can see: each record's newest version since the last step (Xero's own side effects included, such as
      // a contact touched by a new invoice), read with the test's own connection.
      for (const key of await changedSince(stepStart)) truth.add(key);
      const expected = truth.size;
      let seen: string[] = [];
      await until(
        `step ${step}: ${expected} changes emitted`,
        async () => {
          seen = await emittedKeys();
          return seen.length >= expected ? true : undefined;
        },
        90_000,
      ).catch((error: Error) => {
        const missing = [...truth].filter((k) => !seen.includes(k));
        throw new Error(
          `${error.message}; emitted ${seen.length}, missing ${missing.length}: ${missing.slice(0, 5).join(', ')}; emitted: ${seen.slice(0, 5).join(', ')}`,
        );
      });
    }
    const keys = await emittedKeys();
    // None twice, none missed, nothing else; and every change this test made is among them.
    expect(keys.length).toBe(new Set(keys).size);
    expect(new Set(keys)).toEqual(truth);
    expect([...made].filter((k) => !truth.has(k))).toEqual([]);
    progress(
      `polling: ${made.size} changes made (${truth.size} visible to a poll) over ${STEPS} polls, 3 organisations, 5 resources, 2 restarts: each emitted once`,
    );
  });
});
