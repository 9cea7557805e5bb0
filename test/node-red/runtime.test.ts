/**
 * A real Node-RED 5 runtime on Node 24 with the packed package installed in its userDir (npm
 * install of the tarball, as docs/node-red.md says), adminAuth on, against the simulator in this
 * process: the Connect flow in headless Chromium, a restart that keeps the rotated chain with no
 * deploy, the attacks on the admin routes of issue 14 (a reader, a page on another site, a browser
 * that did not start the connect) against a hostile server on loopback; issue 29's first hour of a
 * Node-RED user (one alert per change across full deploys and a restart, Node-RED's words, the
 * classification kept downstream, the xero api editor's organisation list, two examples on one
 * connection) and issue 24's msg override of xero api. One boot (and one restart) for all.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MINUTE, OffsetClock } from '../../src/clock';
import { ACTION_GROUPS, type Classification } from '../../src/classify';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../src/simulator';
import { freePort } from '../../tools/free-port';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../helpers/chromium';
import { createNodeRed, REPO, type NodeRed } from './runtime-harness';
import type { HandleCheckResult } from '../../node-red/lib/connection-handle';
import type { SimRequest } from '../helpers/sim-log';
import { allowAtSimulator, expectNoSecrets, issuedSecrets, until } from './support';

const CONN = 'a1b2c3d4e5f60001'; // the watchdog example's config node: the connection key
const WATCH = 'a1b2c3d4e5f60011';
const TAB = 'c0ffee0000000010';
const EXAMPLE_TAB = 'a1b2c3d4e5f60010';

/** What the status route answers the editor (node-red/lib/connect-routes.ts): the fields these tests read. */
type ChainView = { state: string; message?: string; version?: number; lastConnect?: { at: string } | null };
/** /xg/refresh: the xero refresh token node's msg.payload. */
type Refreshed = { refreshed: boolean; version: number };
/** /xg/classify: the flow's answer, what xero api put in msg.error and what xero classify error made of it, and the action group. */
type Routed = { group: string; classification: Classification; error: { message: string; action: string; advice: string } };
/** The Node-RED editor's globals a test drives in the browser (page.evaluate runs there), and the test's own debug log. */
type EditorGlobals = {
  RED: {
    nodes: { node(id: string): unknown };
    editor: { editConfig(name: string, type: string, id: string): void; edit(node: unknown): void };
    comms: { subscribe(topic: string, handler: (topic: string, message: unknown) => void): void };
    clipboard: { import(): void };
  };
  $: (selector: string) => { trigger(event: string): void };
  location: { pathname: string };
  xgDebug: unknown[];
};

let sim: Simulator;
let clock: OffsetClock;
let nodeRed: NodeRed | undefined;
let browser: Browser | undefined;
let hooks: Server;
let hooksUrl = '';
const slack: Array<{ text: string; raw: string }> = [];
let userDir = '';
const INVOICES = 2500;

/**
 * A thief's server on loopback: records every request; its API answers 401 (so a careless client
 * refreshes), its token endpoint hands out its own tokens, /attack is a page that posts a form to
 * Node-RED as soon as it loads.
 */
const hostile = { server: null as Server | null, requests: [] as Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }> };
let attackPage: { action: string; fields: Record<string, unknown> } = { action: '', fields: {} };
const hostilePort = () => {
  const address = hostile.server?.address();
  return typeof address === 'object' && address ? address.port : 0;
};
const hostileUrl = () => `http://127.0.0.1:${hostilePort()}`;

function startHostile(): Promise<void> {
  hostile.server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hostile.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/attack') {
        const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
        const inputs = Object.entries(attackPage.fields)
          .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
          .join('');
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<!doctype html><form id="f" method="POST" action="${esc(attackPage.action)}">${inputs}</form><script>document.getElementById('f').submit()</script>`,
          );
      } else if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            access_token: 'planted-access-token-0000000000000000',
            refresh_token: 'planted-refresh-token-000000000000000',
            expires_in: 1800,
            token_type: 'Bearer',
            scope: 'offline_access',
          }),
        );
      } else {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"Title":"Unauthorized"}');
      }
    });
  });
  return new Promise((r) => hostile.server!.listen(0, '127.0.0.1', () => r()));
}

/**
 * Xero's sign-in on another site than the editor (localhost, the editor 127.0.0.1): the browser
 * comes back to the callback on a cross-site redirect, as from login.xero.com, so the SameSite=Lax
 * cookie that binds the connect to the browser is proved to ride it.
 */
const consentUrl = () => sim.authorizeUrl.replace('//127.0.0.1:', '//localhost:');

/** The watchdog example as a user imports it, pointed at the simulator and a local Slack stand-in. */
function flow(): unknown[] {
  const example = JSON.parse(readFileSync(join(REPO, 'examples', 'node-red', 'watchdog-to-slack.json'), 'utf8')) as Array<Record<string, unknown>>;
  const nodes = example.map((n) => {
    if (n.type === 'xero-connection') {
      return {
        ...n,
        tenantId: DEMO_TENANT_ID,
        useCustomEndpoints: true,
        authorizeUrl: consentUrl(),
        tokenUrl: sim.tokenUrl,
        apiUrl: sim.apiUrl,
        credentials: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET },
      };
    }
    if (n.type === 'xero connection watch') return { ...n, interval: 1, intervalUnits: 'seconds' };
    if (n.type === 'http request') return { ...n, url: `${hooksUrl}/services/T000/B000/node-red` };
    return n;
  });
  const http = (id: string, method: string, url: string, to: string) => ({
    id,
    type: 'http in',
    z: TAB,
    name: '',
    url,
    method,
    upload: false,
    swaggerDoc: '',
    wires: [[to]],
  });
  const response = { id: 'c0ffee0000000099', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] };
  const test = [
    { id: TAB, type: 'tab', label: 'test endpoints' },
    http('c0ffee0000000001', 'get', '/xg/check', 'c0ffee0000000002'),
    {
      id: 'c0ffee0000000002',
      type: 'xero check connection',
      z: TAB,
      name: '',
      connection: CONN,
      tenantId: '',
      wires: [['c0ffee0000000099'], ['c0ffee0000000099']],
    },
    http('c0ffee0000000003', 'post', '/xg/refresh', 'c0ffee0000000004'),
    { id: 'c0ffee0000000004', type: 'xero refresh token', z: TAB, name: '', connection: CONN, mode: 'force', setHeaders: false, wires: [['c0ffee0000000099']] },
    // Any input makes the watch check now; the complete node answers once that check is done.
    // Complete nodes and wires stay within one tab: these three sit on the example's tab.
    { ...http('c0ffee0000000005', 'get', '/xg/poll', WATCH), z: EXAMPLE_TAB },
    { id: 'c0ffee0000000006', type: 'complete', z: EXAMPLE_TAB, name: '', scope: [WATCH], uncaught: false, wires: [['c0ffee0000000098']] },
    { ...response, id: 'c0ffee0000000098', z: EXAMPLE_TAB },
    { id: 'c0ffee0000000007', type: 'catch', z: TAB, name: '', scope: ['c0ffee0000000004'], uncaught: false, wires: [['c0ffee0000000008']] },
    {
      id: 'c0ffee0000000008',
      type: 'function',
      z: TAB,
      name: '',
      func: 'msg.statusCode = 500; msg.payload = { error: msg.error.message, xeroGuard: msg.xeroGuard }; return msg;',
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      wires: [['c0ffee0000000099']],
    },
    response,
  ];
  const api = [
    // All pages of invoices in one message; the function reports what arrived, not 2,500 records over HTTP.
    http('c0ffee0000000020', 'get', '/xg/invoices', 'c0ffee0000000021'),
    xeroApi('c0ffee0000000021', { paging: 'all', pageSize: '1000' }, [['c0ffee0000000022'], ['c0ffee0000000023']]),
    fn(
      'c0ffee0000000022',
      'const ids = new Set(msg.payload.map((i) => i.InvoiceID)); msg.payload = { records: msg.payload.length, unique: ids.size, pages: msg.xero.pages, firstDate: msg.payload[0] && msg.payload[0].Date }; return msg;',
      'c0ffee0000000099',
    ),
    fn('c0ffee0000000023', 'msg.statusCode = 502; msg.payload = { error: msg.error }; return msg;', 'c0ffee0000000099'),
    http('c0ffee0000000024', 'post', '/xg/contact', 'c0ffee0000000025'),
    xeroApi('c0ffee0000000025', { method: 'PUT', resource: 'Contacts' }, [['c0ffee0000000099'], ['c0ffee0000000023']]),
    {
      id: 'c0ffee0000000026',
      type: 'xero fleet',
      z: TAB,
      name: '',
      connection: CONN,
      mode: 'list',
      interval: 5,
      intervalUnits: 'minutes',
      wires: [['c0ffee0000000099']],
    },
    http('c0ffee0000000027', 'get', '/xg/fleet', 'c0ffee0000000026'),
  ];
  return [...nodes, ...test, ...api, ...classified(), ...webhook()];
}

/** A xero api node as the editor saves one: every setting present (the editor refuses a deploy of one it cannot validate). */
const xeroApi = (id: string, settings: Record<string, unknown>, wires: string[][]) => ({
  id,
  type: 'xero api',
  z: TAB,
  name: '',
  connection: CONN,
  tenantId: '',
  method: 'GET',
  resource: 'Invoices',
  path: '',
  query: '',
  paging: 'one',
  pageSize: '',
  maxWaitSeconds: '60',
  errors: 'output',
  ...settings,
  wires,
});

const fn = (id: string, func: string, to: string, outputs = 1) => ({
  id,
  type: 'function',
  z: TAB,
  name: '',
  outputs,
  timeout: 0,
  noerr: 0,
  initialize: '',
  finalize: '',
  libs: [],
  func,
  wires: [[to]],
});

/**
 * GET /xg/classify: xero api reads the Organisation; its error goes through xero classify error
 * (automatic input, one output per action group), and the answer says which group, with both the
 * classification and xero api's msg.error.
 */
function classified(): unknown[] {
  const groups = ACTION_GROUPS.map((group, i) =>
    fn(
      `c0ffee00000000${40 + i}`,
      `msg.payload = { group: ${JSON.stringify(group)}, classification: msg.classification, error: msg.error }; return msg;`,
      'c0ffee0000000099',
    ),
  );
  return [
    {
      id: 'c0ffee0000000030',
      type: 'http in',
      z: TAB,
      name: '',
      url: '/xg/classify',
      method: 'get',
      upload: false,
      swaggerDoc: '',
      wires: [['c0ffee0000000031']],
    },
    xeroApi('c0ffee0000000031', { resource: 'Organisation' }, [['c0ffee0000000099'], ['c0ffee0000000032']]),
    {
      id: 'c0ffee0000000032',
      type: 'xero classify error',
      z: TAB,
      name: '',
      source: 'auto',
      property: 'payload',
      target: 'classification',
      outputMode: 'groups',
      rules: '',
      outputs: 5,
      wires: groups.map((g) => [g.id]),
    },
    ...groups,
  ];
}

/**
 * POST /xg/webhook: a flow that spreads webhook JSON onto msg (issue 24, item 5) in front of a xero
 * api node set to GET Invoices for the demo organisation; the answer is xero api's msg.xero or msg.error.
 */
function webhook(): unknown[] {
  return [
    {
      id: 'c0ffee0000000050',
      type: 'http in',
      z: TAB,
      name: '',
      url: '/xg/webhook',
      method: 'post',
      upload: false,
      swaggerDoc: '',
      wires: [['c0ffee0000000051']],
    },
    fn('c0ffee0000000051', 'Object.assign(msg, msg.payload); return msg;', 'c0ffee0000000052'),
    xeroApi('c0ffee0000000052', { name: 'Invoices of the demo company', tenantId: DEMO_TENANT_ID, query: '{"page": 1}' }, [
      ['c0ffee0000000053'],
      ['c0ffee0000000053'],
    ]),
    fn('c0ffee0000000053', 'msg.payload = { xero: msg.xero, error: msg.error }; return msg;', 'c0ffee0000000099'),
  ];
}

/** The JSON an endpoint of the test's flow or an admin route answers, as the shape `T` the caller reads. */
async function json<T = unknown>(path: string, init?: RequestInit): Promise<T> {
  const res = await (nodeRed as NodeRed).api(path, { signal: AbortSignal.timeout(20_000), ...init });
  return res.json() as Promise<T>;
}

/** A JSON post to an admin route as the editor sends it: its own Origin, and a login when given. */
function editorPost(body: unknown, token?: string, origin = nodeRed!.url): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  };
}

/** The editor's dialog body for the deployed connection: its settings, the password placeholder for the secret. */
function dialogBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(flow().find((n) => (n as { id?: unknown }).id === CONN) as object),
    clientId: DEMO_CLIENT_ID,
    clientSecret: '__PWRD__',
    redirectUri: `${nodeRed!.url}/xero-guard/connect/callback`,
    ...extra,
  };
}

/** The editor's status view of the deployed connection, as a reader sees it. */
async function statusView(token?: string): Promise<ChainView> {
  return json<ChainView>(`/xero-guard/connections/${CONN}/status`, editorPost({}, token));
}

/** The start route as an admin: the authorize URL, and the cookie that binds the sign-in to this browser. */
async function startConnect(
  body: Record<string, unknown>,
  editor = nodeRed!.url,
): Promise<{ status: number; authorizeUrl?: string; error?: string; cookie: string }> {
  const res = await fetch(`${editor}/xero-guard/connections/${CONN}/authorize`, {
    ...editorPost(body, await nodeRed!.login('admin'), editor),
    signal: AbortSignal.timeout(20_000),
  });
  const answer = (await res.json()) as { authorizeUrl?: string; error?: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { status: res.status, ...answer, cookie };
}

/**
 * Connect to Xero without a browser (the start route, the consent form, the callback route with the
 * start's cookie), from an editor opened at `editor` (default: Node-RED's own address).
 */
async function connectOverHttp(options: { editor?: string; tenants?: string[] } = {}): Promise<void> {
  const editor = options.editor ?? nodeRed!.url;
  const started = await startConnect(dialogBody({ redirectUri: `${editor}/xero-guard/connect/callback` }), editor);
  const callback = await allowAtSimulator(started.authorizeUrl as string, { tenants: options.tenants ?? [DEMO_TENANT_ID] });
  const landed = await fetch(callback, { headers: { cookie: started.cookie } });
  expect(landed.status).toBe(200);
}

beforeAll(async () => {
  clock = new OffsetClock();
  sim = await startSimulator({ clock });
  sim.accounting.seed(DEMO_TENANT_ID, { invoices: INVOICES });
  hooks = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      let text = '';
      try {
        text = String(JSON.parse(raw).text);
      } catch {
        text = '';
      }
      slack.push({ text, raw });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  const address = hooks.address();
  hooksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await startHostile();
  userDir = mkdtempSync(join(tmpdir(), 'xg-nr-runtime-'));
  const started = Date.now();
  nodeRed = await createNodeRed(userDir);
  const installed = Date.now();
  await nodeRed.start();
  process.stderr.write(`[xero-guard node-red] package ready in ${installed - started} ms, Node-RED started in ${Date.now() - installed} ms\n`);
  await nodeRed.deploy(flow());
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await nodeRed?.stop();
  await sim?.close();
  await new Promise<void>((r) => (hooks ? hooks.close(() => r()) : r()));
  await new Promise<void>((r) => (hostile.server ? hostile.server.close(() => r()) : r()));
  const left = nodeRed?.leftovers() ?? [];
  if (userDir && !process.env.XG_KEEP) rmSync(userDir, { recursive: true, force: true });
  else if (userDir) process.stderr.write(`kept ${userDir}\n`);
  expect(left).toEqual([]);
}, 60_000);

/** On failure: the Node-RED log tail in the error. */
function withLog(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (error) {
      const tail = nodeRed ? nodeRed.log().split('\n').slice(-60).join('\n') : '';
      if (error instanceof Error) error.message = `${error.message}\n--- Node-RED log (tail) ---\n${tail}`;
      throw error;
    }
  };
}

/** Headless Chromium, launched once for the file. */
async function chromiumOnce(): Promise<Browser> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
  return browser;
}

/** The editor in a fresh browser context, logged in as the admin (as the editor keeps its login: a token in localStorage), its flows loaded. */
async function editorPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await (await chromiumOnce()).newContext();
  const token = await nodeRed!.login('admin');
  await context.addInitScript(
    (t: string) => globalThis.localStorage.setItem('auth-tokens', JSON.stringify({ access_token: t, expires_in: 604800, token_type: 'Bearer' })),
    token,
  );
  const page = await context.newPage();
  await page.goto(nodeRed!.url);
  await page.waitForFunction((id: string) => (globalThis as unknown as Partial<EditorGlobals>).RED?.nodes?.node?.(id), CONN, { timeout: 60_000 });
  return { context, page };
}

it(
  'Connect to Xero in headless Chromium: the editor button, the simulator consent page, the callback, then the editor shows who is connected to which tenant',
  withLog(async () => {
    const { context, page } = await editorPage();
    await page.evaluate(() => (globalThis as unknown as EditorGlobals).RED.editor.editConfig('', 'xero-connection', 'a1b2c3d4e5f60001'));
    await page.waitForSelector('#node-config-xero-connect', { state: 'visible' });
    const popupPromise = page.waitForEvent('popup');
    await page.click('#node-config-xero-connect');
    const popup = await popupPromise;
    await popup.waitForSelector('#allow', { timeout: 30_000 });
    expect(new URL(popup.url()).hostname).toBe('localhost'); // another site than the editor's 127.0.0.1
    expect(new URL(popup.url()).searchParams.get('code_challenge_method')).toBe('S256');
    await popup.click('#allow');
    await popup.waitForSelector('#xero-guard-title', { timeout: 30_000 });
    expect(await popup.textContent('#xero-guard-title')).toBe('Connected to Xero');
    expect(await popup.textContent('#xero-guard-message')).toContain('Connected as demo@xero-guard.test to Demo Company (NZ)');
    // The editor's dialog polls the status route and shows who is connected to which tenants.
    let shown = '';
    await until(
      'the dialog to show the connection',
      async () => {
        shown = `${await page.textContent('#node-config-xero-connect-status')} | ${await page.textContent('#node-config-xero-connected')}`;
        return /Connected as Demo User <demo@xero-guard\.test> to 1 organisation/.test(shown) ? true : undefined;
      },
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the dialog shows: ${shown}`);
    });
    expect(await page.textContent('.xero-guard-tenants')).toContain('Demo Company (NZ)');
    // Stored in the ledger under the config node's id, sealed: the running flow uses it.
    const check = await json<HandleCheckResult>('/xg/check');
    expect(check).toMatchObject({ status: 'connected', tenants: [{ tenantId: DEMO_TENANT_ID }], organisation: { Name: 'Demo Company (NZ)' } });
    const view = await statusView(await nodeRed!.login('reader'));
    expect(view).toMatchObject({ state: 'active', where: `file ledger at ${join(userDir, 'xero-guard')}`, who: { email: 'demo@xero-guard.test' } });
    // credentialSecret is set, so it seals the ledger and no key file is generated.
    expect(existsSync(join(userDir, 'xero-guard.key'))).toBe(false);
    await context.close();
  }),
  120_000,
);

/**
 * Issue 14, items 1, 2 and 6, as found: on this Node-RED (adminAuth, a read-only user, anonymous
 * visitors with read permission), against a hostile HTTP endpoint on loopback that records all it
 * receives and answers the way a thief would (401 for the API, its own tokens for refreshes).
 */
describe('the admin routes under attack', () => {
  /** The secrets a thief wants: the stored client secret (also as Basic credentials) and every token the simulator issued. */
  const canaries = () => [DEMO_CLIENT_SECRET, Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64'), ...issuedSecrets(sim)];
  const received = () => hostile.requests.map((r): [string, string] => [`hostile ${r.method} ${r.url}`, `${JSON.stringify(r.headers)} ${r.body}`]);
  const aimedAtHostile = () => ({
    useCustomEndpoints: true,
    authorizeUrl: `${hostileUrl()}/authorize`,
    tokenUrl: `${hostileUrl()}/token`,
    apiUrl: hostileUrl(),
  });

  it(
    'item 1: a read-only user cannot aim the status route at a foreign server, plant tokens, make folders or probe ports; an admin override never carries the stored secret',
    withLog(async () => {
      if ((await json<HandleCheckResult>('/xg/check')).status !== 'connected') await connectOverHttp();
      const reader = await nodeRed!.login('reader');
      const before = await statusView(reader);
      expect(before.state).toBe('active');
      hostile.requests.splice(0);
      // Every attack first, then one comparison: a failure shows all that got through.
      const aimed = await json<ChainView>(`/xero-guard/connections/${CONN}/status`, editorPost({ ...dialogBody(), ...aimedAtHostile() }, reader));
      const sentToThief = hostile.requests.map((r) => `${r.method} ${r.url} ${String(r.headers.authorization ?? '').slice(0, 12)}`);
      // Folders: a reader's ledgerFolder is never used, so never created.
      const planted = join(userDir, 'planted-by-a-reader');
      await json(`/xero-guard/connections/${CONN}/status`, editorPost({ ...dialogBody(), ledgerFolder: planted }, reader));
      // Ports: a closed port and a listening one (not PostgreSQL) must answer the reader alike.
      const probe = async (port: number) => {
        const view = await json<ChainView>(
          `/xero-guard/connections/${CONN}/status`,
          editorPost({ ...dialogBody(), ledger: 'postgres', postgresUrl: `postgres://u:p@127.0.0.1:${port}/x` }, reader),
        );
        return `${view.state}: ${view.message ?? ''}`;
      };
      const probes = [await probe(await freePort()), await probe(hostilePort())];
      // An admin may try other endpoints from the dialog, but then must type the secret: the stored one is never sent there.
      const mixed = await startConnect(dialogBody(aimedAtHostile()));
      if (mixed.status === 200) {
        const callback = await allowAtSimulator(mixed.authorizeUrl!.replace(`${hostileUrl()}/authorize`, consentUrl()), { tenants: [DEMO_TENANT_ID] }).catch(
          () => '',
        );
        if (callback) await fetch(callback, { headers: { cookie: mixed.cookie } });
      }
      // Starting a connect is a writer's: Node-RED's own permission check stops the reader.
      const readerStart = (await nodeRed!.api(`/xero-guard/connections/${CONN}/authorize`, editorPost(dialogBody(), reader))).status;
      const after = await statusView(reader);
      expect({
        readerStartRefused: readerStart === 401 || readerStart === 403,
        aimed: { state: aimed.state, version: aimed.version },
        sentToThief,
        plantedFolder: existsSync(planted),
        probesAlike: probes[0] === probes[1] && !/ECONNREFUSED|refused|timeout|timed out|password|authentication/i.test(probes.join(' ')),
        mixedStart: { status: mixed.status, error: mixed.error },
        allSentToThief: hostile.requests.length,
        versionAfter: after.version,
      }).toEqual({
        readerStartRefused: true,
        // The deployed node's own endpoints and ledger answered: the same chain, not the thief's tokens.
        aimed: { state: 'active', version: before.version },
        sentToThief: [],
        plantedFolder: false,
        probesAlike: true,
        mixedStart: { status: 400, error: expect.stringContaining('type the client secret') },
        allSentToThief: 0,
        versionAfter: before.version,
      });
      expectNoSecrets(received(), canaries());
      // The chain still works at Xero.
      expect((await json<HandleCheckResult>('/xg/check')).status).toBe('connected');
    }),
    60_000,
  );

  it(
    "item 2: a web page on another site cannot drive the routes with a form post (the example flow's well-known config-node id)",
    withLog(async () => {
      if ((await json<HandleCheckResult>('/xg/check')).status !== 'connected') await connectOverHttp();
      const versionBefore = (await statusView()).version;
      hostile.requests.splice(0);
      attackPage = {
        action: `${nodeRed!.url}/xero-guard/connections/${CONN}/status`,
        fields: { ...aimedAtHostile(), clientId: DEMO_CLIENT_ID, clientSecret: '__PWRD__' },
      };
      const context = await (await chromiumOnce()).newContext();
      const page = await context.newPage();
      // localhost and 127.0.0.1 are different sites: a visitor's browser on a page elsewhere posting to their Node-RED.
      await page.goto(`http://localhost:${hostilePort()}/attack`);
      await page.waitForLoadState('load');
      await page.waitForFunction(() => (globalThis as unknown as EditorGlobals).location.pathname.includes('/xero-guard/'), undefined, { timeout: 15_000 });
      const answered = (await page.textContent('body')) ?? '';
      await context.close();
      expect(hostile.requests.filter((r) => r.url !== '/attack')).toEqual([]);
      expect(answered).not.toContain('"state"');
      // The same refusals without a browser: a form body, or JSON from another origin or from none.
      const route = `/xero-guard/connections/${CONN}/status`;
      const form = await nodeRed!.api(route, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: nodeRed!.url },
        body: 'clientId=x',
      });
      const foreign = await nodeRed!.api(route, editorPost({}, undefined, `http://localhost:${hostilePort()}`));
      const bare = await nodeRed!.api(route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([form.status, foreign.status, bare.status]).toEqual([415, 403, 403]);
      expectNoSecrets(received(), canaries());
      expect((await statusView()).version).toBe(versionBefore);
    }),
    60_000,
  );

  it(
    "item 6: the callback completes only in the browser that clicked Connect, and the redirect URI must be the editor's own",
    withLog(async () => {
      const reader = await nodeRed!.login('reader');
      const before = (await statusView(reader)).lastConnect?.at ?? null;
      // Someone else's browser (no cookie of the start) lands on the callback: nothing is stored.
      const started = await startConnect(dialogBody());
      expect(started.status).toBe(200);
      const callback = await allowAtSimulator(started.authorizeUrl!, { tenants: [DEMO_TENANT_ID] });
      const elsewhere = await fetch(callback);
      expect({ status: elsewhere.status, text: await elsewhere.text() }).toEqual({ status: 400, text: expect.stringContaining('the browser that clicked') });
      expect((await statusView(reader)).lastConnect?.at ?? null).toBe(before);
      expect(started.cookie).toMatch(/^xg_connect_[0-9a-f]+=/);
      // The state is spent: even the right browser cannot use it now.
      expect((await fetch(callback, { headers: { cookie: started.cookie } })).status).toBe(400);
      // A redirect URI on another origin is refused, even with the callback's path.
      const foreign = await startConnect(dialogBody({ redirectUri: `http://localhost:${hostilePort()}/xero-guard/connect/callback` }));
      expect(foreign.status).toBe(400);
      expect(foreign.error).toContain('editor');
    }),
    60_000,
  );
});

it(
  'a restart keeps the rotated chain: zero dead-token uses, with no deploy in between',
  withLog(async () => {
    if ((await json<HandleCheckResult>('/xg/check')).status !== 'connected') await connectOverHttp();
    const flows = statSync(join(userDir, 'flows.json')).mtimeMs;
    const creds = readFileSync(join(userDir, 'flows_cred.json'), 'utf8');
    const first = await json<Refreshed>('/xg/refresh', { method: 'POST' });
    const second = await json<Refreshed>('/xg/refresh', { method: 'POST' });
    expect(first.refreshed).toBe(true);
    expect(second.version).toBeGreaterThan(first.version);
    await nodeRed!.stop();
    // Past the 30-minute grace window: a spent refresh token would now count as a dead-token use.
    clock.advance(31 * MINUTE);
    const before = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    await nodeRed!.start();
    const check = await json<HandleCheckResult>('/xg/check');
    expect(check.status).toBe('connected');
    const forced = await json<Refreshed>('/xg/refresh', { method: 'POST' });
    expect(forced.version).toBeGreaterThan(second.version);
    expect((sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - before).toBeGreaterThanOrEqual(2);
    expect(sim.deadTokenUses()).toBe(0);
    // Node-RED never rewrote its flows or credentials: the chain lives in the ledger only.
    expect(statSync(join(userDir, 'flows.json')).mtimeMs).toBe(flows);
    expect(readFileSync(join(userDir, 'flows_cred.json'), 'utf8')).toBe(creds);
  }),
  120_000,
);

/** Node-RED's GET /flows, version 2: the flows and their revision. */
interface FlowsV2 {
  rev: string;
  flows: Array<{ id: string; type: string; name?: string; connection?: string; [field: string]: unknown }>;
}

/** One complete check of the watchdog example's watch, answered once it has finished. */
async function watchPolled(): Promise<void> {
  expect((await nodeRed!.api('/xg/poll', { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
}

/** n8n's words (issue 29): its host, its automation and its run, its credential, its buttons. */
const N8N_WORD = /\bn8n\b|N8N_|workflow|\bcredentials?\b|Switch account|(click|and|then) "?Reconnect\b|Connect my account|execution/;

describe("issue 29: a Node-RED user's alerting", () => {
  it(
    "a refused organisation: xero api's error and xero classify error's output keep Xero's classification, detail and correlation id, in Node-RED's words",
    withLog(async () => {
      if ((await json<HandleCheckResult>('/xg/check')).status !== 'connected') await connectOverHttp();
      // Xero answers 403 for the organisation (what Xero does for a connection revoked at the organisation).
      sim.refuseTenant(DEMO_TENANT_ID, true);
      try {
        const routed = await json<Routed>('/xg/classify');
        const correlationId = (
          sim
            .log()
            .filter((e) => e.type === 'request' && e.status === 403)
            .at(-1) as { correlationId?: string } | undefined
        )?.correlationId;
        expect({ group: routed.group, category: routed.classification.category, action: routed.classification.action }).toEqual({
          group: 'reauthenticate',
          category: 'tenant_access_denied',
          action: 'reauthenticate',
        });
        expect(routed.classification).toMatchObject({ xeroDetail: expect.stringContaining('AuthenticationUnsuccessful'), correlationId, httpStatus: 403 });
        expect(routed.error).toMatchObject({
          category: 'tenant_access_denied',
          action: 'reauthenticate',
          xeroDetail: routed.classification.xeroDetail,
          correlationId,
        });
        expect(JSON.stringify([routed.classification.summary, routed.classification.advice, routed.error.message, routed.error.advice])).not.toMatch(N8N_WORD);
      } finally {
        sim.refuseTenant(DEMO_TENANT_ID, false);
      }
      // The watch saw the refusal and the recovery (organisation messages): not this scenario's count.
      await watchPolled();
    }),
    60_000,
  );

  it(
    'revoked at Xero: exactly one "broken" message, then none across three full deploys (one adding an unrelated tab) and a restart; reconnected: exactly one recovery',
    withLog(async () => {
      const port = new URL(nodeRed!.url).port;
      // Connected from an editor opened at another address than Node-RED's own: the reconnect link uses it.
      const editor = `http://localhost:${port}`;
      await connectOverHttp({ editor });
      await watchPolled();
      slack.splice(0, slack.length);
      sim.revokeUser('demo@xero-guard.test');
      // The watch polls every second on its own: wait (bounded) for its alert.
      await until('the Slack alert', () => (slack.length > 0 ? true : undefined), 30_000);
      for (let i = 0; i < 2; i++) await watchPolled();

      // The same runtime, revoked: xero api's error and the classify node route to re-authenticate, in Node-RED's words.
      const routed = await json<Routed>('/xg/classify');
      expect({ group: routed.group, action: routed.classification.action, errorAction: routed.error.action }).toEqual({
        group: 'reauthenticate',
        action: 'reauthenticate',
        errorAction: 'reauthenticate',
      });
      expect(JSON.stringify([routed.classification.summary, routed.classification.advice, routed.error.message, routed.error.advice])).not.toMatch(N8N_WORD);

      const unrelated = [
        { id: 'c0ffee0000000070', type: 'tab', label: 'something else' },
        { id: 'c0ffee0000000071', type: 'inject', z: 'c0ffee0000000070', name: 'tick', props: [], repeat: '', once: false, wires: [[]] },
      ];
      for (const deployed of [[...flow(), ...unrelated], flow(), [...flow(), ...unrelated]]) {
        await nodeRed!.deploy(deployed);
        await watchPolled();
      }
      await nodeRed!.stop();
      await nodeRed!.start();
      for (let i = 0; i < 2; i++) await watchPolled();
      expect(slack.map((m) => m.text.split('\n')[0])).toEqual([expect.stringMatching(/^:rotating_light: My Xero: /)]);

      const alert = slack[0].text;
      // Named by the user's name; the reconnect step is Node-RED's, the link at the editor's own address.
      expect(alert).toContain(`Reconnect: Open the xero-connection node in the Node-RED editor and click "Connect to Xero". ${editor}/#node/${CONN}`);
      expect(alert).toContain('\nOrganisation: Demo Company (NZ)');
      expect(alert).toContain('\nWhat to do: ');
      expect(alert).not.toMatch(N8N_WORD);
      expect(alert.length).toBeLessThan(4000);

      // The connection's dialog says what the ledger says: not "Connected as".
      const { context, page } = await editorPage();
      await page.evaluate((id: string) => (globalThis as unknown as EditorGlobals).RED.editor.editConfig('', 'xero-connection', id), CONN);
      const shown = await until("the dialog's view of the chain", async () => (await page.textContent('#node-config-xero-connected')) || undefined, 20_000);
      await context.close();
      expect(shown).toMatch(/^Needs reconnecting/);
      expect(shown).not.toContain('Connected as');

      slack.splice(0, slack.length);
      await connectOverHttp({ editor });
      await until('the recovered message', () => (slack.length > 0 ? true : undefined), 30_000);
      for (let i = 0; i < 3; i++) await watchPolled();
      expect(slack.map((m) => m.text)).toEqual([expect.stringMatching(/^:white_check_mark: My Xero is connected to Xero again \(Demo Company \(NZ\)\)\. /)]);
      expectNoSecrets(
        [
          ['slack', JSON.stringify(slack)],
          ['node-red log', nodeRed!.log()],
        ],
        [DEMO_CLIENT_SECRET, ...issuedSecrets(sim)],
      );
    }),
    180_000,
  );
});

it(
  'the xero api node reads all pages of a 2,500-invoice book once each, and creates a contact; the fleet node lists the chain by its name with no call to Xero',
  withLog(async () => {
    if ((await json<HandleCheckResult>('/xg/check')).status !== 'connected') await connectOverHttp();
    const read = await json('/xg/invoices');
    expect(read).toEqual({ records: INVOICES, unique: INVOICES, pages: 3, firstDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const before = sim.accounting.counts(DEMO_TENANT_ID).Contacts;
    const created = await json<{ Contacts: unknown[] }>('/xg/contact', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Contacts: [{ Name: 'Runtime Test Contact Ltd' }] }),
    });
    expect(created.Contacts[0]).toMatchObject({ Name: 'Runtime Test Contact Ltd', ContactID: expect.any(String) });
    expect(sim.accounting.counts(DEMO_TENANT_ID).Contacts - before).toBe(1);
    const since = sim.log().at(-1)?.seq ?? 0;
    const fleet = await json<{ chains: unknown[] }>('/xg/fleet');
    expect(sim.log(since).filter((e) => e.type === 'request')).toEqual([]);
    // Its own connection's chain, by an id and a link to the node, never by its key (issue 24, item 2).
    expect(fleet.chains).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        editorUrl: expect.stringMatching(new RegExp(`#node/${CONN}$`)),
        name: 'My Xero',
        nameSource: 'stored',
        state: 'active',
      }),
    ]);
    expect(fleet.chains[0]).not.toHaveProperty('key');
  }),
  90_000,
);

it(
  'issue 24 item 5: webhook JSON spread onto msg cannot turn xero api (GET Invoices of one organisation) into a write, another path or another organisation; one warning per field',
  withLog(async () => {
    // The grant reaches two organisations, as a practice's does.
    await connectOverHttp({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    sim.accounting.seed(SECOND_TENANT_ID, { contacts: 3 });
    const contacts = sim.accounting.counts(SECOND_TENANT_ID).Contacts;
    const since = sim.log().at(-1)?.seq ?? 0;
    const logBefore = nodeRed!.log().length;
    const attacks = [
      { method: 'DELETE', path: 'Contacts/0a0b0c0d-0000-4000-8000-000000000001' },
      { method: 'POST', path: 'Contacts', tenantId: SECOND_TENANT_ID, Contacts: [{ Name: 'Planted Ltd' }] },
      { method: 'GET', path: 'Users', tenantId: SECOND_TENANT_ID, query: { page: 7, order: 'Date DESC' } },
    ];
    const answers: Array<{ xero?: { method: string; path: string; tenantId: string } }> = [];
    for (const attack of attacks) {
      answers.push(
        await json('/xg/webhook', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: attack, ...attack }) }),
      );
    }
    const requests = sim.log(since).filter((e): e is SimRequest => e.type === 'request' && e.endpoint === 'accounting');
    const warnings = nodeRed!
      .log()
      .slice(logBefore)
      .split('\n')
      .filter((line) => /\[warn\].*msg\.\S+ was ignored/.test(line))
      .map((line) => /(msg\.\S+) was ignored/.exec(line)![1]);
    expect({
      sent: requests.map((e) => `${e.method} ${e.path}`),
      answered: answers.map((a) => `${a.xero?.method} ${a.xero?.path} ${a.xero?.tenantId}`),
      contactsOfTheOther: sim.accounting.counts(SECOND_TENANT_ID).Contacts,
      warnings: warnings.sort(),
    }).toEqual({
      sent: Array(3).fill('GET /api.xro/2.0/Invoices'),
      answered: Array(3).fill(`GET Invoices ${DEMO_TENANT_ID}`),
      contactsOfTheOther: contacts,
      warnings: ['msg.method', 'msg.path', 'msg.query.page', 'msg.tenantId'],
    });
  }),
  60_000,
);

it(
  'the xero api editor lists each organisation once, however often it is opened and its connection changed',
  withLog(async () => {
    await connectOverHttp({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const { context, page } = await editorPage();
    let loading = 0;
    const isStatus = (url: string) => /\/xero-guard\/connections\/[^/]+\/status$/.test(url);
    page.on('request', (r) => void (isStatus(r.url()) && loading++));
    page.on('requestfinished', (r) => void (isStatus(r.url()) && loading--));
    page.on('requestfailed', (r) => void (isStatus(r.url()) && loading--));
    const listed: string[][] = [];
    for (let i = 0; i < 3; i++) {
      await page.evaluate(
        (id: string) => (globalThis as unknown as EditorGlobals).RED.editor.edit((globalThis as unknown as EditorGlobals).RED.nodes.node(id)),
        'c0ffee0000000021',
      );
      await page.waitForSelector('#node-input-tenant-list', { state: 'visible' });
      // A user picking the connection again while the list loads: more loads on top of the dialog's own.
      await page.evaluate(() => {
        const $ = (globalThis as unknown as EditorGlobals).$;
        $('#node-input-connection').trigger('change');
        $('#node-input-connection').trigger('change');
      });
      await until(
        'the organisation list',
        async () => (loading === 0 && (await page.$$('#node-input-tenant-list option')).length > 1 ? true : undefined),
        20_000,
      );
      listed.push(await page.$$eval('#node-input-tenant-list option', (options) => options.map((o) => (o as { value: string }).value)));
      await page.click('#node-dialog-cancel');
      await page.waitForSelector('#node-input-tenant-list', { state: 'detached' });
    }
    await context.close();
    expect(listed).toEqual(Array(3).fill(['', DEMO_TENANT_ID, SECOND_TENANT_ID]));
  }),
  90_000,
);

it(
  'two examples in one Node-RED: the invoices example imported beside the watchdog (Import -> Examples) shares its one connection, needs no second Connect, and reports 2,500 invoices twice in a row',
  withLog(async () => {
    if ((await json<HandleCheckResult>('/xg/check')).status !== 'connected') await connectOverHttp();
    const admin = { authorization: `Bearer ${await nodeRed!.login('admin')}` };
    // Served as Menu -> Import -> Examples serves it.
    const example = await (await nodeRed!.api('/library/examples/flows/n8n-nodes-xero-guard/node-red/xero-api-invoices', { headers: admin })).text();
    expect(JSON.parse(example).filter((n: { type: string }) => n.type === 'xero-connection')).toEqual([expect.objectContaining({ id: CONN })]);
    const { context, page } = await editorPage();
    await page.evaluate(() => {
      const g = globalThis as unknown as EditorGlobals;
      g.xgDebug = [];
      g.RED.comms.subscribe('debug', (_topic: string, m: unknown) => g.xgDebug.push(m));
      g.RED.clipboard.import();
    });
    await page.fill('#red-ui-clipboard-dialog-import-text', example);
    await page.evaluate(() => (globalThis as unknown as EditorGlobals).$('#red-ui-clipboard-dialog-import-text').trigger('keyup'));
    await page.waitForSelector('#red-ui-clipboard-dialog-ok:not(.ui-state-disabled):not([disabled])');
    await page.click('#red-ui-clipboard-dialog-ok');
    // "Some of the nodes you are importing already exist": My Xero. Import copy keeps the one there.
    await page.click('button:has-text("Import copy")');
    const flowsNow = async () => (await (await nodeRed!.api('/flows', { headers: { ...admin, 'Node-RED-API-Version': 'v2' } })).json()) as FlowsV2;
    const revision = (await flowsNow()).rev;
    await page.click('#red-ui-header-button-deploy');
    const flows = await until(
      'the deploy from the editor',
      async () => {
        const answer = await flowsNow();
        return answer.rev !== revision ? answer.flows : undefined;
      },
      30_000,
    );
    await until('the flows to start', () => (/Started flows/.test(nodeRed!.log().split('Stopping flows').at(-1) ?? '') ? true : undefined), 30_000);
    expect(flows.filter((n) => n.type === 'xero-connection').map((n) => n.id)).toEqual([CONN]);
    const imported = flows.filter((n) => n.type === 'xero api' && (n.name === 'Invoices, every page' || n.name === 'Create contact'));
    expect(imported.map((n) => n.connection)).toEqual([CONN, CONN]);
    const inject = flows.find((n) => n.type === 'inject' && n.name === 'Read all invoices')!;

    const totals: number[] = [];
    for (let run = 1; run <= 2; run++) {
      const before = await page.evaluate(() => (globalThis as unknown as EditorGlobals).xgDebug.length);
      expect((await nodeRed!.api(`/inject/${inject.id}`, { method: 'POST', headers: admin })).status).toBe(200);
      const last = await until(
        `run ${run}'s last page`,
        async () => {
          const seen = (await page.evaluate((from: number) => (globalThis as unknown as EditorGlobals).xgDebug.slice(from), before)) as Array<{
            name?: string;
            msg: string;
          }>;
          const pages = seen.filter((m) => m.name === 'Pages').map((m) => JSON.parse(m.msg) as { page: number; total: number });
          return pages.find((p) => p.page === 3);
        },
        30_000,
      );
      totals.push(last.total);
    }
    await context.close();
    expect(totals).toEqual([INVOICES, INVOICES]);
  }),
  120_000,
);
