/**
 * The Xero Guard Trigger in n8n queue mode on real n8n 2.41.1: main, two workers and two `n8n
 * webhook` processes on a private PostgreSQL database (the credential's Automatic ledger is n8n's
 * PostgreSQL) and the machine's Redis. Xero's deliveries reach one webhook process, then the other
 * (the app's URL moved, as behind a load balancer); the same delivery sent to both is stored once.
 * Two workflows on the app each get every event exactly once, executed on the workers.
 */
import { randomUUID } from 'node:crypto';
import { WebhookKey, XERO_SIGNATURE_HEADER } from '../../../src/events';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import { progress } from '../../../tools/n8n/install';
import { nodeOutput, waitFor } from '../../../tools/n8n/n8n';
import { XERO_TRIGGER_NODE, credentialFor, startE2eSimulator, xeroTriggerUrl, xeroTriggerWorkflow, type XeroTriggerEventItem } from '../../../tools/n8n/xero';
import { activateInQueueMode, startQueueStack, type QueueStack } from '../../../tools/queue/stack';
import { e2eTest } from '../harness/diagnostics';

jest.setTimeout(600_000);

const KEY = `queue-canary-key-${randomUUID()}`;
const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'];
const TRIGGER = XERO_TRIGGER_NODE;

describe('Xero Guard Trigger in n8n queue mode (main + 2 workers + 2 webhook processes)', () => {
  let stack: QueueStack | undefined;
  let sim: Simulator;
  let token = '';
  const check = e2eTest(() => ({ n8n: stack?.main, sim }));

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    const started = Date.now();
    stack = await startQueueStack({ workers: 2, webhookProcesses: 2, label: 'trigger' });
    progress(`queue: main + 2 workers + 2 webhook processes up in ${Math.round((Date.now() - started) / 1000)} s`);
    token = sim.seedGrant({ scopes: SCOPES, email: 'bookkeeper@xero-guard.test' }).access_token;
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await sim?.close();
  }, 120_000);

  const newInvoice = async (reference: string): Promise<{ InvoiceID: string }> => {
    const res = await fetch(`${sim.apiUrl}/api.xro/2.0/Invoices`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'xero-tenant-id': DEMO_TENANT_ID, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({
        Type: 'ACCREC',
        Reference: reference,
        Contact: { Name: 'Kauri Legal' },
        LineItems: [{ Description: 'Advice', Quantity: 1, UnitAmount: 250, AccountCode: '200' }],
      }),
    });
    return ((await res.json()) as { Invoices: Array<{ InvoiceID: string }> }).Invoices[0];
  };
  const items = async (workflowId: string): Promise<XeroTriggerEventItem[]> => {
    const executions = await stack!.main.executions({ workflowId });
    return executions.flatMap((e) => nodeOutput(e, TRIGGER).map((item) => item.json as unknown as XeroTriggerEventItem));
  };

  check('every webhook-delivered event reaches each workflow once, whichever webhook process received it', async () => {
    const tokens = sim.seedGrant({ scopes: SCOPES });
    const cred = credentialFor(sim, tokens, { scopes: SCOPES });
    cred.data.webhookSecret = KEY;
    await stack!.main.importCredentials([cred]);
    const workflow = (name: string, parameters: Record<string, unknown>) => {
      const { webhookId, workflow: body } = xeroTriggerWorkflow(name, { id: cred.id, name: cred.name }, parameters);
      return { webhookId, body };
    };

    const a = workflow('queue receiver', { mode: 'webhook', categories: ['INVOICE'], catchUpMinutes: 0 });
    const b = workflow('queue reader', { mode: 'webhook', categories: ['INVOICE'], fetchRecords: false, catchUpMinutes: 0 });
    const receiver = await stack!.main.importWorkflow(a.body);
    const reader = await stack!.main.importWorkflow(b.body);
    await activateInQueueMode(stack!.main, receiver);
    await activateInQueueMode(stack!.main, reader);
    const [one, two] = stack!.webhooks;
    const urlAt = (process: typeof one, webhookId: string) => xeroTriggerUrl(process!.url, webhookId);
    const answers = async (url: string): Promise<number> =>
      (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
    // Both webhook processes answer for both workflows (401 to an unsigned body) once n8n has activated them.
    for (const p of [one, two]) {
      for (const w of [a, b])
        await waitFor('the trigger to be active', async () => ((await answers(urlAt(p, w.webhookId))) === 401 ? true : undefined), 120_000);
    }
    // n8n starts the main's triggers with the activation; a moment later than its webhooks at most.
    await waitFor(
      'the triggers on main',
      async () => (stack!.main.currentLog().split(`Activated trigger node "${TRIGGER}"`).length > 2 ? true : undefined),
      60_000,
    );

    const ids = new Set<string>();
    // Xero's URL at the first webhook process: its intent-to-receive check passes there.
    let configured = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: urlAt(one, a.webhookId), key: KEY });
    expect(configured.webhook.status).toBe('on');
    for (let i = 0; i < 3; i++) ids.add((await newInvoice(`Q-ONE-${i}`)).InvoiceID);
    await sim.webhooks.deliverDue();
    // Then at the second (the app's URL moved, as behind a load balancer).
    configured = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: urlAt(two, a.webhookId), key: KEY });
    expect(configured.webhook.status).toBe('on');
    for (let i = 0; i < 3; i++) ids.add((await newInvoice(`Q-TWO-${i}`)).InvoiceID);
    await sim.webhooks.deliverDue();
    // And one delivery sent to both processes (a retry that went the other way): stored once.
    const replayed = await newInvoice('Q-BOTH');
    ids.add(replayed.InvoiceID);
    sim.webhooks.hold(DEMO_CLIENT_ID, true);
    const body = JSON.stringify({
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${replayed.InvoiceID}`,
          resourceId: replayed.InvoiceID,
          tenantId: DEMO_TENANT_ID,
          tenantType: 'ORGANISATION',
          eventCategory: 'INVOICE',
          eventType: 'UPDATE',
          eventDateUtc: '2026-04-01T09:00:00.123',
        },
      ],
      firstEventSequence: 990,
      lastEventSequence: 990,
      entropy: 'QWERTYUIOPASDFGHJKLZ',
    });
    const signature = new WebhookKey(KEY).sign(body);
    const send = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [XERO_SIGNATURE_HEADER]: signature }, body });
    const [first, second] = await Promise.all([send(urlAt(one, a.webhookId)), send(urlAt(two, b.webhookId))]);
    expect([first.status, second.status]).toEqual([200, 200]);
    sim.webhooks.hold(DEMO_CLIENT_ID, false);
    await sim.webhooks.deliverDue();

    // Each invoice's CREATE, and the one UPDATE, once in each workflow (the receiver reads records: one item per
    // record and batch, its events beside it, so events are counted there).
    const expected = ids.size + 1;
    for (const workflowId of [receiver, reader]) {
      const got = await waitFor(
        `workflow ${workflowId} to get ${expected} events`,
        async () => {
          const events = (await items(workflowId))
            .flatMap((i) => i.events as Array<{ resourceId: string; eventType: string }>)
            .filter((e) => ids.has(e.resourceId));
          return events.length >= expected ? events : undefined;
        },
        120_000,
      );
      const keys = got.map((e) => `${e.resourceId}:${e.eventType}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(expected);
    }
    expect((await items(receiver)).filter((i) => ids.has(i.resourceId)).every((i) => i.record?.InvoiceID === i.resourceId)).toBe(true);
    // The executions ran on the workers.
    const executions = await stack!.main.executions({ workflowId: receiver });
    expect(executions.every((e) => stack!.workerOf(String(e.id)) !== undefined)).toBe(true);
    expect(JSON.stringify(executions)).not.toContain(KEY);
  });
});
