/**
 * xero api: one call to Xero's Accounting API through a xero-connection's guarded chain, over the
 * core's client (tenant header, paging, dates, Idempotency-Key, rate-limit waits, 401 healing,
 * classification). Output 1: the answer (one message, one per page, or every record in one);
 * output 2: msg.error with the category, action and advice (for a Catch node: msg.xeroGuard); never a token.
 */
import { XeroGuardError } from '../src/errors';
import { adviceFor, checkResultForError, shortStatus } from '../src/host';
import { MAX_PAGE_SIZE, XeroApiError, type XeroMethod, type XeroQuery } from '../src/xero/accounting';
import { connectionOf, type ConnectionHandle } from './lib/connection-handle';
import type { Done, NodeConfig, NodeMessage, RED, RuntimeNode, Send } from './lib/red';
import { NODE_RED_WORDS, showInitialStatus } from './lib/status';

const METHODS: readonly XeroMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
type Paging = 'one' | 'pages' | 'all';
/** "all records in one message" holds them in memory: past this many, page messages are the way. */
const MAX_RECORDS_IN_ONE = 100_000;

/** What a call needs, from the node's settings with msg overriding. */
interface CallPlan {
  method: XeroMethod;
  path: string;
  tenantId: string;
  query: XeroQuery;
  paging: Paging;
  body: unknown;
  ifModifiedSince?: string;
  idempotencyKey?: string;
  stableId: string;
  maxWaitSeconds?: number;
}

/** A mistake in the node's settings or the msg: named in the user's words, nothing sent to Xero. */
class InputProblem extends Error {}

export = function register(red: RED): void {
  function XeroApiNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const errorsTo = config.errors === 'catch' ? 'catch' : 'output';
    showInitialStatus(this, conn);
    const unsubscribe = conn?.session.onEngineEvent((event) => {
      if (event.type === 'refresh_started') this.status({ fill: 'yellow', shape: 'ring', text: 'refreshing the access token' });
    });

    this.on('input', async (msg: NodeMessage, send: Send, done: Done) => {
      try {
        if (!conn) throw new InputProblem('This node has no xero-connection: open it, pick or add a xero-connection, and deploy.');
        const plan = planOf(config, msg, conn, this.id);
        await run(this, conn, plan, msg, send);
        done();
      } catch (error) {
        fail(this, conn, error, msg, send, done, errorsTo);
      }
    });

    this.on('close', () => unsubscribe?.());
  }

  red.nodes.registerType('xero api', XeroApiNode);
};

async function run(node: RuntimeNode, conn: ConnectionHandle, plan: CallPlan, msg: NodeMessage, send: Send): Promise<void> {
  const client = await conn.session.accounting();
  const base = {
    path: plan.path,
    tenantId: plan.tenantId,
    query: plan.query,
    ...(plan.ifModifiedSince ? { ifModifiedSince: plan.ifModifiedSince } : {}),
    ...(plan.maxWaitSeconds !== undefined ? { maxWaitSeconds: plan.maxWaitSeconds } : {}),
  };
  node.status({ fill: 'blue', shape: 'ring', text: shortStatus(`${plan.method} ${plan.path}`) });

  if (plan.paging === 'one' || plan.method !== 'GET') {
    const r = await client.request({
      ...base,
      method: plan.method,
      ...(plan.body !== undefined ? { body: plan.body } : {}),
      stableId: plan.stableId,
      ...(plan.idempotencyKey ? { idempotencyKey: plan.idempotencyKey } : {}),
    });
    msg.payload = r.body;
    msg.xero = {
      status: r.status,
      tenantId: plan.tenantId,
      method: plan.method,
      path: plan.path,
      limits: r.limits,
      correlationId: r.correlationId,
      idempotencyKey: r.idempotencyKey,
      elementErrors: r.elementErrors,
      waitedSeconds: r.waitedSeconds,
    };
    node.status({
      fill: r.elementErrors.length > 0 ? 'yellow' : 'green',
      shape: 'dot',
      text: shortStatus(
        `${r.status} ${plan.method} ${plan.path}${r.elementErrors.length > 0 ? `: ${r.elementErrors.length} refused` : ''}${limitsText(r.limits.dayRemaining)}`,
      ),
    });
    send([msg, null]);
    return;
  }

  let records = 0;
  let pages = 0;
  let dayRemaining: number | null = null;
  const all: unknown[] = [];
  for await (const page of client.pages(base)) {
    pages++;
    records += page.records.length;
    dayRemaining = page.limits.dayRemaining ?? dayRemaining;
    node.status({ fill: 'blue', shape: 'ring', text: `page ${page.page}: ${records} records so far` });
    if (plan.paging === 'pages') {
      // One message per page, each its own (msg is copied so downstream nodes never share one page's array).
      const out: NodeMessage = {
        ...msg,
        payload: page.records,
        xero: {
          status: page.status,
          tenantId: plan.tenantId,
          path: plan.path,
          page: page.page,
          pagination: page.pagination,
          records: page.records.length,
          limits: page.limits,
        },
      };
      delete out._msgid;
      send([out, null]);
    } else {
      if (records > MAX_RECORDS_IN_ONE) {
        throw new InputProblem(
          `More than ${MAX_RECORDS_IN_ONE} records: too many for one message. Set "Return" to one message per page, or narrow the query with a where filter.`,
        );
      }
      for (const record of page.records) all.push(record);
    }
  }
  if (plan.paging === 'all') {
    msg.payload = all;
    msg.xero = { tenantId: plan.tenantId, path: plan.path, pages, records };
    send([msg, null]);
  }
  node.status({ fill: 'green', shape: 'dot', text: shortStatus(`${records} records in ${pages} page${pages === 1 ? '' : 's'}${limitsText(dayRemaining)}`) });
}

function limitsText(dayRemaining: number | null): string {
  return dayRemaining === null ? '' : ` (${dayRemaining} calls left today)`;
}

/** Errors go to output 2 (or to Catch nodes) with msg.error: the classification and the fix, scrubbed of secrets. */
function fail(node: RuntimeNode, conn: ConnectionHandle | null, error: unknown, msg: NodeMessage, send: Send, done: Done, errorsTo: 'output' | 'catch'): void {
  const scrub = (text: string) => (conn ? conn.scrub(text) : text);
  const info = errorInfo(error, conn);
  const detail: Record<string, unknown> = { ...info, message: scrub(String(info.message)) };
  node.status({ fill: 'red', shape: 'dot', text: shortStatus(scrub(String(info.status))) });
  delete detail.status;
  if (errorsTo === 'output') {
    msg.error = detail;
    send([null, msg]);
    done();
    return;
  }
  // Node-RED's Catch node makes its own msg.error (message, source, code): our fields ride as msg.xeroGuard, as the other nodes do.
  msg.xeroGuard = detail;
  done(Object.assign(new Error(String(detail.message)), { code: detail.code }));
}

/** The fields a flow branches on. Xero's own failures keep the client's classification; setup and input problems say what to fix. */
function errorInfo(error: unknown, conn: ConnectionHandle | null): Record<string, unknown> {
  if (error instanceof XeroApiError) {
    const json = error.toJSON();
    const reconnect = error.action === 'reauthenticate' ? ` ${NODE_RED_WORDS.reconnect}.` : '';
    return { ...json, advice: `${error.advice}${reconnect}`, status: `${error.httpStatus ?? ''} ${error.summary}`.trim() };
  }
  if (error instanceof InputProblem) {
    return {
      name: 'XeroGuardError',
      code: 'BAD_INPUT',
      message: error.message,
      category: 'validation_error',
      action: 'fix_request',
      retryable: false,
      summary: error.message,
      advice: 'Fix the node or the message; nothing was sent to Xero.',
      status: error.message,
    };
  }
  // The engine's and the ledger's own errors (a dead refresh token, a database down): the same classification a check gives.
  const advice = adviceFor(error, NODE_RED_WORDS, conn?.secrets ?? []);
  const problem = checkResultForError(error).problem;
  return {
    name: 'XeroGuardError',
    code: error instanceof XeroGuardError ? error.code : 'UNEXPECTED',
    message: error instanceof Error ? error.message : String(error),
    category: problem?.category ?? 'unknown',
    action: problem?.action ?? 'alert',
    retryable: problem?.retryable ?? false,
    summary: problem?.summary ?? advice.status,
    advice: advice.advice,
    retryAfterSeconds: problem?.retryAfterSeconds ?? null,
    status: advice.status,
  };
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The call from the node's settings, msg.method / msg.path / msg.tenantId / msg.query / msg.payload overriding. */
function planOf(config: NodeConfig, msg: NodeMessage, conn: ConnectionHandle, nodeId: string): CallPlan {
  const method = (text(msg.method) || text(config.method) || 'GET').toUpperCase() as XeroMethod;
  if (!METHODS.includes(method)) throw new InputProblem(`Method "${method}" is not one Xero's Accounting API takes: use GET, POST, PUT, PATCH or DELETE.`);
  const path = text(msg.path) || text(config.path) || text(config.resource);
  if (!path)
    throw new InputProblem(
      'No resource or path: pick a resource (Invoices, Contacts, ...) in the node, type a path such as Invoices/<InvoiceID>, or set msg.path.',
    );
  const tenantId = text(msg.tenantId) || text(config.tenantId) || conn.settings.tenantId;
  if (!tenantId)
    throw new InputProblem('No organisation: pick one in this node or in the xero-connection node (after "Connect to Xero"), or set msg.tenantId.');
  const query = { ...queryOf(config.query, "the node's Query"), ...queryOf(msg.query, 'msg.query') };
  const pageSize = Number(config.pageSize);
  if (query.pageSize === undefined && Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE) query.pageSize = pageSize;
  const paging: Paging = config.paging === 'pages' || config.paging === 'all' ? config.paging : 'one';
  const writes = method !== 'GET' && method !== 'DELETE';
  const wait = Number(config.maxWaitSeconds);
  return {
    method,
    path,
    tenantId,
    query,
    paging,
    body: writes ? msg.payload : undefined,
    ...(text(msg.ifModifiedSince) ? { ifModifiedSince: text(msg.ifModifiedSince) } : {}),
    ...(text(msg.idempotencyKey) ? { idempotencyKey: text(msg.idempotencyKey) } : {}),
    // The same msg retried (a delay node looping back) carries the same _msgid: Xero sees the same key and creates nothing twice.
    stableId: `${nodeId}:${text(msg._msgid) || String(Date.now())}`,
    ...(config.maxWaitSeconds !== undefined && config.maxWaitSeconds !== '' && Number.isFinite(wait) && wait >= 0 ? { maxWaitSeconds: wait } : {}),
  };
}

function queryOf(value: unknown, where: string): XeroQuery {
  if (value === undefined || value === null || value === '') return {};
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InputProblem(`${where} is not valid JSON: write it as {"where": "Status==\\"AUTHORISED\\"", "order": "Date DESC"}.`);
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InputProblem(`${where} must be an object such as {"statuses": ["AUTHORISED"]}.`);
  const query: XeroQuery = {};
  for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') query[name] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) query[name] = v as string[];
    else if (v !== undefined && v !== null) throw new InputProblem(`${where}: option "${name}" must be text, a number, true/false or a list of texts.`);
  }
  return query;
}
