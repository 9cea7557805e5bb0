/**
 * A real Node-RED 5 runtime on Node 24 with the packed package installed in its userDir, adminAuth
 * on, against the simulator in this process: the Connect flow in headless Chromium, the watchdog
 * example sending exactly one alert on revocation, a restart that keeps the rotated chain with no
 * deploy, and the attacks on the admin routes of issue 14 (a reader, a page on another site, a
 * browser that did not start the connect) against a hostile server on loopback. One boot for all.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { MINUTE, OffsetClock } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, startSimulator, type Simulator } from '../../src/simulator';
import { freePort } from '../../tools/free-port';
import { createNodeRed, REPO, type NodeRed } from './runtime-harness';
import { allowAtSimulator, expectNoSecrets, issuedSecrets, until } from './support';

const CONN = 'a1b2c3d4e5f60001'; // the watchdog example's config node: the connection key
const WATCH = 'a1b2c3d4e5f60011';
const TAB = 'c0ffee0000000010';
const EXAMPLE_TAB = 'a1b2c3d4e5f60010';

let sim: Simulator;
let clock: OffsetClock;
let nodeRed: NodeRed | undefined;
let browser: Browser | undefined;
let hooks: Server;
let hooksUrl = '';
const slack: Array<{ text: string; raw: string }> = [];
let userDir = '';
const INVOICES = 3000;

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
  // The xero api example as a user imports it, on the watchdog's connection (one Connect for both).
  const apiExample = (JSON.parse(readFileSync(join(REPO, 'examples', 'node-red', 'xero-api-invoices.json'), 'utf8')) as Array<Record<string, unknown>>)
    .filter((n) => n.type !== 'xero-connection')
    .map((n) => (n.type === 'xero api' ? { ...n, connection: CONN } : n));
  const api = [
    // All pages of invoices in one message; the function reports what arrived, not 3,000 records over HTTP.
    http('c0ffee0000000020', 'get', '/xg/invoices', 'c0ffee0000000021'),
    {
      id: 'c0ffee0000000021',
      type: 'xero api',
      z: TAB,
      name: '',
      connection: CONN,
      method: 'GET',
      resource: 'Invoices',
      paging: 'all',
      pageSize: '1000',
      wires: [['c0ffee0000000022'], ['c0ffee0000000023']],
    },
    {
      id: 'c0ffee0000000022',
      type: 'function',
      z: TAB,
      name: '',
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      func: 'const ids = new Set(msg.payload.map((i) => i.InvoiceID)); msg.payload = { records: msg.payload.length, unique: ids.size, pages: msg.xero.pages, firstDate: msg.payload[0] && msg.payload[0].Date }; return msg;',
      wires: [['c0ffee0000000099']],
    },
    {
      id: 'c0ffee0000000023',
      type: 'function',
      z: TAB,
      name: '',
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      func: 'msg.statusCode = 502; msg.payload = { error: msg.error }; return msg;',
      wires: [['c0ffee0000000099']],
    },
    http('c0ffee0000000024', 'post', '/xg/contact', 'c0ffee0000000025'),
    {
      id: 'c0ffee0000000025',
      type: 'xero api',
      z: TAB,
      name: '',
      connection: CONN,
      method: 'PUT',
      resource: 'Contacts',
      wires: [['c0ffee0000000099'], ['c0ffee0000000023']],
    },
    { id: 'c0ffee0000000026', type: 'xero fleet', z: TAB, name: '', connection: CONN, mode: 'list', wires: [['c0ffee0000000099']] },
    http('c0ffee0000000027', 'get', '/xg/fleet', 'c0ffee0000000026'),
  ];
  return [...nodes, ...test, ...apiExample, ...api];
}

async function json(path: string, init?: RequestInit): Promise<any> {
  const res = await (nodeRed as NodeRed).api(path, { signal: AbortSignal.timeout(20_000), ...init });
  return res.json();
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
    ...(flow().find((n: any) => n.id === CONN) as object),
    clientId: DEMO_CLIENT_ID,
    clientSecret: '__PWRD__',
    redirectUri: `${nodeRed!.url}/xero-guard/connect/callback`,
    ...extra,
  };
}

/** The editor's status view of the deployed connection, as a reader sees it. */
async function statusView(token?: string): Promise<any> {
  return json(`/xero-guard/connections/${CONN}/status`, editorPost({}, token));
}

/** The start route as an admin: the authorize URL, and the cookie that binds the sign-in to this browser. */
async function startConnect(body: Record<string, unknown>): Promise<{ status: number; authorizeUrl?: string; error?: string; cookie: string }> {
  const res = await nodeRed!.api(`/xero-guard/connections/${CONN}/authorize`, {
    ...editorPost(body, await nodeRed!.login('admin')),
    signal: AbortSignal.timeout(20_000),
  });
  const answer = (await res.json()) as { authorizeUrl?: string; error?: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { status: res.status, ...answer, cookie };
}

/** Connect to Xero without a browser (the start route, the consent form, the callback route with the start's cookie). */
async function connectOverHttp(): Promise<void> {
  const started = await startConnect(dialogBody());
  const callback = await allowAtSimulator(started.authorizeUrl as string, { tenants: [DEMO_TENANT_ID] });
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

it(
  'Connect to Xero in headless Chromium: the editor button, the simulator consent page, the callback, then the editor shows who is connected to which tenant',
  withLog(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext();
    // Logged in as the admin, as the editor keeps its login: a token in localStorage.
    const token = await nodeRed!.login('admin');
    await context.addInitScript(
      (t: string) => globalThis.localStorage.setItem('auth-tokens', JSON.stringify({ access_token: t, expires_in: 604800, token_type: 'Bearer' })),
      token,
    );
    const page = await context.newPage();
    await page.goto(nodeRed!.url);
    await page.waitForFunction(() => (globalThis as any).RED?.nodes?.node?.('a1b2c3d4e5f60001'), undefined, { timeout: 60_000 });
    await page.evaluate(() => (globalThis as any).RED.editor.editConfig('', 'xero-connection', 'a1b2c3d4e5f60001'));
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
    const check = await json('/xg/check');
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
      if ((await json('/xg/check')).status !== 'connected') await connectOverHttp();
      const reader = await nodeRed!.login('reader');
      const before = await statusView(reader);
      expect(before.state).toBe('active');
      hostile.requests.splice(0);
      // Every attack first, then one comparison: a failure shows all that got through.
      const aimed = await json(`/xero-guard/connections/${CONN}/status`, editorPost({ ...dialogBody(), ...aimedAtHostile() }, reader));
      const sentToThief = hostile.requests.map((r) => `${r.method} ${r.url} ${String(r.headers.authorization ?? '').slice(0, 12)}`);
      // Folders: a reader's ledgerFolder is never used, so never created.
      const planted = join(userDir, 'planted-by-a-reader');
      await json(`/xero-guard/connections/${CONN}/status`, editorPost({ ...dialogBody(), ledgerFolder: planted }, reader));
      // Ports: a closed port and a listening one (not PostgreSQL) must answer the reader alike.
      const probe = async (port: number) => {
        const view = await json(
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
      expect((await json('/xg/check')).status).toBe('connected');
    }),
    60_000,
  );

  it(
    "item 2: a web page on another site cannot drive the routes with a form post (the example flow's well-known config-node id)",
    withLog(async () => {
      if ((await json('/xg/check')).status !== 'connected') await connectOverHttp();
      const versionBefore = (await statusView()).version;
      hostile.requests.splice(0);
      attackPage = {
        action: `${nodeRed!.url}/xero-guard/connections/${CONN}/status`,
        fields: { ...aimedAtHostile(), clientId: DEMO_CLIENT_ID, clientSecret: '__PWRD__' },
      };
      browser ??= await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      });
      const context = await browser.newContext();
      const page = await context.newPage();
      // localhost and 127.0.0.1 are different sites: a visitor's browser on a page elsewhere posting to their Node-RED.
      await page.goto(`http://localhost:${hostilePort()}/attack`);
      await page.waitForLoadState('load');
      await page.waitForFunction(() => (globalThis as any).location.pathname.includes('/xero-guard/'), undefined, { timeout: 15_000 });
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
    if ((await json('/xg/check')).status !== 'connected') await connectOverHttp();
    const flows = statSync(join(userDir, 'flows.json')).mtimeMs;
    const creds = readFileSync(join(userDir, 'flows_cred.json'), 'utf8');
    const first = await json('/xg/refresh', { method: 'POST' });
    const second = await json('/xg/refresh', { method: 'POST' });
    expect(first.refreshed).toBe(true);
    expect(second.version).toBeGreaterThan(first.version);
    await nodeRed!.stop();
    // Past the 30-minute grace window: a spent refresh token would now count as a dead-token use.
    clock.advance(31 * MINUTE);
    const before = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    await nodeRed!.start();
    const check = await json('/xg/check');
    expect(check.status).toBe('connected');
    const forced = await json('/xg/refresh', { method: 'POST' });
    expect(forced.version).toBeGreaterThan(second.version);
    expect((sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - before).toBeGreaterThanOrEqual(2);
    expect(sim.deadTokenUses()).toBe(0);
    // Node-RED never rewrote its flows or credentials: the chain lives in the ledger only.
    expect(statSync(join(userDir, 'flows.json')).mtimeMs).toBe(flows);
    expect(readFileSync(join(userDir, 'flows_cred.json'), 'utf8')).toBe(creds);
  }),
  120_000,
);

it(
  'the deployed watchdog example sends exactly one Slack alert when the user is revoked at Xero, with no token in it',
  withLog(async () => {
    if ((await json('/xg/check')).status !== 'connected') await connectOverHttp();
    await (nodeRed as NodeRed).api('/xg/poll', { signal: AbortSignal.timeout(20_000) });
    slack.splice(0, slack.length);
    sim.revokeUser('demo@xero-guard.test');
    // The watch polls every second on its own: wait (bounded) for its alert.
    await until('the Slack alert', () => (slack.length > 0 ? true : undefined), 30_000);
    // Three more complete checks, each answered only once it has finished.
    for (let i = 0; i < 3; i++) expect((await (nodeRed as NodeRed).api('/xg/poll', { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
    expect(slack).toHaveLength(1);
    expect(slack[0].text).toMatch(/^:rotating_light: My Xero: /);
    // The alert names the connection; the reconnect step is Node-RED's words from the one alert table.
    expect(slack[0].text).toContain('Reconnect: Open the xero-connection node in the Node-RED editor and click "Connect to Xero". http');
    expect(slack[0].text).toContain(`#node/${CONN}`);
    // The organisation it reached and what to do, in one Slack message.
    expect(slack[0].text).toContain('\nOrganisation: Demo Company (NZ)');
    expect(slack[0].text).toContain('\nWhat to do: ');
    expect(slack[0].text.length).toBeLessThan(4000);
    expectNoSecrets(
      [
        ['slack', slack[0].raw],
        ['node-red log', nodeRed!.log()],
      ],
      [DEMO_CLIENT_SECRET, ...issuedSecrets(sim)],
    );
  }),
  90_000,
);

it(
  'after the revocation alert, Connect to Xero again: the watchdog example posts exactly one "recovered" message',
  withLog(async () => {
    // Follows the revocation test: the connection is broken and alerted once.
    expect((await json('/xg/check')).status).not.toBe('connected');
    slack.splice(0, slack.length);
    await connectOverHttp();
    await until('the recovered message', () => (slack.length > 0 ? true : undefined), 30_000);
    for (let i = 0; i < 3; i++) expect((await (nodeRed as NodeRed).api('/xg/poll', { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
    expect(slack.map((m) => m.text)).toEqual([expect.stringMatching(/^:white_check_mark: My Xero is connected to Xero again \(Demo Company \(NZ\)\)\. /)]);
  }),
  90_000,
);

it(
  'the xero api node reads all pages of a 3,000-invoice book once each, and creates a contact; the fleet node lists the chain by its name with no call to Xero',
  withLog(async () => {
    if ((await json('/xg/check')).status !== 'connected') await connectOverHttp();
    const read = await json('/xg/invoices');
    expect(read).toEqual({ records: INVOICES, unique: INVOICES, pages: 3, firstDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const before = sim.accounting.counts(DEMO_TENANT_ID).Contacts;
    const created = await json('/xg/contact', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Contacts: [{ Name: 'Runtime Test Contact Ltd' }] }),
    });
    expect(created.Contacts[0]).toMatchObject({ Name: 'Runtime Test Contact Ltd', ContactID: expect.any(String) });
    expect(sim.accounting.counts(DEMO_TENANT_ID).Contacts - before).toBe(1);
    const since = sim.log().at(-1)?.seq ?? 0;
    const fleet = await json('/xg/fleet');
    expect(sim.log(since).filter((e: any) => e.type === 'request')).toEqual([]);
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
