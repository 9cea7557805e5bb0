/**
 * The Xero Guard node on a real n8n 2.41.1 loading the packed tarball, against the simulator, on one n8n
 * boot: the node type and its AI tool form load; a contact, an invoice for it, the invoice emailed, its PDF
 * downloaded and attached back to it; Get Many with Return All over 2,500 invoices; an invoice create whose
 * answer was dropped, retried by n8n's Retry On Fail, creating one invoice; a 429 with Retry-After: 3 waited
 * out; a validation error on the error output with Xero's words and its category; a revoked connection
 * failing with n8n's credential-invalid cause and no token anywhere in the execution. n8n's own Xero node
 * (n8n's xeroOAuth2Api credential with imported tokens, routed from its hardcoded api.xero.com to the
 * simulator through n8n's own HTTPS_PROXY support and a throwaway CA) and the same workflow converted to
 * Xero Guard create and return the same records. And a workflow converted from n8n's own Xero node (every
 * operation, every field) imports with every parameter kept. And Journals by the app's tier: refused at Starter as
 * plan_restricted naming the tier (no token call), answered at Advanced.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { convertText } from '../../../n8n/convert/convert';
import { convertXeroDates } from '../../../src/xero/accounting';
import { startXeroHostProxy, type XeroHostProxy } from '../../../tools/services/xero-host-proxy';
import {
  SIMULATOR_DEFAULT_SCOPES as DEFAULT_SCOPES,
  DEMO_CLIENT_ID,
  DEMO_TENANT_ID,
  type Simulator,
  type SimulatorTokenResponse,
} from '../../../src/simulator';
import { everyOperationWorkflow } from '../../unit/n8n/converter/sample-workflow';
import { e2eTest } from '../harness/diagnostics';
import type { SimRequest } from '../../helpers/sim-log';
import { progress } from '../../../tools/n8n/install';
import { startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import type { WorkflowJson } from '../../../tools/n8n/workflows';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, nativeXeroCredentialFor, startE2eSimulator, tokensOfGrant } from '../../../tools/n8n/xero';

jest.setTimeout(300_000);

const SCOPES = [...DEFAULT_SCOPES, 'accounting.transactions', 'accounting.attachments'];
const BIG_TENANT = { tenantId: '7d1f0c8e-25a0-4c53-9a61-2b5e0e8a2500', name: 'Many Invoices Ltd' };
const BIG_COUNT = 2500;
const SWITCH_TENANT = { tenantId: '5c0e7b9a-3d61-4f0e-8a2b-6e9d4c1f0a77', name: 'Switching Ltd' };

/** What a record says, without what Xero assigns per call (ids, timestamps) or what only our node adds. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (/ID$/.test(k) || k === 'UpdatedDateUTC' || k === 'tenantId' || k === 'xeroLimits' || k === 'Id' || k === 'DateTimeUTC') continue;
    out[k] = comparable(v);
  }
  return out;
}

/** The document workflow as a user built it with n8n's own Xero node (typeVersion 1, n8n-nodes-base 2.41.1). */
function nativeWorkflow(credential: Cred): Record<string, unknown> {
  const xero = (name: string, parameters: Record<string, unknown>): Node => ({
    id: randomUUID(),
    name,
    type: 'n8n-nodes-base.xero',
    typeVersion: 1,
    parameters: { organizationId: SWITCH_TENANT.tenantId, ...parameters },
    credentials: { xeroOAuth2Api: credential },
  });
  return webhookChain('native-xero', [
    xero('Create Contact', {
      resource: 'contact',
      operation: 'create',
      name: '={{ $json.body.name }}',
      additionalFields: { emailAddress: '={{ $json.body.email }}', accountNumber: 'ACC-7' },
    }),
    xero('Create Invoice', {
      resource: 'invoice',
      operation: 'create',
      type: 'ACCREC',
      contactId: '={{ $json.ContactID }}',
      lineItemsUi: { lineItemsValues: [{ description: 'Payroll, November', quantity: 3, unitAmount: '40', accountCode: '200', taxType: 'NONE' }] },
      additionalFields: { status: 'AUTHORISED', reference: 'SWITCH-1', dueDate: '2026-12-31T00:00:00' },
    }),
    // Not Return All: n8n's own node drops the tenant header after the first page (GenericFunctions deletes
    // body.organizationId on the shared body), so its Return All fails with a 403 on page 2 against real Xero too.
    xero('Get Contacts', { resource: 'contact', operation: 'getAll', returnAll: false, limit: 50, options: {} }),
  ]);
}

type Cred = { id: string; name: string };
type Node = Record<string, unknown> & { name: string };
/** Items a workflow answered with: records of Xero's APIs, or what a node put out. */
type Items = Array<Record<string, unknown>>;

const xeroGuard = (name: string, credential: Cred, tenantId: string, parameters: Record<string, unknown>, settings: Record<string, unknown> = {}): Node => ({
  id: randomUUID(),
  name,
  type: `${PACKAGE}.xeroGuard`,
  typeVersion: 1,
  parameters: { organizationId: { __rl: true, mode: 'id', value: tenantId }, ...parameters },
  credentials: { [CREDENTIAL_TYPE]: credential },
  ...settings,
});

/** Webhook -> the nodes in a row (main output 0 each); `extra` adds other connections (an error output). */
function webhookChain(path: string, chain: Node[], extra: Record<string, unknown> = {}, nodes: Node[] = []): Record<string, unknown> {
  const all: Node[] = [
    {
      id: randomUUID(),
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      webhookId: randomUUID(),
      parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
    },
    ...chain,
    ...nodes,
  ];
  all.forEach((n, i) => (n.position = [i * 220, 0]));
  const connections: Record<string, unknown> = {};
  for (let i = 0; i < chain.length; i++) connections[i === 0 ? 'Webhook' : chain[i - 1].name] = { main: [[{ node: chain[i].name, type: 'main', index: 0 }]] };
  return { name: path, nodes: all, connections: { ...connections, ...extra }, settings: { executionOrder: 'v1' } };
}

describe('Xero Guard node on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let proxy: XeroHostProxy | undefined;
  let switchCred: Cred;
  const test = e2eTest(() => ({ n8n, sim }));
  let reader: SimulatorTokenResponse;
  let revokedGrant: SimulatorTokenResponse;
  let contactId = '';
  const workflowIds: Record<string, string> = {};

  /** Reads the simulator's books as an independent client would (another grant, plain fetch). */
  const xeroGet = async <T = unknown>(path: string, tenantId = DEMO_TENANT_ID): Promise<T> => {
    const res = await fetch(`${sim!.apiUrl}/api.xro/2.0/${path}`, {
      headers: { authorization: `Bearer ${reader.access_token}`, 'xero-tenant-id': tenantId, accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    return res.json() as Promise<T>;
  };
  const callsTo = (endpoint: string, method: string, pathPart: string) =>
    sim!.log().filter((e): e is SimRequest => e.type === 'request' && e.endpoint === endpoint && e.method === method && String(e.path).includes(pathPart));

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    // n8n's own Xero node hardcodes https://api.xero.com: n8n's HTTPS_PROXY support and a throwaway CA route it here.
    proxy = await startXeroHostProxy(sim.apiUrl);
    n8n = await startN8n({ env: proxy.n8nEnv });
    const started = Date.now();
    const work = sim.seedGrant({ email: 'work@xero-guard.test', scopes: SCOPES, tenants: [DEMO_TENANT_ID, BIG_TENANT, SWITCH_TENANT] });
    const native = sim.seedGrant({ email: 'native@xero-guard.test', scopes: SCOPES, tenants: [SWITCH_TENANT.tenantId] });
    revokedGrant = sim.seedGrant({ email: 'leaver@xero-guard.test', scopes: SCOPES });
    reader = sim.seedGrant({ email: 'reader@xero-guard.test', scopes: SCOPES, tenants: [DEMO_TENANT_ID, BIG_TENANT.tenantId, SWITCH_TENANT.tenantId] });
    sim.accounting.seed(BIG_TENANT.tenantId, { contacts: 20, invoices: BIG_COUNT });
    const creds = [credentialFor(sim, work, { name: 'Xero work' }), credentialFor(sim, revokedGrant, { name: 'Xero leaver' })];
    const nativeCred = nativeXeroCredentialFor(native);
    await n8n.importCredentials([...creds, nativeCred]);
    const [workCred, leaverCred] = creds.map((c) => ({ id: c.id, name: c.name }));
    switchCred = workCred;
    const invoiceOf = (name: string, contact: string, status: string, settings: Record<string, unknown> = {}, reference = '') =>
      xeroGuard(
        name,
        workCred,
        DEMO_TENANT_ID,
        {
          resource: 'invoice',
          operation: 'create',
          type: 'ACCREC',
          contactId: contact,
          lineItemsUi: { lineItemsValues: [{ description: 'Bookkeeping, November', quantity: 2, unitAmount: '150', accountCode: '200', taxType: 'NONE' }] },
          additionalFields: { status, ...(reference ? { reference } : {}) },
        },
        settings,
      );
    const workflows = [
      webhookChain('document-flow', [
        xeroGuard('Create Contact', workCred, DEMO_TENANT_ID, {
          resource: 'contact',
          operation: 'create',
          name: '={{ $json.body.name }}',
          additionalFields: { emailAddress: '={{ $json.body.email }}' },
        }),
        invoiceOf('Create Invoice', '={{ $json.ContactID }}', 'AUTHORISED'),
        xeroGuard('Email Invoice', workCred, DEMO_TENANT_ID, {
          resource: 'invoice',
          operation: 'email',
          invoiceId: "={{ $('Create Invoice').item.json.InvoiceID }}",
        }),
        xeroGuard('Download PDF', workCred, DEMO_TENANT_ID, {
          resource: 'invoice',
          operation: 'downloadPdf',
          invoiceId: "={{ $('Create Invoice').item.json.InvoiceID }}",
          binaryPropertyName: 'data',
        }),
        xeroGuard('Attach File', workCred, DEMO_TENANT_ID, {
          resource: 'attachment',
          operation: 'upload',
          parentType: 'Invoices',
          parentId: "={{ $('Create Invoice').item.json.InvoiceID }}",
          fileName: 'copy of invoice.pdf',
          binaryPropertyName: 'data',
        }),
      ]),
      webhookChain('get-many', [
        xeroGuard('All Invoices', workCred, BIG_TENANT.tenantId, { resource: 'invoice', operation: 'getAll', returnAll: true, options: {} }),
      ]),
      // The answer is dropped after Xero created the invoice; n8n retries the node with the same Idempotency-Key.
      webhookChain('retried-create', [
        invoiceOf(
          'Create Invoice',
          '={{ $json.body.contactId }}',
          'DRAFT',
          { retryOnFail: true, maxTries: 2, waitBetweenTries: 100 },
          '={{ $json.body.reference }}',
        ),
      ]),
      webhookChain('rate-limited', [xeroGuard('Organisation', workCred, DEMO_TENANT_ID, { resource: 'organisation', operation: 'get' })]),
      webhookChain(
        'validation-error',
        [
          xeroGuard(
            'Email Draft',
            workCred,
            DEMO_TENANT_ID,
            { resource: 'invoice', operation: 'email', invoiceId: '={{ $json.body.invoiceId }}' },
            { onError: 'continueErrorOutput' },
          ),
        ],
        { 'Email Draft': { main: [[{ node: 'Sent', type: 'main', index: 0 }], [{ node: 'Refused', type: 'main', index: 0 }]] } },
        [
          { id: randomUUID(), name: 'Sent', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
          { id: randomUUID(), name: 'Refused', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
        ],
      ),
      webhookChain('revoked', [xeroGuard('Organisation', leaverCred, DEMO_TENANT_ID, { resource: 'organisation', operation: 'get' })]),
      nativeWorkflow({ id: nativeCred.id, name: nativeCred.name }),
    ];
    for (const workflow of workflows) {
      const id = await n8n.importWorkflow(workflow);
      workflowIds[workflow.name as string] = id;
      await n8n.activate(id);
    }
    progress(`xero-guard-node: credentials and ${workflows.length} workflows ready in ${Date.now() - started} ms`);
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await proxy?.close();
    await sim?.close();
  });

  test('n8n loads the node and its AI tool form', async () => {
    const names = (await n8n!.nodeTypes()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining([`${PACKAGE}.xeroGuard`, `${PACKAGE}.xeroGuardTool`]));
  });

  test('creates a contact and an invoice for it, emails the invoice, downloads its PDF and attaches it to the invoice', async () => {
    const answer = await n8n!.webhook('document-flow', { name: 'Harbour Florists', email: 'accounts@harbour-florists.test' });
    expect(answer.status).toBe(200);
    const [attachment] = answer.json as Array<{ xeroLimits: { dayRemaining: unknown } }>;
    expect(attachment).toMatchObject({ FileName: 'copy of invoice.pdf', MimeType: 'application/pdf', tenantId: DEMO_TENANT_ID });
    expect(attachment.xeroLimits.dayRemaining).toEqual(expect.any(Number));
    const { Contacts } = await xeroGet<{ Contacts: Array<{ ContactID: string }> }>(`Contacts?where=${encodeURIComponent('Name=="Harbour Florists"')}`);
    expect(Contacts).toHaveLength(1);
    contactId = Contacts[0].ContactID;
    const { Invoices } = await xeroGet<{ Invoices: Array<{ InvoiceID: string }> }>(`Invoices?ContactIDs=${contactId}`);
    expect(Invoices).toHaveLength(1);
    expect(Invoices[0]).toMatchObject({ Status: 'AUTHORISED', SentToContact: true, HasAttachments: true });
    const { Attachments } = await xeroGet<{ Attachments: Array<{ ContentLength: number }> }>(`Invoices/${Invoices[0].InvoiceID}/Attachments`);
    expect(Attachments).toEqual([expect.objectContaining({ FileName: 'copy of invoice.pdf', MimeType: 'application/pdf' })]);
    // The PDF that was attached is the one Xero gave: a real PDF, as many bytes as Xero's own.
    const pdf = await fetch(`${sim!.apiUrl}/api.xro/2.0/Invoices/${Invoices[0].InvoiceID}`, {
      headers: { authorization: `Bearer ${reader.access_token}`, 'xero-tenant-id': DEMO_TENANT_ID, accept: 'application/pdf' },
    });
    expect(Attachments[0].ContentLength).toBe((await pdf.arrayBuffer()).byteLength);
  });

  test('Get Many with Return All over 2,500 invoices returns every one exactly once', async () => {
    const started = Date.now();
    const answer = await n8n!.webhook('get-many');
    progress(`xero-guard-node: ${BIG_COUNT} invoices through n8n in ${Date.now() - started} ms`);
    expect(answer.status).toBe(200);
    const ids = (answer.json as Array<{ InvoiceID: string }>).map((r) => r.InvoiceID);
    expect(ids).toHaveLength(BIG_COUNT);
    expect(new Set(ids).size).toBe(BIG_COUNT);
    expect(sim!.accounting.counts(BIG_TENANT.tenantId).Invoices).toBe(BIG_COUNT);
    // Dates arrive as ISO 8601, and each item names its organisation.
    expect((answer.json as Items)[0]).toMatchObject({ tenantId: BIG_TENANT.tenantId, Date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}/) });
  });

  test('an invoice create whose answer was dropped, retried by Retry On Fail, creates exactly one invoice', async () => {
    expect(contactId).not.toBe('');
    const reference = `retry-${randomUUID()}`;
    const before = sim!.accounting.counts(DEMO_TENANT_ID).Invoices ?? 0;
    sim!.faults.add({ kind: 'drop-response', endpoint: 'accounting', times: 1 });
    const answer = await n8n!.webhook('retried-create', { contactId, reference });
    expect(answer.status).toBe(200);
    const posts = callsTo('accounting', 'POST', '/Invoices')
      .filter((e) => e.status === 'dropped' || e.status === 200)
      .slice(-2);
    expect(posts.map((e) => e.status)).toEqual(['dropped', 200]);
    expect((answer.json as Items)[0]).toMatchObject({ Reference: reference, Status: 'DRAFT' });
    expect(sim!.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(before + 1);
    const { Invoices } = await xeroGet<{ Invoices: unknown[] }>(`Invoices?where=${encodeURIComponent(`Reference=="${reference}"`)}`);
    expect(Invoices).toHaveLength(1);
  });

  test('a 429 with Retry-After: 3 is waited out and the item succeeds', async () => {
    sim!.faults.add({ kind: 'rate-limit', endpoint: 'organisation', problem: 'minute', retryAfter: 3, times: 1 });
    const answer = await n8n!.webhook('rate-limited');
    expect(answer.status).toBe(200);
    expect((answer.json as Items)[0]).toMatchObject({ OrganisationID: expect.any(String), tenantId: DEMO_TENANT_ID });
    const calls = callsTo('organisation', 'GET', '/Organisation').slice(-2);
    expect(calls.map((e) => e.status)).toEqual([429, 200]);
    // Waited as long as Xero asked (the real clock of the n8n process), not retried at once.
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(3000);
  });

  test("a validation error arrives on the error output with Xero's message and category validation_error", async () => {
    const { Invoices } = await xeroGet<{ Invoices: Array<{ InvoiceID: string }> }>(`Invoices?where=${encodeURIComponent('Status=="DRAFT"')}`);
    expect(Invoices.length).toBeGreaterThan(0);
    const answer = await n8n!.webhook('validation-error', { invoiceId: Invoices[0].InvoiceID });
    expect(answer.status).toBe(200);
    const [refused] = answer.json as Array<{ details: unknown; error: unknown }>;
    expect(refused.details).toMatchObject({
      category: 'validation_error',
      action: 'fix_request',
      httpStatus: 400,
      validationMessages: ['Only sales invoices that are AUTHORISED or PAID can be emailed.'],
    });
    expect(String(refused.error)).toContain('Only sales invoices that are AUTHORISED or PAID can be emailed.');
    // On the error output: the node after it ran, the one on the success output did not.
    const [execution] = await n8n!.executions({ workflowId: workflowIds['validation-error'], limit: 1 });
    expect(Object.keys(execution.data.resultData.runData).sort()).toEqual(['Email Draft', 'Refused', 'Webhook']);
  });

  test("a revoked connection fails with n8n's credential-invalid cause, saying to reconnect, with no token in it", async () => {
    sim!.revokeUser('leaver@xero-guard.test');
    const answer = await n8n!.webhook('revoked');
    expect(answer.status).toBeGreaterThanOrEqual(500);
    const [execution] = await n8n!.executions({ workflowId: workflowIds.revoked, status: 'error', limit: 1 });
    const text = JSON.stringify(execution);
    const error = execution.data.resultData.error!;
    expect(error.failure).toEqual({ cause: 'credential-invalid' });
    expect(String(error.description ?? '') + String(error.message)).toMatch(/Switch account/);
    const secrets = tokensOfGrant(sim!, revokedGrant).filter((s) => s.length > 8);
    expect(secrets.filter((s) => text.includes(s) || answer.text.includes(s))).toEqual([]);
  });

  test("n8n's own Xero node and the same workflow converted to Xero Guard create and return the same records", async () => {
    const input = { name: 'Kauri Legal', email: 'ap@kauri-legal.test' };
    const books = async () => ({
      Contacts: (await xeroGet<{ Contacts: unknown[] }>('Contacts', SWITCH_TENANT.tenantId)).Contacts,
      Invoices: (await xeroGet<{ Invoices: unknown[] }>('Invoices', SWITCH_TENANT.tenantId)).Invoices,
    });
    sim!.accounting.reset(SWITCH_TENANT.tenantId);
    const native = await n8n!.webhook('native-xero', input);
    expect(native.status).toBe(200);
    // It really went to "api.xero.com" (through the proxy, to the simulator), and nothing else did.
    expect(proxy!.forwarded.filter((r) => r.startsWith('PUT /api.xro/2.0/Contacts') || r.startsWith('POST /api.xro/2.0/Contacts'))).toHaveLength(1);
    const nativeBooks = await books();
    expect(nativeBooks.Contacts).toHaveLength(1);
    expect(nativeBooks.Invoices).toHaveLength(1);

    const text = JSON.stringify(nativeWorkflow({ id: 'x', name: 'x' }));
    const result = convertText(text, 'native.json', JSON.parse(text), { id: switchCred.id, name: switchCred.name });
    expect(result.notes).toEqual([]);
    const converted = JSON.parse(result.text!) as WorkflowJson;
    converted.name = 'converted-xero';
    converted.nodes.find((n) => n.name === 'Webhook')!.parameters.path = 'converted-xero';
    converted.nodes.find((n) => n.name === 'Webhook')!.webhookId = randomUUID();
    expect(converted.nodes.filter((n) => n.type === `${PACKAGE}.xeroGuard`)).toHaveLength(3);
    await n8n!.activate(await n8n!.importWorkflow(converted));
    sim!.accounting.reset(SWITCH_TENANT.tenantId);
    const guarded = await n8n!.webhook('converted-xero', input);
    expect(guarded.status).toBe(200);
    const guardedBooks = await books();

    // The same records in Xero, and the same records out of the last node (Xero's dates as ISO 8601 on ours).
    expect(comparable(guardedBooks)).toEqual(comparable(nativeBooks));
    expect(comparable(guarded.json)).toEqual(comparable(convertXeroDates(native.json)));
    expect((guarded.json as Items)[0]).toMatchObject({ Name: input.name, EmailAddress: input.email, tenantId: SWITCH_TENANT.tenantId });
  });

  test("a workflow converted from n8n's Xero node imports with every node, field and connection kept", async () => {
    const source = everyOperationWorkflow();
    const text = JSON.stringify(source, null, 2);
    const converted = JSON.parse(convertText(text, 'every.json', JSON.parse(text), { name: 'Xero Guarded' }).text!) as {
      nodes: Array<Record<string, unknown>>;
      connections: unknown;
    };
    const dir = mkdtempSync(join(tmpdir(), 'xg-convert-e2e-'));
    try {
      const file = join(dir, 'every.xero-guard.json');
      writeFileSync(file, JSON.stringify(converted));
      const [id] = await n8n!.importWorkflowFile(file);
      const stored = (await n8n!.api('GET', `/workflows/${id}`)).json as { nodes: Array<Record<string, unknown>>; connections: unknown };
      expect(stored.connections).toEqual(converted.connections);
      for (const node of converted.nodes) {
        const back = stored.nodes.find((n) => n.name === node.name)!;
        expect(back.type).toBe(node.type);
        expect(back.parameters).toEqual(node.parameters);
        expect(back.position).toEqual(node.position);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("Journals by the app's tier (issue 28): at Starter plan_restricted naming Starter and Advanced, with no token call; at Advanced the journals", async () => {
    sim!.accounting.seed(DEMO_TENANT_ID, { contacts: 1, invoices: 2 });
    const grant = sim!.seedGrant({ email: 'ledger@xero-guard.test', scopes: [...SCOPES, 'accounting.journals.read'], tenants: [DEMO_TENANT_ID] });
    // The tier setting left empty, as in a credential saved before it existed: Starter.
    const credential = credentialFor(sim!, grant, { name: 'Xero ledger' });
    await n8n!.importCredentials([credential]);
    const journals = webhookChain('journals-by-tier', [
      xeroGuard(
        'Journals',
        { id: credential.id, name: credential.name },
        DEMO_TENANT_ID,
        { resource: 'journal', operation: 'getAll', returnAll: false, limit: 5, options: {} },
        { onError: 'continueRegularOutput' },
      ),
    ]);
    await n8n!.activate(await n8n!.importWorkflow(journals));
    sim!.setTier(DEMO_CLIENT_ID, 'starter');
    try {
      const tokenCalls = sim!.stats().tokenCalls;
      const refused = ((await n8n!.webhook('journals-by-tier', {})).json as Items)[0];
      expect(refused).toMatchObject({ category: 'plan_restricted', action: 'fix_configuration', httpStatus: 401 });
      expect(refused.error).toMatch(/the app is on Xero's Starter tier \(its tier setting\).* only to apps on its Advanced tier/);
      expect(refused.advice).toMatch(/^Reconnecting will not help: move the app to Xero's Advanced tier/);
      expect(sim!.stats().tokenCalls - tokenCalls).toBe(0);
      sim!.setTier(DEMO_CLIENT_ID, 'advanced');
      const answered = ((await n8n!.webhook('journals-by-tier', {})).json as Items)[0];
      expect(answered).toMatchObject({ JournalID: expect.any(String) });
    } finally {
      sim!.setTier(DEMO_CLIENT_ID, undefined);
    }
  });
});
