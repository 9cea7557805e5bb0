/**
 * The Node-RED nodes for the Xero work and for many organisations, in a real Node-RED runtime
 * (node-red-node-test-helper) against the real simulator: the `xero api` node (pages, writes with
 * an Idempotency-Key, classified errors to output 2 or to Catch), the watch's per-organisation
 * messages and call-budget warnings, and the `xero fleet` node that lists the ledger without Xero.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY, MINUTE, OffsetClock } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../src/simulator';
import type { ShownFleetEntry } from '../../src/fleet';
import type { HandleCheckResult } from '../../node-red/lib/connection-handle';
import type { NodeStatus } from '../../node-red/lib/red';
import type { SimRequest } from '../helpers/sim-log';
import { allowAtSimulator, callbackIn, connectionNode, expectNoSecrets, inputDone, issuedSecrets, startConnect, until, type SpyCall } from './support';

const helper = require('node-red-node-test-helper');
const ALL = ['xero-connection', 'xero-check-connection', 'xero-connection-watch', 'xero-api', 'xero-fleet'].map((name) => require(`../../node-red/${name}`));

helper.init(require.resolve('node-red'));

/** A message a node sent, as these tests read it: the topic, and the payload (typed where a test reads into it). */
type Msg<P = unknown> = { topic: string; payload: P };
/** `xero api` (node-red/xero-api.ts): Xero's answer as the payload, the call in msg.xero; msg.error on the error output, msg.xeroGuard beside a Catch node's. */
type ApiMsg<P = unknown> = Msg<P> & {
  _msgid: string;
  xero?: {
    page: number;
    pages: number;
    records: number;
    limits: { dayRemaining: number };
    idempotencyKey: string;
    method: string;
    path: string;
    tenantId: string;
  };
  error?: { code: string; message: string; validationMessages: string[] };
  xeroGuard?: Record<string, unknown>;
};
/** `xero connection watch`: an organisation's or a budget's alert (node-red/xero-connection-watch.ts). */
type WatchAlert = {
  organisation?: { tenantId: string; tenantName: string };
  event: { reason: string };
  reconnect: { url: string } | null;
  title: string;
  summary: string;
  message: string;
  advice: string;
};
/** `xero fleet`: the listing (src/fleet), each chain with its editor link, and the apps against their caps. */
type FleetListing = { chains: Array<ShownFleetEntry & { editorUrl: string | null }>; apps: unknown[] };
/** `xero fleet` as a watchdog: one chain's change. */
type FleetAlert = { event: { name: string }; summary: string };
/** Node-RED's log, as the helper's spy records it. */
type LogEntry = { level: number; id?: string; msg: unknown };

let sim: Simulator;
let clock: OffsetClock;
let userDir: string;
let counter = 0;
let user = '';
const INVOICES = 250;

beforeAll(async () => {
  clock = new OffsetClock();
  sim = await startSimulator({
    clock,
    clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, redirectUris: [], allowAnyLoopbackRedirect: true }],
  });
  sim.accounting.seed(DEMO_TENANT_ID, { invoices: INVOICES, contacts: 20 });
  await helper.startServer();
});

afterAll(async () => {
  await helper.stopServer();
  await sim.close();
});

beforeEach(() => {
  user = `org-user${++counter}@xero-guard.test`;
  userDir = mkdtempSync(join(tmpdir(), 'xg-nr-orgs-'));
  helper.settings({ userDir, xeroGuard: { clock } });
});

afterEach(async () => {
  if (process.env.XG_DEBUG) for (const call of helper.log().getCalls()) console.log(JSON.stringify(call.args[0]).slice(0, 600));
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

function connection(name: string, tenantId = '') {
  return connectionNode(sim, `orgconn${++counter}`, name, tenantId);
}

async function connect(conn: ReturnType<typeof connection>, tenants: string[] = [DEMO_TENANT_ID], email = user): Promise<void> {
  const started = await startConnect(conn.id, { ...conn.node, ...conn.credentials });
  expect(started.status).toBe(200);
  const callback = new URL(await allowAtSimulator(started.body.authorizeUrl, { email, tenants }));
  const landed = await callbackIn(started, callback);
  expect(landed.status).toBe(200);
}

async function load(flow: Array<Record<string, unknown>>, credentials: Record<string, object>): Promise<void> {
  const onTab = flow.map((n) => (n.type === 'xero-connection' ? n : { ...n, z: 'tab1' }));
  await helper.load(ALL, [{ id: 'tab1', type: 'tab', label: 'test' }, ...onTab], credentials);
}

function collect<M = Msg>(ids: string[]): Array<{ from: string; msg: M }> {
  const seen: Array<{ from: string; msg: M }> = [];
  for (const id of ids) helper.getNode(id).on('input', (msg: M) => seen.push({ from: id, msg }));
  return seen;
}

function statusesOf(id: string): Array<{ fill?: string; text?: string }> {
  return helper._NodePrototype.status
    .getCalls()
    .filter((c: SpyCall) => c.thisValue?.id === id)
    .map((c: SpyCall) => c.args[0] as NodeStatus);
}

/** Sends msg into `id` and waits until the node has called done, messages sent. */
const run = inputDone;

/** A watch poll: any input checks now; done once the check and its messages are through. */
function poll(id: string): Promise<void> {
  return run(id, {});
}

function requestsTo(endpoint: string, since: number): number {
  return sim.log(since).filter((e) => e.type === 'request' && e.endpoint === endpoint).length;
}

function lastSeq(): number {
  return sim.log().at(-1)?.seq ?? 0;
}

describe('xero api', () => {
  it('reads every page of invoices once (one message per page, or all in one), creates a contact once for a retried message, and reports the call budget', async () => {
    const conn = connection('Books', DEMO_TENANT_ID);
    const flow = [
      conn.node,
      {
        id: 'pagesNode',
        type: 'xero api',
        connection: conn.id,
        method: 'GET',
        resource: 'Invoices',
        paging: 'pages',
        pageSize: '100',
        wires: [['out'], ['err']],
      },
      { id: 'allNode', type: 'xero api', connection: conn.id, method: 'GET', resource: 'Invoices', paging: 'all', pageSize: '100', wires: [['out'], ['err']] },
      { id: 'create', type: 'xero api', connection: conn.id, method: 'PUT', resource: 'Contacts', wires: [['out'], ['err']] },
      { id: 'out', type: 'helper' },
      { id: 'err', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn);
    const seen = collect<ApiMsg<Array<{ InvoiceID: string; Date: string }>>>(['out', 'err']);

    await run('pagesNode', { topic: 'sync' });
    expect(seen.filter((m) => m.from === 'err')).toEqual([]);
    const pages = seen.map((m) => m.msg);
    expect(pages.map((m) => m.xero!.page)).toEqual([1, 2, 3]);
    expect(pages.map((m) => m.payload.length)).toEqual([100, 100, INVOICES - 200]);
    expect(new Set(pages.flatMap((m) => m.payload.map((i) => i.InvoiceID))).size).toBe(INVOICES);
    // Each page is its own message, carrying the input's topic; dates come as ISO 8601.
    expect(new Set(pages.map((m) => m._msgid)).size).toBe(3);
    expect(pages[0].topic).toBe('sync');
    expect(pages[0].payload[0].Date).toMatch(/^\d{4}-\d\d-\d\d/);
    expect(pages[0].xero!.limits.dayRemaining).toEqual(expect.any(Number));
    expect(statusesOf('pagesNode').at(-1)).toMatchObject({
      fill: 'green',
      text: expect.stringMatching(new RegExp(`^${INVOICES} records in 3 pages \\(\\d+ calls left\\)$`)),
    });

    seen.length = 0;
    await run('allNode', {});
    expect(seen).toHaveLength(1);
    expect(seen[0].msg.payload).toHaveLength(INVOICES);
    expect(seen[0].msg.xero).toMatchObject({ pages: 3, records: INVOICES });

    // A write, retried as a delay loop would (the same msg id): one contact, the same Idempotency-Key.
    seen.length = 0;
    const before = sim.accounting.counts(DEMO_TENANT_ID).Contacts;
    const msg = { _msgid: 'retried-once', payload: { Contacts: [{ Name: 'Acme Plumbing Ltd' }] } };
    await run('create', { ...msg });
    await run('create', { ...msg });
    expect(seen.map((m) => m.from)).toEqual(['out', 'out']);
    expect(sim.accounting.counts(DEMO_TENANT_ID).Contacts - before).toBe(1);
    expect((seen[0].msg.payload as unknown as { Contacts: unknown[] }).Contacts[0]).toMatchObject({ Name: 'Acme Plumbing Ltd', ContactID: expect.any(String) });
    expect(seen[1].msg.xero!.idempotencyKey).toBe(seen[0].msg.xero!.idempotencyKey);
    // Another message is another record.
    await run('create', { payload: { Contacts: [{ Name: 'Beta Bakery' }] } });
    expect(sim.accounting.counts(DEMO_TENANT_ID).Contacts - before).toBe(2);
  });

  it('errors: a validation error with Xero words, a long 429 and a bad input go to output 2 classified; to Catch nodes when asked; never a token', async () => {
    const conn = connection('Books', DEMO_TENANT_ID);
    const flow = [
      conn.node,
      { id: 'api', type: 'xero api', connection: conn.id, method: 'GET', resource: 'Contacts', wires: [['out'], ['err']] },
      { id: 'put', type: 'xero api', connection: conn.id, method: 'PUT', resource: 'Contacts', wires: [['out'], ['err']] },
      { id: 'anyMethod', type: 'xero api', connection: conn.id, method: 'msg', resource: 'Contacts', wires: [['out'], ['err']] },
      { id: 'caught', type: 'xero api', connection: conn.id, method: 'GET', resource: 'Contacts', errors: 'catch', wires: [['out'], ['err']] },
      { id: 'catchIt', type: 'catch', scope: ['caught'], uncaught: false, wires: [['catcher']] },
      { id: 'noTenant', type: 'xero api', connection: conn.id, method: 'GET', resource: 'Contacts', wires: [['out'], ['err']] },
      { id: 'out', type: 'helper' },
      { id: 'err', type: 'helper' },
      { id: 'catcher', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn);
    const seen = collect<ApiMsg>(['out', 'err', 'catcher']);

    // Xero's 400 ValidationException: its own words, fix_request.
    await run('put', { payload: { Contacts: [{ Name: '' }] } });
    expect(seen.map((m) => m.from)).toEqual(['err']);
    const invalid = seen[0].msg.error!;
    expect(invalid).toMatchObject({ category: 'validation_error', action: 'fix_request', httpStatus: 400 });
    expect(invalid.validationMessages.length).toBeGreaterThan(0);
    expect(invalid.message).toContain(invalid.validationMessages[0]);

    // A day limit (Retry-After 600, past the 60 s the node waits): at once, with the wait to honour.
    seen.length = 0;
    sim.faults.add({ kind: 'rate-limit', endpoint: 'accounting', problem: 'day', retryAfter: 600, times: 1 });
    await run('api', {});
    expect(seen.map((m) => m.from)).toEqual(['err']);
    expect(seen[0].msg.error).toMatchObject({ category: 'rate_limit_day', retryAfterSeconds: 600, httpStatus: 429 });
    expect(statusesOf('api').at(-1)).toMatchObject({ fill: 'red' });

    // To Catch nodes: the second output stays empty, the Catch node gets msg.error.
    seen.length = 0;
    sim.faults.add({ kind: 'rate-limit', endpoint: 'accounting', problem: 'minute', retryAfter: 600, times: 1 });
    helper.getNode('caught').receive({});
    await new Promise<void>((resolve) => helper.getNode('catcher').once('input', () => resolve()));
    expect(seen.map((m) => m.from)).toEqual(['catcher']);
    expect(seen[0].msg.error).toMatchObject({ code: 'XERO_API_ERROR', source: { id: 'caught' } });
    expect(seen[0].msg.xeroGuard).toMatchObject({ category: 'rate_limit_minute', retryAfterSeconds: 600, action: 'wait_and_retry' });

    // Input mistakes are named, and nothing is sent.
    seen.length = 0;
    const since = lastSeq();
    await run('api', { query: '{not json' });
    await run('anyMethod', { method: 'FETCH' });
    expect(seen.map((m) => m.msg.error!.code)).toEqual(['BAD_INPUT', 'BAD_INPUT']);
    expect(seen[0].msg.error!.message).toContain('msg.query is not valid JSON');
    expect(seen[1].msg.error!.message).toContain('GET, POST, PUT, PATCH or DELETE');
    expect(requestsTo('accounting', since)).toBe(0);

    const texts: Array<[string, string]> = seen.map((m) => [m.from, JSON.stringify(m.msg)]);
    for (const call of helper._NodePrototype.status.getCalls()) texts.push(['status', JSON.stringify(call.args[0])]);
    for (const call of helper.log().getCalls()) texts.push(['log', JSON.stringify(call.args[0])]);
    expectNoSecrets(texts, [DEMO_CLIENT_SECRET, ...issuedSecrets(sim)]);
  });

  it('what the node sets, msg cannot change (one warning per field per deploy); msg fills what the node leaves to it', async () => {
    const conn = connection('Practice');
    const node = (id: string, extra: Record<string, unknown>) => ({ id, type: 'xero api', connection: conn.id, wires: [['out'], ['err']], ...extra });
    const flow = [
      conn.node,
      node('fixed', { method: 'GET', resource: 'Invoices', tenantId: DEMO_TENANT_ID, query: '{"where": "Type==\\"ACCREC\\""}', pageSize: '5' }),
      node('open', { method: 'msg', resource: '', tenantId: '' }),
      { id: 'out', type: 'helper' },
      { id: 'err', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn, [DEMO_TENANT_ID, SECOND_TENANT_ID]);
    const seen = collect<ApiMsg<{ Organisations: Array<{ Name: string }> }>>(['out', 'err']);
    const since = lastSeq();
    const before = sim.accounting.counts(SECOND_TENANT_ID).Contacts;
    const attack = {
      method: 'PUT',
      path: 'Contacts',
      tenantId: SECOND_TENANT_ID,
      query: { where: 'true', order: 'Date DESC' },
      payload: { Contacts: [{ Name: 'X' }] },
    };
    for (let i = 0; i < 3; i++) await run('fixed', { ...attack });
    const calls = sim.log(since).filter((e): e is SimRequest => e.type === 'request' && e.endpoint === 'accounting');
    expect(calls.map((e) => `${e.method} ${e.path}`)).toEqual(Array(3).fill('GET /api.xro/2.0/Invoices'));
    expect(sim.accounting.counts(SECOND_TENANT_ID).Contacts).toBe(before);
    expect(seen.map((m) => `${m.from} ${m.msg.xero!.method} ${m.msg.xero!.path} ${m.msg.xero!.tenantId}`)).toEqual(
      Array(3).fill(`out GET Invoices ${DEMO_TENANT_ID}`),
    );
    const warnings = helper
      .log()
      .getCalls()
      .map((c: SpyCall) => c.args[0] as LogEntry)
      .filter((e: LogEntry) => e.level === helper.log().WARN && e.id === 'fixed')
      .map((e: LogEntry) => String(e.msg).split(' ')[0]);
    expect(warnings.sort()).toEqual(['msg.method', 'msg.path', 'msg.query.where', 'msg.tenantId']);

    // A node that leaves them to msg: msg.method, msg.path and msg.tenantId choose.
    seen.length = 0;
    await run('open', { method: 'get', path: 'Organisation', tenantId: SECOND_TENANT_ID });
    expect(seen[0].msg.payload.Organisations[0].Name).toBe('Guard Test Ltd (AU)');
    await run('open', { tenantId: SECOND_TENANT_ID });
    expect(seen[1].msg.error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('msg.path') });
  });

  it('a connection reaching two organisations and none chosen: says to pick one; msg.tenantId picks it', async () => {
    const conn = connection('Practice');
    const flow = [
      conn.node,
      { id: 'api', type: 'xero api', connection: conn.id, method: 'GET', resource: 'Organisation', wires: [['out'], ['err']] },
      { id: 'out', type: 'helper' },
      { id: 'err', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn, [DEMO_TENANT_ID, SECOND_TENANT_ID]);
    const seen = collect<ApiMsg<{ Organisations: Array<{ Name: string }> }>>(['out', 'err']);
    await run('api', {});
    expect(seen[0].from).toBe('err');
    expect(seen[0].msg.error!.message).toContain('No organisation');
    await run('api', { tenantId: SECOND_TENANT_ID });
    expect(seen[1].from).toBe('out');
    expect(seen[1].msg.payload.Organisations[0].Name).toBe('Guard Test Ltd (AU)');
  });
});

/**
 * Between the nodes and the simulator: while `refused` holds a tenant, its Organisation reads go to
 * the simulator under a tenant this grant never connected, so the simulator itself answers Xero's
 * 403 for that one organisation while /connections still lists it.
 */
async function refusingProxy(): Promise<{ url: string; refused: Set<string>; close(): Promise<void> }> {
  const refused = new Set<string>();
  const target = new URL(sim.apiUrl);
  const server: Server = createServer((req, res) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
    const tenant = String(headers['xero-tenant-id'] ?? '');
    if (/\/organisation$/i.test(req.url ?? '') && refused.has(tenant)) headers['xero-tenant-id'] = '00000000-0000-4000-8000-000000000403';
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname.replace(/\/$/, '')}${req.url}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, refused, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('xero connection watch, per organisation', () => {
  it('an organisation added: one message; a 403 for one organisation still listed: one message naming it, the other stays silent, one when it answers again; no rotation', async () => {
    const proxy = await refusingProxy();
    try {
      const conn = connection('Practice');
      conn.node.apiUrl = proxy.url;
      const flow = [
        conn.node,
        { id: 'watch', type: 'xero connection watch', connection: conn.id, interval: 1, intervalUnits: 'hours', checkOnStart: false, wires: [['alerts']] },
        { id: 'alerts', type: 'helper' },
      ];
      await load(flow, { [conn.id]: conn.credentials });
      await connect(conn, [DEMO_TENANT_ID]);
      const seen = collect<Msg<WatchAlert>>(['alerts']);
      await poll('watch');
      // A second organisation ticked at Xero: one message, once.
      await connect(conn, [DEMO_TENANT_ID, SECOND_TENANT_ID]);
      await poll('watch');
      await poll('watch');
      expect(seen.map((m) => [m.msg.topic, m.msg.payload.organisation?.tenantName, m.msg.payload.reconnect])).toEqual([
        ['xero/organisation/organisation_added', 'Guard Test Ltd (AU)', null],
      ]);
      seen.length = 0;
      const rotations = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
      proxy.refused.add(SECOND_TENANT_ID);
      await poll('watch');
      await poll('watch');
      expect(seen.map((m) => [m.msg.topic, m.msg.payload.organisation?.tenantName])).toEqual([
        ['xero/organisation/organisation_unreachable', 'Guard Test Ltd (AU)'],
      ]);
      expect(seen[0].msg.payload.event.reason).toContain('403');
      expect(seen[0].msg.payload.reconnect!.url).toMatch(new RegExp(`#node/${conn.id}$`));
      proxy.refused.clear();
      await poll('watch');
      await poll('watch');
      expect(seen.map((m) => m.msg.topic)).toEqual(['xero/organisation/organisation_unreachable', 'xero/organisation/organisation_recovered']);
      expect((sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - rotations).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('one message per organisation disconnected, none while it stays so, one when it comes back; a limited watch hears only its own; a revocation is one connection-wide message', async () => {
    const conn = connection('Practice');
    const flow = [
      conn.node,
      { id: 'watch', type: 'xero connection watch', connection: conn.id, interval: 1, intervalUnits: 'hours', checkOnStart: false, wires: [['alerts']] },
      {
        id: 'onlyDemo',
        type: 'xero connection watch',
        connection: conn.id,
        interval: 1,
        intervalUnits: 'hours',
        checkOnStart: false,
        organisations: 'Demo Company (NZ)',
        wires: [['limited']],
      },
      { id: 'alerts', type: 'helper' },
      { id: 'limited', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    const known = new Set(sim.connections().map((c) => c.id));
    await connect(conn, [DEMO_TENANT_ID, SECOND_TENANT_ID]);
    const mine = sim.connections().filter((c) => !known.has(c.id));
    const seen = collect<Msg<WatchAlert>>(['alerts', 'limited']);
    const both = async () => {
      await poll('watch');
      await poll('onlyDemo');
    };
    await both();
    expect(seen).toEqual([]);

    sim.removeConnection(mine.find((c) => c.tenantId === SECOND_TENANT_ID)!.id);
    await both();
    await both();
    expect(seen.map((m) => [m.from, m.msg.topic])).toEqual([['alerts', 'xero/organisation/organisation_disconnected']]);
    const gone = seen[0].msg.payload;
    expect(gone.organisation).toEqual({ tenantId: SECOND_TENANT_ID, tenantName: 'Guard Test Ltd (AU)' });
    // The texts are the core's alert table in Node-RED's words: the title names the connection and the organisation.
    expect(gone.title).toBe('Xero connection "Practice" (organisation Guard Test Ltd (AU)) needs reconnecting');
    expect(gone.summary).toMatch(/^No longer connected: the organisation was disconnected from the app in Xero/);
    expect(gone.message).toContain(`Reconnect: ${gone.reconnect!.url}`);
    expect(gone.reconnect!.url).toMatch(new RegExp(`#node/${conn.id}$`));
    expect(gone.advice).toContain('Connect to Xero');
    expect(gone.advice).not.toMatch(/n8n|Connect my account|credential/i);

    // Connected again with both: that organisation is back, once.
    seen.length = 0;
    await connect(conn, [DEMO_TENANT_ID, SECOND_TENANT_ID]);
    await both();
    await both();
    expect(seen.map((m) => [m.from, m.msg.topic, m.msg.payload.organisation?.tenantId])).toEqual([
      ['alerts', 'xero/organisation/organisation_recovered', SECOND_TENANT_ID],
    ]);

    // The whole grant revoked: one connection-wide message per watch, no per-organisation one.
    seen.length = 0;
    sim.revokeUser(user);
    await both();
    await both();
    expect(seen.map((m) => [m.from, m.msg.topic])).toEqual([
      ['alerts', 'xero/connection/problem'],
      ['limited', 'xero/connection/problem'],
    ]);
    const texts: Array<[string, string]> = seen.map((m) => [m.from, JSON.stringify(m.msg)]);
    for (const call of helper.log().getCalls()) texts.push(['log', JSON.stringify(call.args[0])]);
    expectNoSecrets(texts, [DEMO_CLIENT_SECRET, ...issuedSecrets(sim)]);
  });

  it('call budget: one warning under the threshold, none after, checks skip an organisation in its reserve, one message on recovery; the check reports it', async () => {
    // A fresh day window for the demo organisation at the simulator, and a small day limit.
    clock.advance(2 * DAY);
    sim.accounting.setTenantRateLimits(DEMO_TENANT_ID, { perDay: 40, enabled: true });
    // The thresholds of settings.js (xeroGuard.budget) apply to the check and to the watch alike. Its fixed day limit
    // stands for the simulator's small one: without it the node's tier (Starter, the default) would say 1,000.
    helper.settings({ userDir, xeroGuard: { clock, budget: { warnFraction: 0.25, dayLimit: 40 } } });
    try {
      const conn = connection('Books', DEMO_TENANT_ID);
      const flow = [
        conn.node,
        {
          id: 'watch',
          type: 'xero connection watch',
          connection: conn.id,
          interval: 1,
          intervalUnits: 'hours',
          checkOnStart: false,
          budgetWarnPercent: '',
          wires: [['alerts']],
        },
        { id: 'api', type: 'xero api', connection: conn.id, method: 'GET', resource: 'Currencies', wires: [['out'], ['err']] },
        { id: 'check', type: 'xero check connection', connection: conn.id, wires: [['checked'], ['checked']] },
        { id: 'alerts', type: 'helper' },
        { id: 'out', type: 'helper' },
        { id: 'err', type: 'helper' },
        { id: 'checked', type: 'helper' },
      ];
      await load(flow, { [conn.id]: conn.credentials });
      await connect(conn);
      const seen = collect(['alerts', 'err', 'checked']);
      const spend = async (n: number) => {
        for (let i = 0; i < n; i++) await run('api', {});
      };
      await poll('watch'); // 39 left of settings.js's 40
      await spend(30); // 9 left
      expect(seen.filter((m) => m.from === 'alerts')).toEqual([]);
      await poll('watch'); // 8 left: under 25% of 40
      await poll('watch'); // 7 left
      const alerts = () => seen.filter((m) => m.from === 'alerts');
      expect(alerts().map((m) => m.msg.topic)).toEqual(['xero/organisation/budget_low']);
      expect(alerts()[0].msg.payload).toMatchObject({
        organisation: { tenantId: DEMO_TENANT_ID, tenantName: 'Demo Company (NZ)' },
        event: { dayRemaining: 8, dayLimit: 40, threshold: 10 },
      });
      expect((alerts()[0].msg.payload as WatchAlert).title).toBe('Xero connection "Books": organisation Demo Company (NZ) is running out of Xero calls today');
      expect((alerts()[0].msg.payload as WatchAlert).summary).toBe("8 of 40 calls left in Xero's rolling day.");

      await run('check', {});
      const report = seen.filter((m) => m.from === 'checked').at(-1)!.msg.payload as HandleCheckResult;
      expect(report.budget).toEqual([
        expect.objectContaining({ tenantId: DEMO_TENANT_ID, tenantName: 'Demo Company (NZ)', dayRemaining: 6, dayLimit: 40, level: 'low' }),
      ]);

      await spend(5); // 1 left: the reserve
      const since = lastSeq();
      await poll('watch');
      await run('check', {});
      expect(requestsTo('organisation', since)).toBe(0);
      expect((seen.filter((m) => m.from === 'checked').at(-1)!.msg.payload as HandleCheckResult).budgetSkipped).toEqual([DEMO_TENANT_ID]);
      expect(alerts()).toHaveLength(1);

      // A day later the window is free again: the next answer shows it, and the watch says so once.
      clock.advance(DAY + MINUTE);
      await spend(1);
      await poll('watch');
      await poll('watch');
      expect(alerts().map((m) => m.msg.topic)).toEqual(['xero/organisation/budget_low', 'xero/organisation/budget_recovered']);
      expect(seen.filter((m) => m.from === 'err')).toEqual([]);
    } finally {
      sim.accounting.setTenantRateLimits(DEMO_TENANT_ID, undefined);
    }
  });
});

describe('xero fleet', () => {
  it("by default lists only its own xero-connection's chain, by an id, never a key or client id (issue 24, item 2)", async () => {
    const books = connection('Smith & Co books');
    const other = connection('Jones Ltd');
    await load([books.node, other.node, { id: 'fleet', type: 'xero fleet', connection: books.id, wires: [['listing']] }, { id: 'listing', type: 'helper' }], {
      [books.id]: books.credentials,
      [other.id]: other.credentials,
    });
    await connect(books);
    await connect(other, [DEMO_TENANT_ID], `jones${counter}@xero-guard.test`);
    const seen = collect<Msg<FleetListing>>(['listing']);
    await run('fleet', {});
    const listing = seen.find((m) => m.from === 'listing')!.msg.payload;
    expect(listing.chains.map((c) => [c.name, c.state, typeof c.id, c.editorUrl!.endsWith(`#node/${books.id}`)])).toEqual([
      ['Smith & Co books', 'active', 'string', true],
    ]);
    expect(JSON.stringify(listing)).not.toMatch(new RegExp(`"key"|${DEMO_CLIENT_ID}|Jones Ltd`));
    // Its Xero app against the tier's connection limit (issue 28): by a fingerprint, the tier the node sets (Starter by default).
    expect(listing.apps).toEqual([expect.objectContaining({ app: expect.stringMatching(/^app [0-9a-f]{8}$/), tier: 'starter', cap: 5 })]);
  });

  it('lists every chain of the ledger by its node name and state without a call to Xero (settings.js fleetScope: ledger); the watchdog says once when one needs a reconnect', async () => {
    helper.settings({ userDir, xeroGuard: { clock, fleetScope: 'ledger' } });
    const books = connection('Smith & Co books');
    const other = connection('Jones Ltd');
    const flow = [
      books.node,
      other.node,
      { id: 'fleet', type: 'xero fleet', connection: books.id, wires: [['listing']] },
      { id: 'fleetWatch', type: 'xero fleet', connection: books.id, mode: 'watchdog', interval: 1, intervalUnits: 'hours', wires: [['changes']] },
      { id: 'check', type: 'xero check connection', connection: other.id, wires: [['checked'], ['checked']] },
      { id: 'listing', type: 'helper' },
      { id: 'changes', type: 'helper' },
      { id: 'checked', type: 'helper' },
    ];
    await load(flow, { [books.id]: books.credentials, [other.id]: other.credentials });
    await connect(books);
    const jones = `jones${counter}@xero-guard.test`;
    await connect(other, [DEMO_TENANT_ID], jones);
    await run('check', {});
    const seen = collect(['listing', 'changes']);

    const since = lastSeq();
    await run('fleet', {});
    await run('fleetWatch', {});
    expect(sim.log(since).filter((e) => e.type === 'request')).toEqual([]);
    const listing = seen.find((m) => m.from === 'listing')!.msg.payload as FleetListing;
    expect(listing.chains.map((c) => [c.name, c.nameSource, c.state])).toEqual([
      ['Jones Ltd', 'stored', 'active'],
      ['Smith & Co books', 'stored', 'active'],
    ]);
    expect(listing.chains[0].organisations).toEqual([expect.objectContaining({ tenantId: DEMO_TENANT_ID, tenantName: 'Demo Company (NZ)' })]);
    expect(listing.chains[1].editorUrl).toMatch(new RegExp(`#node/${books.id}$`));
    // The watchdog looked at deploy (an empty ledger): both chains are new to it since, once each.
    expect(
      seen.filter((m) => m.from === 'changes' && m.msg.topic !== 'xero/fleet').map((m) => [m.msg.topic, (m.msg.payload as FleetAlert).event.name]),
    ).toEqual([
      ['xero/fleet/added', 'Jones Ltd'],
      ['xero/fleet/added', 'Smith & Co books'],
    ]);

    // Jones revokes access; a check learns of it and the ledger records it; the watchdog says so once.
    sim.revokeUser(jones);
    await run('check', {});
    seen.length = 0;
    await run('fleetWatch', {});
    await run('fleetWatch', {});
    const changes = seen.filter((m) => m.msg.topic === 'xero/fleet/changed');
    expect(changes).toHaveLength(1);
    expect(changes[0].msg.payload).toMatchObject({
      event: { name: 'Jones Ltd', from: 'active', to: 'needs_reauth' },
      reconnect: { url: expect.stringMatching(new RegExp(`#node/${other.id}$`)) },
    });
    expect((changes[0].msg.payload as FleetAlert).summary).toContain('"Jones Ltd" needs attention');
    expectNoSecrets([['fleet', JSON.stringify(seen)]], [DEMO_CLIENT_SECRET, ...issuedSecrets(sim)]);
  });

  it('a xero-connection renamed and deployed again: the fleet shows the new name', async () => {
    const conn = connection('Old name');
    await load([conn.node], { [conn.id]: conn.credentials });
    await connect(conn);
    await helper.unload();
    const renamed = { ...conn.node, name: 'Harbour Cafe (renamed)' };
    await load([renamed, { id: 'fleet', type: 'xero fleet', connection: conn.id, wires: [['listing']] }, { id: 'listing', type: 'helper' }], {
      [conn.id]: conn.credentials,
    });
    const seen = collect<Msg<FleetListing>>(['listing']);
    // The name is stored when the node opens its ledger at deploy, best effort: list until it shows
    // (bounded in time, not in tries: opening the ledger derives its key, slow on a busy machine).
    let names: string[] = [];
    await until('the new name in the listing', async () => {
      await run('fleet', {});
      names = seen.at(-1)!.msg.payload.chains.map((c) => c.name);
      return names.includes('Harbour Cafe (renamed)') ? true : undefined;
    }).catch(() => undefined);
    expect(names).toEqual(['Harbour Cafe (renamed)']);
  });
});
