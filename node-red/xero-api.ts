/**
 * xero api: one call to Xero's Accounting API through a xero-connection's guarded chain, over the
 * core's client (tenant header, paging, dates, Idempotency-Key, rate-limit waits, 401 healing,
 * classification). Output 1: the answer (one message, one per page, or every record in one);
 * output 2: msg.error with the category, action and advice (for a Catch node: msg.xeroGuard); never a token.
 *
 * What the node sets, msg does not change (Node-RED's own http request node keeps the same rule):
 * msg.method, msg.path, msg.tenantId and msg.query fill only what the node leaves empty (Method
 * "from msg.method", Resource "from msg.path", no Organisation, a query option the node does not
 * set); a msg that tries to change a set field is ignored, with one warning per field per deploy.
 * A flow that spreads webhook JSON onto msg must not turn a read into a write, or call another
 * organisation.
 */
import { MAX_PAGE_SIZE, type XeroMethod, type XeroQuery } from '../src/xero/accounting';
import { connectionOf, type ConnectionHandle } from './lib/connection-handle';
import { failureOf, InputProblem } from './lib/failure';
import type { Done, NodeConfig, NodeMessage, RED, RuntimeNode, Send } from './lib/red';
import { followConnection, type NodeDots } from './lib/status';

const METHODS: readonly XeroMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
type Paging = 'one' | 'pages' | 'all';
/** "all records in one message" holds them in memory: past this many, page messages are the way. */
const MAX_RECORDS_IN_ONE = 100_000;

/** What a call needs: the node's settings, msg filling what they leave empty. */
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

export = function register(red: RED): void {
  function XeroApiNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const errorsTo = config.errors === 'catch' ? 'catch' : 'output';
    const dots = followConnection(this, conn);
    /** The fields a msg tried to change this deploy: each is warned about once. */
    const warned = new Set<string>();
    const ignored = (field: string, why: string): void => {
      if (warned.has(field)) return;
      warned.add(field);
      this.warn(`msg.${field} was ignored: ${why} (told once per deploy)`);
    };

    this.on('input', async (msg: NodeMessage, send: Send, done: Done) => {
      try {
        if (!conn) throw new InputProblem('This node has no xero-connection: open it, pick or add a xero-connection, and deploy.');
        const plan = planOf(config, msg, conn, this.id, ignored);
        await run(dots, conn, plan, msg, send);
        done();
      } catch (error) {
        fail(dots, conn, error, msg, send, done, errorsTo);
      }
    });

    this.on('close', () => dots.close());
  }

  red.nodes.registerType('xero api', XeroApiNode);
};

async function run(dots: NodeDots, conn: ConnectionHandle, plan: CallPlan, msg: NodeMessage, send: Send): Promise<void> {
  const client = await conn.session.accounting();
  const base = {
    path: plan.path,
    tenantId: plan.tenantId,
    query: plan.query,
    ...(plan.ifModifiedSince ? { ifModifiedSince: plan.ifModifiedSince } : {}),
    ...(plan.maxWaitSeconds !== undefined ? { maxWaitSeconds: plan.maxWaitSeconds } : {}),
  };
  dots.show({ fill: 'blue', shape: 'ring', text: `${plan.method} ${plan.path}` });

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
    dots.show({
      fill: r.elementErrors.length > 0 ? 'yellow' : 'green',
      shape: 'dot',
      text: `${r.status} ${plan.method} ${plan.path}${r.elementErrors.length > 0 ? `: ${r.elementErrors.length} refused` : ''}${limitsText(r.limits.dayRemaining)}`,
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
    dots.show({ fill: 'blue', shape: 'ring', text: `page ${page.page}: ${records} records so far` });
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
  dots.show({ fill: 'green', shape: 'dot', text: `${records} records in ${pages} page${pages === 1 ? '' : 's'}${limitsText(dayRemaining)}` });
}

function limitsText(dayRemaining: number | null): string {
  return dayRemaining === null ? '' : ` (${dayRemaining} calls left)`;
}

/** Errors go to output 2 (or to Catch nodes) with msg.error: the classification and the fix in Node-RED's words, scrubbed of secrets. */
function fail(dots: NodeDots, conn: ConnectionHandle | null, error: unknown, msg: NodeMessage, send: Send, done: Done, errorsTo: 'output' | 'catch'): void {
  const { fields, status } = failureOf(error, (text) => (conn ? conn.scrub(text) : text), conn?.secrets ?? []);
  dots.show({ fill: 'red', shape: 'dot', text: status });
  if (errorsTo === 'output') {
    msg.error = fields;
    send([null, msg]);
    done();
    return;
  }
  // Node-RED's Catch node makes its own msg.error (message, source, code): our fields ride as msg.xeroGuard, as the other nodes do.
  msg.xeroGuard = fields;
  done(Object.assign(new Error(String(fields.message)), { code: fields.code }));
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** A msg field that tried to change what the node sets: which, and why it was ignored. */
type Ignored = (field: string, why: string) => void;

/**
 * The call from the node's settings; msg.method, msg.path, msg.tenantId and msg.query fill only
 * what the node leaves empty (a field the node sets, msg cannot change: `ignored` is told).
 */
function planOf(config: NodeConfig, msg: NodeMessage, conn: ConnectionHandle, nodeId: string, ignored: Ignored): CallPlan {
  const own = text(config.method).toUpperCase();
  const fixed = METHODS.includes(own as XeroMethod);
  const asked = text(msg.method).toUpperCase();
  if (fixed && asked && asked !== own) ignored('method', `this node's Method is ${own}; to let msg.method choose, set Method to "from msg.method"`);
  const method = (fixed ? own : asked || 'GET') as XeroMethod;
  if (!METHODS.includes(method)) throw new InputProblem(`Method "${method}" is not one Xero's Accounting API takes: use GET, POST, PUT, PATCH or DELETE.`);

  const ownPath = text(config.path) || text(config.resource);
  const askedPath = text(msg.path);
  if (ownPath && askedPath && askedPath !== ownPath)
    ignored('path', `this node calls ${ownPath}; to let msg.path choose, set Resource to "from msg.path" and leave Path empty`);
  const path = ownPath || askedPath;
  if (!path)
    throw new InputProblem(
      'No resource or path: pick a resource (Invoices, Contacts, ...) in the node, type a path such as Invoices/<InvoiceID>, or set msg.path with Resource "from msg.path".',
    );

  const ownTenant = text(config.tenantId);
  const askedTenant = text(msg.tenantId);
  if (ownTenant && askedTenant && askedTenant !== ownTenant)
    ignored('tenantId', "this node's Organisation is set; to let msg.tenantId choose, set Organisation to the connection's organisation");
  const tenantId = ownTenant || askedTenant || conn.settings.tenantId;
  if (!tenantId)
    throw new InputProblem('No organisation: pick one in this node or in the xero-connection node (after "Connect to Xero"), or set msg.tenantId.');

  const ownQuery = queryOf(config.query, "the node's Query");
  const askedQuery = queryOf(msg.query, 'msg.query');
  for (const [name, value] of Object.entries(askedQuery)) {
    if (name in ownQuery && JSON.stringify(ownQuery[name]) !== JSON.stringify(value))
      ignored(`query.${name}`, `this node's Query sets ${name}; msg.query may only add options the node does not set`);
  }
  const query = { ...askedQuery, ...ownQuery };
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
