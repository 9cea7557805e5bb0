/**
 * A real Node-RED 5 runtime on Node 24 with the packed package installed in its userDir, against the
 * simulator in this process: the Connect flow in headless Chromium, the watchdog example sending
 * exactly one alert on revocation, and a restart that keeps the rotated chain with no deploy.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { MINUTE, OffsetClock } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, startSimulator, type Simulator } from '../../src/simulator';
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

/** The watchdog example as a user imports it, pointed at the simulator and a local Slack stand-in. */
function flow(): unknown[] {
  const example = JSON.parse(readFileSync(join(REPO, 'examples', 'node-red', 'watchdog-to-slack.json'), 'utf8')) as Array<Record<string, unknown>>;
  const nodes = example.map((n) => {
    if (n.type === 'xero-connection') {
      return {
        ...n,
        tenantId: DEMO_TENANT_ID,
        useCustomEndpoints: true,
        authorizeUrl: sim.authorizeUrl,
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
  return [...nodes, ...test];
}

async function json(path: string, init?: RequestInit): Promise<any> {
  const res = await (nodeRed as NodeRed).api(path, { signal: AbortSignal.timeout(20_000), ...init });
  return res.json();
}

/** Connect to Xero without a browser (the start route, the consent form, the callback route). */
async function connectOverHttp(): Promise<void> {
  const body = {
    ...(flow().find((n: any) => n.id === CONN) as object),
    ...{ clientId: DEMO_CLIENT_ID, clientSecret: '__PWRD__' },
    redirectUri: `${nodeRed!.url}/xero-guard/connect/callback`,
  };
  const started = await json(`/xero-guard/connections/${CONN}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const callback = await allowAtSimulator(started.authorizeUrl, { tenants: [DEMO_TENANT_ID] });
  const landed = await fetch(callback);
  expect(landed.status).toBe(200);
}

beforeAll(async () => {
  clock = new OffsetClock();
  sim = await startSimulator({ clock });
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
    const page = await context.newPage();
    await page.goto(nodeRed!.url);
    await page.waitForFunction(() => (globalThis as any).RED?.nodes?.node?.('a1b2c3d4e5f60001'), undefined, { timeout: 60_000 });
    await page.evaluate(() => (globalThis as any).RED.editor.editConfig('', 'xero-connection', 'a1b2c3d4e5f60001'));
    await page.waitForSelector('#node-config-xero-connect', { state: 'visible' });
    const popupPromise = page.waitForEvent('popup');
    await page.click('#node-config-xero-connect');
    const popup = await popupPromise;
    await popup.waitForSelector('#allow', { timeout: 30_000 });
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
    const view = await json(`/xero-guard/connections/${CONN}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(flow()[1] as object), clientId: DEMO_CLIENT_ID, clientSecret: '__PWRD__' }),
    });
    expect(view).toMatchObject({ state: 'active', where: `file ledger at ${join(userDir, 'xero-guard')}`, who: { email: 'demo@xero-guard.test' } });
    // credentialSecret is set, so it seals the ledger and no key file is generated.
    expect(existsSync(join(userDir, 'xero-guard.key'))).toBe(false);
    await context.close();
  }),
  120_000,
);

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
    expect(slack[0].text).toContain('Reconnect: Open the xero-connection node "My Xero"');
    expect(slack[0].text).toContain(`#node/${CONN}`);
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
