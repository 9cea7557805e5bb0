/**
 * The part of bench/trigger.bench.ts that needs a real n8n (one boot of 2.41.1 with the packed
 * package): n8n's own Xero node doing one tick of the Schedule Trigger + Get Many job, its calls
 * counted from the simulator's request log, and the delay from a change to the execution the Xero
 * Guard Trigger (webhook mode) starts, as n8n records its startedAt.
 *
 * Its own simulator on the real clock (n8n runs on it), seeded with the book the replay reads.
 * n8n's own node hardcodes https://api.xero.com: n8n's HTTPS_PROXY support and a throwaway CA route
 * it to the simulator (tools/services/xero-host-proxy.ts), as test/e2e/n8n/xero-guard-node.test.ts does.
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../src/clock';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, type Simulator, type SimulatorTokenResponse } from '../src/simulator';
import { fetchTransport, XeroAccountingClient, type XeroTokenSource } from '../src/xero';
import { nodeOutput, startN8n, waitFor, type N8nExecution, type N8nHandle } from '../tools/n8n/n8n';
import { credentialFor, nativeXeroCredentialFor, startE2eSimulator, xeroTriggerUrl, xeroTriggerWorkflow, XERO_TRIGGER_NODE } from '../tools/n8n/xero';
import { startXeroHostProxy, type XeroHostProxy } from '../tools/services/xero-host-proxy';
import { percentiles, sample, type Percentiles } from './measure';
import { Bookkeeper, type ChangeKind } from './trigger-world';

const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'];
/** The key the Xero Guard credential and the simulator's app webhook share (a bench-only value). */
const WEBHOOK_KEY = `bench-webhook-key-${randomUUID()}`;
/** An execution not started within this (real) time is counted as missing, not waited for. */
const EXECUTION_TIMEOUT_MS = 30_000;

/** One Accounting API call n8n made, as the simulator logged it and the host proxy passed it on (with its query). */
export interface LoggedCall {
  request: string;
  status: number | string;
}

/** What one execution of n8n's own Xero node did. */
export interface NativeRun {
  status: N8nExecution['status'] | 'none';
  calls: LoggedCall[];
  /** The nodes that ran, in order. */
  ran: string[];
  error: string | null;
  /** Items each Get Many node put out. */
  itemsOut: Record<string, number>;
  /** For the limited run: whether a sales invoice created just before the run is among what it put out. */
  seesNewInvoice?: boolean;
}

export interface N8nSection {
  version: string;
  bootMs: number;
  returnAll: NativeRun;
  limited: NativeRun;
  /** Records in the book when the limited run read it (the whole list answers one unpaged call). */
  book: { contacts: number; invoices: number };
  roundTrip: Percentiles;
  /** Change answered by the API -> execution startedAt (n8n's record), ms. */
  delaysMs: number[];
  /** Change sent -> execution startedAt, ms (the core's emit delay is measured from sending). */
  fromSentMs: number[];
  /** Change answered -> execution stoppedAt, ms. */
  toStoppedMs: number[];
  /** Change answered -> n8n's webhook answered the signed delivery 200, ms: the part of the delay before the trigger reads the inbox. */
  toDeliveredMs: number[];
  kinds: ChangeKind[];
  missing: number;
  /** Executions started by the trigger (each change should start one). */
  executions: number;
}

type Node = Record<string, unknown> & { name: string };

/** n8n's own Xero node (typeVersion 1, n8n-nodes-base 2.41.1) on n8n's own Xero credential, as a user sets it up. */
function nativeXero(name: string, credential: { id: string; name: string }, resource: 'invoice' | 'contact', limit: number | 'all', y: number): Node {
  return {
    id: randomUUID(),
    name,
    type: 'n8n-nodes-base.xero',
    typeVersion: 1,
    position: [240, y],
    parameters: {
      organizationId: DEMO_TENANT_ID,
      resource,
      operation: 'getAll',
      returnAll: limit === 'all',
      ...(limit === 'all' ? {} : { limit }),
      options: {},
    },
    credentials: { xeroOAuth2Api: credential },
  };
}

/**
 * One tick of the Schedule Trigger + Get Many job: a Webhook stands in for the Schedule Trigger (its
 * timer runs in real minutes), both Get Many nodes hang off it (a chain would run the second once per
 * item of the first), invoices above contacts so that n8n's v1 order runs them in the replay's order.
 */
function nativeTick(path: string, credential: { id: string; name: string }, limit: number | 'all'): Record<string, unknown> {
  const invoices = nativeXero('Get Many Invoices', credential, 'invoice', limit, 0);
  const contacts = nativeXero('Get Many Contacts', credential, 'contact', limit, 200);
  return {
    name: path,
    nodes: [
      {
        id: randomUUID(),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 100],
        webhookId: randomUUID(),
        parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
      },
      invoices,
      contacts,
    ],
    connections: {
      Webhook: {
        main: [
          [
            { node: invoices.name, type: 'main', index: 0 },
            { node: contacts.name, type: 'main', index: 0 },
          ],
        ],
      },
    },
    settings: { executionOrder: 'v1' },
  };
}

/** Accounting API calls since `seq`, each with its query (from the proxy, in the same order) and its status (from the simulator). */
function callsSince(sim: Simulator, seq: number, proxy: XeroHostProxy, forwardedBefore: number): LoggedCall[] {
  const logged = sim.log(seq).flatMap((e) => (e.type === 'request' && e.endpoint === 'accounting' ? [e] : []));
  const forwarded = proxy.forwarded.slice(forwardedBefore).filter((r) => r.includes('/api.xro/2.0/'));
  return logged.map((e, i) => ({ request: (forwarded[i] ?? `${e.method} ${e.path}`).replace('/api.xro/2.0/', '/'), status: e.status }));
}

const lastSeq = (sim: Simulator): number => sim.log().at(-1)?.seq ?? 0;

/** Runs a native tick once through its webhook and reads back the one execution it made. */
async function runTick(n8n: N8nHandle, sim: Simulator, proxy: XeroHostProxy, path: string, workflowId: string): Promise<NativeRun> {
  const seq = lastSeq(sim);
  const forwardedBefore = proxy.forwarded.length;
  const answer = await n8n.webhook(path);
  if (answer.status !== 200) throw new Error(`the ${path} workflow's webhook answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  const execution = await waitFor(
    `the ${path} execution to end`,
    async () => {
      const [e] = await n8n.executions({ workflowId, limit: 1 });
      return e && e.status !== 'running' && e.status !== 'new' ? e : undefined;
    },
    120_000,
  );
  const runData = execution.data.resultData.runData;
  const error = execution.data.resultData.error;
  return {
    status: execution.status,
    calls: callsSince(sim, seq, proxy, forwardedBefore),
    ran: Object.keys(runData),
    error: error ? [error.message, error.description].filter(Boolean).join(': ') : null,
    itemsOut: Object.fromEntries(
      Object.entries(runData)
        .filter(([node]) => node !== 'Webhook')
        .map(([node, runs]) => [node, runs[0]?.data?.main?.[0]?.length ?? 0]),
    ),
  };
}

/** The trigger's items (their resource ids, lower case) of one execution. */
function resourceIdsOf(execution: N8nExecution): string[] {
  const items = nodeOutput(execution, XERO_TRIGGER_NODE);
  return items.map((item) => String(item.json.resourceId).toLowerCase());
}

export async function measureOnN8n(book: { contacts: number; invoices: number }, changes: number): Promise<N8nSection> {
  const { sim } = await startE2eSimulator();
  let proxy: XeroHostProxy | undefined;
  let n8n: N8nHandle | undefined;
  try {
    sim.accounting.seed(DEMO_TENANT_ID, { ...book, seed: 26 });
    proxy = await startXeroHostProxy(sim.apiUrl);
    const booted = Date.now();
    n8n = await startN8n({
      // n8n's default log level: startN8n's debug level is for the e2e suites' log checks and slows every execution.
      env: { ...proxy.n8nEnv, N8N_LOG_LEVEL: 'info' },
    });
    const bootMs = Date.now() - booted;

    const nativeCred = nativeXeroCredentialFor(sim.seedGrant({ email: 'native@xero-guard.test', scopes: SCOPES, tenants: [DEMO_TENANT_ID] }));
    const guardCred = credentialFor(sim, sim.seedGrant({ scopes: SCOPES, tenants: [DEMO_TENANT_ID] }), { name: 'Xero Guard (bench)', scopes: SCOPES });
    guardCred.data.webhookSecret = WEBHOOK_KEY;
    await n8n.importCredentials([nativeCred, guardCred]);

    // The bench's own connection for the bookkeeper's writes and the baseline (not n8n's credentials).
    const own: SimulatorTokenResponse = sim.seedGrant({ email: 'bookkeeper@xero-guard.test', scopes: SCOPES, tenants: [DEMO_TENANT_ID] });
    const tokens: XeroTokenSource = { getAccessToken: async () => own.access_token, reportRejected: async () => undefined };
    const client = new XeroAccountingClient({ tokens, tenantId: DEMO_TENANT_ID, endpoints: { apiUrl: sim.apiUrl }, clock: systemClock });
    const contactIds: string[] = [];
    for await (const page of client.pages({ path: 'Contacts', query: { pageSize: 1000 } }))
      for (const c of page.records) contactIds.push(String((c as { ContactID: string }).ContactID));
    const bookkeeper = new Bookkeeper(client, contactIds);

    const credential = { id: nativeCred.id, name: nativeCred.name };
    const allId = await n8n.importWorkflow(nativeTick('native-return-all', credential, 'all'));
    const limitedId = await n8n.importWorkflow(nativeTick('native-limit-100', credential, 100));
    await n8n.activate(allId);
    await n8n.activate(limitedId);
    const returnAll = await runTick(n8n, sim, proxy, 'native-return-all', allId);
    // A sales invoice made just before the limited tick: does a tick that reads one page see it?
    const fresh = await bookkeeper.change();
    const counts = sim.accounting.counts(DEMO_TENANT_ID);
    const limited = await runTick(n8n, sim, proxy, 'native-limit-100', limitedId);
    const [limitedRun] = await n8n.executions({ workflowId: limitedId, limit: 1 });
    const invoicesOut = limitedRun ? nodeOutput(limitedRun, 'Get Many Invoices') : [];
    limited.seesNewInvoice = invoicesOut.some((item) => String(item.json.InvoiceID).toLowerCase() === fresh.recordId);
    await n8n.deactivate(allId);
    await n8n.deactivate(limitedId);

    // The Xero Guard Trigger in webhook mode on the same app; catch-up off, so only deliveries start executions.
    const trigger = xeroTriggerWorkflow('bench-webhook', { id: guardCred.id, name: guardCred.name }, { mode: 'webhook', catchUpMinutes: 0 });
    const triggerId = await n8n.importWorkflow(trigger.workflow);
    await n8n.activate(triggerId);
    const url = xeroTriggerUrl(n8n.url, trigger.webhookId);
    // n8n registers the production URL a moment after the activation answers; the node answers an unsigned body 401.
    await waitFor(
      'the trigger production URL to be registered',
      async () => ((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status === 401 ? true : undefined),
      90_000,
      300,
    );
    const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url, key: WEBHOOK_KEY });
    if (webhook.status !== 'on') throw new Error(`the simulator's intent-to-receive check did not pass on ${url}: ${JSON.stringify(webhook.intentToReceive)}`);

    const seen = new Set((await n8n.executions({ workflowId: triggerId })).map((e) => e.id));
    const delaysMs: number[] = [];
    const fromSentMs: number[] = [];
    const toStoppedMs: number[] = [];
    const toDeliveredMs: number[] = [];
    const kinds: ChangeKind[] = [];
    let missing = 0;
    for (let i = 0; i < changes; i++) {
      const seq = lastSeq(sim);
      const sentAt = Date.now();
      // The simulator delivers on its own once the call has been answered, as Xero does.
      const change = await bookkeeper.change();
      const answeredAt = Date.now();
      kinds.push(change.kind);
      const started = await waitFor(
        `an execution for change ${i + 1} (${change.kind})`,
        async () => {
          const fresh = (await n8n!.executions({ workflowId: triggerId, limit: 5 })).filter((e) => !seen.has(e.id));
          return fresh.find((e) => e.status !== 'running' && e.status !== 'new' && resourceIdsOf(e).includes(change.eventResourceId));
        },
        EXECUTION_TIMEOUT_MS,
        // How often n8n is asked does not enter the figure (n8n's own startedAt does); 100 or 500 ms gave the same.
        200,
      ).catch(() => undefined);
      if (!started?.startedAt) {
        missing++;
        continue;
      }
      seen.add(started.id);
      // When n8n's webhook answered the delivery (the simulator logs it then, on the real clock here).
      const delivered = sim.log(seq).find((e) => e.type === 'webhook' && e.kind === 'delivery' && e.status === 200);
      if (delivered) toDeliveredMs.push(delivered.at - answeredAt);
      const at = Date.parse(started.startedAt);
      delaysMs.push(at - answeredAt);
      fromSentMs.push(at - sentAt);
      if (started.stoppedAt) toStoppedMs.push(Date.parse(started.stoppedAt) - answeredAt);
    }
    const executions = (await n8n.executions({ workflowId: triggerId })).length;

    // The baseline: one plain HTTP round trip to this simulator, from this process, in this run.
    const roundTrip = percentiles(
      await sample(200, 20, () =>
        fetchTransport({
          method: 'GET',
          url: `${sim.apiUrl}/api.xro/2.0/Organisation`,
          headers: { accept: 'application/json', authorization: `Bearer ${own.access_token}`, 'xero-tenant-id': DEMO_TENANT_ID },
        }),
      ),
    );
    return {
      version: n8n.version,
      bootMs,
      returnAll,
      limited,
      book: { contacts: counts.Contacts ?? 0, invoices: counts.Invoices ?? 0 },
      roundTrip,
      delaysMs,
      fromSentMs,
      toStoppedMs,
      toDeliveredMs,
      kinds,
      missing,
      executions,
    };
  } finally {
    await n8n?.stop();
    await proxy?.close();
    await sim.close();
  }
}
