/**
 * Every Node-RED node in a real Node-RED runtime (node-red-node-test-helper), against the real
 * simulator and a file ledger in a temp dir. The nodes are loaded from their TypeScript sources, so
 * the suite needs no build and shares one clock with the simulator. The real runtime suite
 * (runtime.test.ts) runs the packed, built package.
 */

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY, MINUTE, OffsetClock } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../src/simulator';
import type { Classification } from '../../src/classify';
import type { HandleCheckResult } from '../../node-red/lib/connection-handle';
import type { NodeStatus } from '../../node-red/lib/red';
import { allowAtSimulator, callbackIn, EDITOR, expectNoSecrets, inputDone, issuedSecrets, startConnect, until, type SpyCall } from './support';

const helper = require('node-red-node-test-helper');
const connectionNode = require('../../node-red/xero-connection');
const checkNode = require('../../node-red/xero-check-connection');
const refreshNode = require('../../node-red/xero-refresh-token');
const classifyNode = require('../../node-red/xero-classify-error');
const watchNode = require('../../node-red/xero-connection-watch');
const ALL = [connectionNode, checkNode, refreshNode, classifyNode, watchNode];

/** What the nodes under test send, as these tests read it. xero check connection: the check, here with the organisation and the scope report. */
type CheckMsg = { payload: HandleCheckResult & Required<Pick<HandleCheckResult, 'organisation' | 'scopes'>> };
/** xero refresh token (node-red/xero-refresh-token.ts): what happened, and the headers when asked for. */
type RefreshMsg = {
  payload: { refreshed: boolean; mode: string; accessTokenExpiresAt: string; version: number; chainState: string };
  headers: Record<string, string>;
};
/** A Catch node's message after one of ours failed: the error, and msg.xeroGuard beside it (node-red/lib/failure.ts). */
type CaughtMsg = { error: { message: string }; xeroGuard: Record<string, unknown> };
/** xero classify error, its target set to `classification`: the rest of the msg as it came. */
type ClassifiedMsg = { topic?: string; classification: Classification };
/** xero connection watch (node-red/xero-connection-watch.ts): the topic, and a connection event's payload. */
type WatchMsg = { topic: string; payload: { problem: { category: string }; advice: string; reconnect: { url: string }; event: unknown; status: string } };

helper.init(require.resolve('node-red'));

const SECRET_CANARY = 'canary-client-secret-5f1e9b7c2d'; // the simulator's app below uses it as its secret
const PG_PASSWORD_CANARY = 'canary-pg-password-81c3';

let sim: Simulator;
let clock: OffsetClock;
let userDir: string;
let flowCounter = 0;

beforeAll(async () => {
  clock = new OffsetClock();
  sim = await startSimulator({
    clock,
    clients: [
      { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, redirectUris: [], allowAnyLoopbackRedirect: true },
      { clientId: 'CANARYCLIENT00000000000000000001', clientSecret: SECRET_CANARY, redirectUris: [], allowAnyLoopbackRedirect: true },
    ],
  });
  await helper.startServer();
});

afterAll(async () => {
  await helper.stopServer();
  await sim.close();
});

beforeEach(() => {
  // A Xero user per test: connections at the simulator accumulate per user.
  user = `user${++flowCounter}@xero-guard.test`;
  userDir = mkdtempSync(join(tmpdir(), 'xg-nr-'));
  helper.settings({ userDir, xeroGuard: { clock } });
});

afterEach(async () => {
  if (process.env.XG_DEBUG) for (const call of helper.log().getCalls()) console.log(JSON.stringify(call.args[0]).slice(0, 600));
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

interface ConnOptions {
  id?: string;
  clientId?: string;
  clientSecret?: string;
  tenantId?: string;
  ledger?: string;
  ledgerFolder?: string;
  postgresUrl?: string;
}

function connection(options: ConnOptions = {}) {
  const id = options.id ?? `conn${++flowCounter}`;
  const node = {
    id,
    type: 'xero-connection',
    name: 'Demo org',
    scopes: 'accounting.settings accounting.contacts',
    tenantId: options.tenantId ?? '',
    ledger: options.ledger ?? 'file',
    ledgerFolder: options.ledgerFolder ?? '',
    useCustomEndpoints: true,
    authorizeUrl: sim.authorizeUrl,
    tokenUrl: sim.tokenUrl,
    apiUrl: sim.apiUrl,
  };
  const credentials = {
    clientId: options.clientId ?? DEMO_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEMO_CLIENT_SECRET,
    ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
  };
  return { id, node, credentials };
}

/** The status view; the body (the dialog's settings, as the editor once sent) must make no difference. */
function statusOf(id: string, body: Record<string, unknown> = {}) {
  return helper.request().post(`/xero-guard/connections/${id}/status`).set(EDITOR).send(body);
}

/** "Connect to Xero" as the editor does it: the start route, the consent form, the callback route. */
let user = 'demo@xero-guard.test';
async function connect(
  id: string,
  body: Record<string, unknown>,
  consent: { tenants?: string[]; withoutScopes?: string[] } = {},
): Promise<{ status: number; text: string }> {
  const started = await startConnect(id, body);
  expect(started.status).toBe(200);
  const callback = new URL(await allowAtSimulator(started.body.authorizeUrl, { email: user, ...consent }));
  const landed = await callbackIn(started, callback);
  return { status: landed.status, text: landed.text };
}

function editorBody(conn: ReturnType<typeof connection>): Record<string, unknown> {
  return { ...conn.node, ...conn.credentials };
}

/** Loads a flow and waits for its messages on helper nodes. */
async function load(flow: Array<Record<string, unknown>>, credentials: Record<string, object>): Promise<void> {
  const onTab = flow.map((n) => (n.type === 'xero-connection' ? n : { ...n, z: 'tab1' }));
  await helper.load(ALL, [{ id: 'tab1', type: 'tab', label: 'test' }, ...onTab], credentials);
}

function statusesOf(id: string): Array<{ fill?: string; shape?: string; text?: string }> {
  const spy = helper._NodePrototype.status;
  return spy
    .getCalls()
    .filter((c: SpyCall) => c.thisValue?.id === id)
    .map((c: SpyCall) => c.args[0] as NodeStatus);
}

function lastStatus(id: string) {
  return statusesOf(id).at(-1);
}

/** Sends `msg` into node `id` and resolves with the first message on helper node `outId`. */
function next<M>(outId: string, timeoutMs = 15_000): Promise<M> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no message reached ${outId} within ${timeoutMs} ms; statuses: ${JSON.stringify(
              helper._NodePrototype.status
                .getCalls()
                .slice(-4)
                .map((c: SpyCall) => [c.thisValue?.id, c.args[0]]),
            )}`,
          ),
        ),
      timeoutMs,
    );
    helper.getNode(outId).once('input', (msg: M) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

function collect<M = unknown>(ids: string[]): Array<{ from: string; msg: M }> {
  const seen: Array<{ from: string; msg: M }> = [];
  for (const id of ids) helper.getNode(id).on('input', (msg: M) => seen.push({ from: id, msg }));
  return seen;
}

/** Everything a user could see: messages, status texts, log lines (the debug sidebar shows these). */
function visibleTexts(messages: Array<{ from: string; msg: unknown }>): Array<[string, string]> {
  const texts: Array<[string, string]> = messages.map((m) => [`message to ${m.from}`, JSON.stringify(m.msg)]);
  for (const call of helper._NodePrototype.status.getCalls()) texts.push([`status of ${call.thisValue?.id}`, JSON.stringify(call.args[0])]);
  for (const call of helper.log().getCalls()) texts.push(['log', JSON.stringify(call.args[0])]);
  return texts;
}

describe('xero-connection and Connect to Xero', () => {
  it('connects through the admin routes (PKCE, state checked), stores the chain under the node id, and shows who is connected to which tenants', async () => {
    const conn = connection();
    await load([conn.node], { [conn.id]: conn.credentials });
    const landed = await connect(conn.id, editorBody(conn), { tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    expect(landed.status).toBe(200);
    expect(landed.text).toContain(`Connected as ${user} to Demo Company (NZ), Guard Test Ltd (AU)`);
    // PKCE: the token request carried a verifier the simulator checked against the challenge.
    expect(sim.log().some((e) => e.type === 'request' && e.endpoint === 'token' && e.status === 200)).toBe(true);
    const view = await statusOf(conn.id);
    expect(view.body).toMatchObject({ state: 'active', who: { email: user }, where: `file ledger at ${join(userDir, 'xero-guard')}` });
    expect((view.body.tenants as Array<{ tenantName: string }>).map((t) => t.tenantName).sort()).toEqual(['Demo Company (NZ)', 'Guard Test Ltd (AU)']);
    // Generated key, since no credentialSecret is set: 0600 next to the ledger.
    expect(statSync(join(userDir, 'xero-guard.key')).mode & 0o777).toBe(0o600);
    // A state is good once, and only with its own start.
    const replay = await helper.request().get(`/xero-guard/connect/callback?code=x&state=${'a'.repeat(32)}`);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('unknown or expired');
  });

  it('reports a cancelled consent and a state it never issued, storing nothing', async () => {
    const conn = connection();
    await load([conn.node], { [conn.id]: conn.credentials });
    const started = await startConnect(conn.id, editorBody(conn));
    const authorize = new URL(started.body.authorizeUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')!.split(' ')).toEqual(
      expect.arrayContaining(['offline_access', 'openid', 'profile', 'email', 'accounting.settings']),
    );
    const back = new URL(await allowAtSimulator(started.body.authorizeUrl, { action: 'cancel' }));
    const cancelled = await callbackIn(started, back);
    expect(cancelled.text).toContain('Connection cancelled');
    const view = await statusOf(conn.id);
    expect(view.body.state).toBe('not_connected');
  });

  it('uses the deployed secret when the editor sends its password placeholder, and refuses a start without a client id', async () => {
    const conn = connection();
    await load([conn.node], { [conn.id]: conn.credentials });
    const landed = await connect(conn.id, { ...editorBody(conn), clientSecret: '__PWRD__' });
    expect(landed.status).toBe(200);
    const refused = await startConnect(conn.id, { ...editorBody(conn), clientId: '' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('no client id');
  });

  it('a connect that cannot reach its token endpoint or ledger tells the window the same words for every cause, and the log the cause', async () => {
    const conn = connection();
    await load([conn.node], { [conn.id]: conn.credentials });
    // A server that is not Xero (answers 404), a closed port, and a database port that refuses.
    const notXero = createServer((_req, res) => res.writeHead(404).end('no'));
    await new Promise<void>((r) => notXero.listen(0, '127.0.0.1', () => r()));
    const closed = await new Promise<number>((r) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => r(port));
      });
    });
    const tries = [
      { tokenUrl: `http://127.0.0.1:${(notXero.address() as AddressInfo).port}/connect/token` },
      { tokenUrl: `http://127.0.0.1:${closed}/connect/token` },
      { ledger: 'postgres', postgresUrl: `postgres://xero:${PG_PASSWORD_CANARY}@127.0.0.1:${closed}/xero` },
    ];
    const pages: string[] = [];
    try {
      for (const change of tries) {
        const landed = await connect(conn.id, { ...editorBody(conn), ...change });
        pages.push(`${landed.status} ${/id="xero-guard-message">([^<]*)</.exec(landed.text)?.[1] ?? landed.text}`);
      }
    } finally {
      await new Promise((r) => notXero.close(r));
    }
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]).toMatch(/^502 .*nothing was stored.*Node-RED log/);
    expect(pages[0]).not.toMatch(/404|ECONNREFUSED|refused|fetch failed|password|timed? ?out/i);
    const logged = helper
      .log()
      .getCalls()
      .map((c: SpyCall) => JSON.stringify(c.args[0]))
      .join('\n');
    expect(logged).toContain('Connect to Xero failed');
    expect(logged).not.toContain(PG_PASSWORD_CANARY);
  });

  it('the status view is read-only: with the access token expired it neither refreshes nor writes the ledger', async () => {
    const conn = connection();
    await load([conn.node], { [conn.id]: conn.credentials });
    expect((await connect(conn.id, editorBody(conn))).status).toBe(200);
    const dialog = { ...editorBody(conn), clientSecret: '__PWRD__' };
    const before = (await statusOf(conn.id, dialog)).body;
    expect(before.state).toBe('active');
    clock.advance(31 * MINUTE);
    const refreshes = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    const view = (await statusOf(conn.id, dialog)).body;
    expect({ refreshes: (sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - refreshes, version: view.version, state: view.state }).toEqual({
      refreshes: 0,
      version: before.version,
      state: 'active',
    });
    // The organisations of the last connect, marked as not checked now.
    expect(before.tenantsChecked).toBe(true);
    expect(view).toMatchObject({ tenantsChecked: false, tenants: [{ tenantId: DEMO_TENANT_ID }] });
  });
});

describe('xero check connection', () => {
  it('sends connected results to output 1 with tenants and token health, and the Organisation for a tenant', async () => {
    const conn = connection({ tenantId: DEMO_TENANT_ID });
    const flow = [
      conn.node,
      { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper' },
      { id: 'bad', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await until('the not-connected status', () => (lastStatus('checkNode')?.text?.startsWith('not connected') ? true : undefined));
    expect(lastStatus('checkNode')).toMatchObject({ fill: 'red' });
    await connect(conn.id, editorBody(conn));
    const out = next<CheckMsg>('ok');
    helper.getNode('checkNode').receive({ payload: 'go' });
    const msg = await out;
    expect(msg.payload).toMatchObject({
      status: 'connected',
      tenants: [{ tenantId: DEMO_TENANT_ID, tenantName: 'Demo Company (NZ)' }],
      tokenHealth: { chainState: 'active', daysLeftBeforeIdleExpiry: 59 },
    });
    expect(msg.payload.organisation.Name).toBe('Demo Company (NZ)');
    expect(lastStatus('checkNode')).toEqual({ fill: 'green', shape: 'dot', text: 'connected: 1 organisation' });
    // What the node asks for against what Xero granted, and the app against its tier's cap (by fingerprint, never the client id).
    expect(msg.payload.scopes).toMatchObject({ missing: [], granted: expect.arrayContaining(['accounting.contacts']) });
    expect(msg.payload.scopes.advice).toBeUndefined();
    expect(msg.payload.connectionCap).toMatchObject({ app: expect.stringMatching(/^app [0-9a-f]{8}$/), connected: 1, cap: 5 });
    expect(JSON.stringify(msg.payload)).not.toContain(DEMO_CLIENT_ID);

    // A consent that left a scope out: the check names it and says how to get it back, in Node-RED's words.
    await connect(conn.id, editorBody(conn), { withoutScopes: ['accounting.contacts'] });
    const again = next<CheckMsg>('ok');
    helper.getNode('checkNode').receive({ payload: 'go' });
    const { payload } = await again;
    expect(payload.scopes.missing).toEqual(['accounting.contacts']);
    expect(payload.scopes.advice).toMatch(/accounting\.contacts.*Connect to Xero/);
  });

  it('refreshes an expired access token on its own, exactly once, and stays connected', async () => {
    const conn = connection();
    const flow = [
      conn.node,
      { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper' },
      { id: 'bad', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn));
    clock.advance(31 * MINUTE);
    const before = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    const out = next<CheckMsg>('ok');
    helper.getNode('checkNode').receive({});
    expect((await out).payload.status).toBe('connected');
    expect((sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - before).toBe(1);
  });

  it('a wrong tenant: problem output, red status saying to pick another tenant; the flow keeps running', async () => {
    const conn = connection({ tenantId: SECOND_TENANT_ID });
    const flow = [
      conn.node,
      { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['ok'], ['bad']] },
      { id: 'check2', type: 'xero check connection', connection: conn.id, tenantId: DEMO_TENANT_ID, wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper' },
      { id: 'bad', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn), { tenants: [DEMO_TENANT_ID] });
    const problem = next<CheckMsg>('bad');
    helper.getNode('checkNode').receive({});
    const msg = await problem;
    expect(msg.payload).toMatchObject({ status: 'disconnected', problem: { category: 'tenant_access_denied', action: 'reauthenticate' } });
    expect(lastStatus('checkNode')).toMatchObject({ fill: 'red', text: 'wrong tenant: not connected to it; pick another' });
    const ok = next<CheckMsg>('ok');
    helper.getNode('check2').receive({});
    expect((await ok).payload.status).toBe('connected');
  });

  it('a missing client id: red status at deploy saying what to fix, a classified problem per message, no crash', async () => {
    const conn = connection({ clientId: '' });
    const flow = [
      conn.node,
      { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper' },
      { id: 'bad', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    expect(lastStatus('checkNode')).toEqual({ fill: 'red', shape: 'dot', text: 'no client id: add it in the xero-connection node' });
    for (let i = 0; i < 2; i++) {
      const problem = next<CheckMsg>('bad');
      helper.getNode('checkNode').receive({});
      const msg = await problem;
      expect(msg.payload).toMatchObject({ status: 'disconnected', problem: { action: 'fix_configuration' } });
      expect(msg.payload.reason).toContain('copy the client id of your app');
    }
    expect(lastStatus('checkNode')).toMatchObject({ fill: 'red', text: 'no client id: add it in the xero-connection node' });
  });

  it('an unreachable ledger (a folder that cannot exist, a database that does not answer): red status naming the ledger, flow keeps running', async () => {
    const blocker = join(userDir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const fileConn = connection({ ledgerFolder: join(blocker, 'ledger') });
    const pgConn = connection({ ledger: 'postgres', postgresUrl: `postgres://xg:${PG_PASSWORD_CANARY}@127.0.0.1:1/xg` });
    const flow = [
      fileConn.node,
      pgConn.node,
      { id: 'checkFile', type: 'xero check connection', connection: fileConn.id, wires: [['ok'], ['bad']] },
      { id: 'checkPg', type: 'xero check connection', connection: pgConn.id, wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper' },
      { id: 'bad', type: 'helper' },
    ];
    await load(flow, { [fileConn.id]: fileConn.credentials, [pgConn.id]: pgConn.credentials });
    const seen = collect<CheckMsg>(['ok', 'bad']);
    for (const [id, status] of [
      ['checkFile', 'disconnected'],
      ['checkPg', 'degraded'],
    ]) {
      const problem = next<CheckMsg>('bad');
      helper.getNode(id).receive({});
      const msg = await problem;
      // A folder that cannot exist needs a human; a database that is down may come back (the core's reading).
      expect(msg.payload.status).toBe(status);
      expect(lastStatus(id)).toEqual({ fill: 'red', shape: 'dot', text: 'ledger unreachable: check its folder or URL' });
    }
    expect(seen[0].msg.payload.reason).toContain('set "Ledger folder" in the xero-connection node');
    expect(seen[1].msg.payload.reason).toMatch(/127\.0\.0\.1:1/);
    expectNoSecrets(visibleTexts(seen), [PG_PASSWORD_CANARY]);
    // The editor's view (a reader may ask) names neither the database's address nor why it failed: the log does.
    for (const conn of [fileConn, pgConn]) {
      const view = (await statusOf(conn.id)).body;
      expect(view).toMatchObject({ state: 'unavailable', message: expect.stringContaining('Node-RED log') });
      expect(JSON.stringify(view)).not.toMatch(/127\.0\.0\.1|a-file|ECONN|ENOTDIR|EEXIST/);
    }
  });
});

describe('xero refresh token', () => {
  it('if needed does nothing while fresh; force rotates; opt-in headers carry a token Xero accepts', async () => {
    const conn = connection({ tenantId: DEMO_TENANT_ID });
    const flow = [
      conn.node,
      { id: 'ifNeeded', type: 'xero refresh token', connection: conn.id, mode: 'if_needed', wires: [['out']] },
      { id: 'forceNode', type: 'xero refresh token', connection: conn.id, mode: 'force', wires: [['out']] },
      { id: 'headers', type: 'xero refresh token', connection: conn.id, mode: 'if_needed', setHeaders: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn));
    let out = next<RefreshMsg>('out');
    helper.getNode('ifNeeded').receive({ payload: 1 });
    const fresh = (await out).payload;
    expect(fresh).toMatchObject({ refreshed: false, mode: 'if_needed', version: 1, chainState: 'active' });
    out = next<RefreshMsg>('out');
    helper.getNode('forceNode').receive({ payload: 2 });
    const forced = (await out).payload;
    expect(forced).toMatchObject({ refreshed: true, mode: 'force', version: 3 });
    expect(Date.parse(forced.accessTokenExpiresAt)).toBeGreaterThan(clock.now() + 29 * MINUTE);
    expect(lastStatus('forceNode')).toMatchObject({ fill: 'green', text: expect.stringMatching(/^refreshed: valid until \d\d:\d\d UTC$/) });
    out = next<RefreshMsg>('out');
    helper.getNode('headers').receive({ headers: { 'x-keep': '1' } });
    const withHeaders = await out;
    expect(withHeaders.headers).toMatchObject({ 'x-keep': '1', 'xero-tenant-id': DEMO_TENANT_ID, Authorization: expect.stringMatching(/^Bearer /) });
    const organisation = await fetch(`${sim.apiUrl}/api.xro/2.0/Organisation`, { headers: withHeaders.headers });
    expect(organisation.status).toBe(200);
  });

  it('after the user revokes access: the error reaches Catch nodes with NEEDS_REAUTH, red status, and no retry storm', async () => {
    const conn = connection();
    const flow = [
      conn.node,
      { id: 'forceNode', type: 'xero refresh token', connection: conn.id, mode: 'force', wires: [['out']] },
      { id: 'ifNeeded', type: 'xero refresh token', connection: conn.id, mode: 'if_needed', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn));
    sim.revokeUser(user);
    let caught = next<CaughtMsg>('caught');
    helper.getNode('forceNode').receive({ payload: 'x' });
    const first = await caught;
    expect(first.xeroGuard).toMatchObject({ code: 'NEEDS_REAUTH', retryable: false });
    expect(first.error.message).toContain('needs to be reconnected');
    expect(lastStatus('forceNode')).toMatchObject({ fill: 'red', text: 'needs reconnect: click Connect to Xero' });
    const calls = sim.stats().tokenCalls;
    caught = next<CaughtMsg>('caught');
    helper.getNode('ifNeeded').receive({ payload: 'y' });
    expect((await caught).xeroGuard.code).toBe('NEEDS_REAUTH');
    expect(sim.stats().tokenCalls).toBe(calls);
  });
});

describe('status dots follow the connection', () => {
  it("one node's forced refresh learns of a revocation: every node of the connection turns red, none stays 'refreshing'; a reconnect turns them back", async () => {
    const conn = connection();
    const flow = [
      conn.node,
      { id: 'forceNode', type: 'xero refresh token', connection: conn.id, mode: 'force', wires: [['out']] },
      { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['out'], ['out']] },
      { id: 'watchNode', type: 'xero connection watch', connection: conn.id, interval: 1, intervalUnits: 'hours', checkOnStart: false, wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn));
    await inputDone('checkNode');
    expect(lastStatus('checkNode')).toMatchObject({ fill: 'green', text: 'connected: 1 organisation' });
    sim.revokeUser(user);
    const caught = next<CaughtMsg>('caught');
    helper.getNode('forceNode').receive({});
    await caught;
    const reconnect = { fill: 'red', shape: 'dot', text: 'needs reconnect: click Connect to Xero' };
    await until('the other nodes to follow', () => (lastStatus('checkNode')?.fill === 'red' && lastStatus('watchNode')?.fill === 'red' ? true : undefined));
    expect([lastStatus('forceNode'), lastStatus('checkNode'), lastStatus('watchNode')]).toEqual([reconnect, reconnect, reconnect]);
    // Each showed 'refreshing' while the forced refresh ran, and none kept it.
    expect(statusesOf('checkNode').some((d) => d.text === 'refreshing the access token')).toBe(true);

    await connect(conn.id, editorBody(conn));
    await until('the nodes to follow the reconnect', () =>
      lastStatus('checkNode')?.fill === 'green' && lastStatus('watchNode')?.fill === 'green' ? true : undefined,
    );
    expect(lastStatus('checkNode')).toEqual({ fill: 'green', shape: 'ring', text: 'ready (not checked yet)' });
  });
});

describe('xero-connection settings the editor sends', () => {
  it('custom endpoints ticked with a URL empty: Connect refuses (never the real login.xero.com) and a deployed node says what to fix', async () => {
    const conn = connection();
    const empty = { ...conn.node, tokenUrl: '' };
    await load([empty, { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['out'], ['out']] }, { id: 'out', type: 'helper' }], {
      [conn.id]: conn.credentials,
    });
    const started = await startConnect(conn.id, { ...empty, ...conn.credentials });
    expect({ status: started.status, error: started.body.error }).toEqual({ status: 400, error: expect.stringContaining('Token URL is empty') });
    expect(lastStatus('checkNode')).toEqual({ fill: 'red', shape: 'dot', text: 'custom endpoints ticked but empty: fill them in or untick' });
  });

  it("before the first deploy, the organisations of the last Connect are listed for the nodes' dropdowns", async () => {
    const conn = connection();
    await load([{ id: 'out', type: 'helper' }], {});
    await connect(conn.id, editorBody(conn), { tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const view = (await statusOf(conn.id)).body;
    expect(view).toMatchObject({ state: 'not_deployed', lastConnect: expect.any(Object) });
    expect(view.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID]);
  });
});

describe('xero classify error', () => {
  const flow = (extra: Record<string, unknown> = {}) => [
    {
      id: 'classifyNode',
      type: 'xero classify error',
      source: 'auto',
      target: 'classification',
      outputMode: 'groups',
      rules: '',
      ...extra,
      wires: [['retry'], ['wait'], ['reauth'], ['fix'], ['alert']],
    },
    ...['retry', 'wait', 'reauth', 'fix', 'alert'].map((id) => ({ id, type: 'helper' })),
  ];
  /** A classify node with one output, to `to`, and the user's own rules. */
  const withRules = (id: string, rules: unknown[], to: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'xero classify error',
    source: 'auto',
    target: 'classification',
    outputMode: 'single',
    rules: JSON.stringify(rules),
    ...extra,
    wires: [[to]],
  });

  it('routes an http request response, a Catch error and a payload to the output of their action, leaving the msg as it came', async () => {
    await load(flow(), {});
    let out = next<ClassifiedMsg>('wait');
    helper.getNode('classifyNode').receive({ statusCode: 429, headers: { 'retry-after': '37', 'x-rate-limit-problem': 'minute' }, payload: '', topic: 'keep' });
    const limited = await out;
    expect(limited.classification).toMatchObject({ category: 'rate_limit_minute', action: 'wait_and_retry', retryAfterSeconds: 37 });
    expect(limited.topic).toBe('keep');
    out = next<ClassifiedMsg>('reauth');
    helper
      .getNode('classifyNode')
      .receive({ error: { message: 'Xero answered {"error":"invalid_grant"} from the token endpoint', source: { id: 'x', type: 'http request' } } });
    expect((await out).classification.category).toBe('refresh_token_invalid');
    out = next<ClassifiedMsg>('retry');
    helper
      .getNode('classifyNode')
      .receive({ payload: { statusCode: 401, body: { Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token expired at 04/29/2020 09:22:02' } } });
    expect((await out).classification.action).toBe('refresh_and_retry');
    out = next<ClassifiedMsg>('fix');
    helper
      .getNode('classifyNode')
      .receive({ statusCode: 400, headers: {}, payload: { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred' } });
    expect((await out).classification.category).toBe('validation_error');
  });

  it("keeps an upstream Xero Guard node's classification (its Xero detail and correlation id) unless the user's own rule matches; a fresh http answer is read afresh", async () => {
    // What xero api put on msg.error after Xero refused the organisation (issue 29: this became `forbidden`, advice in n8n's words).
    const upstream = {
      name: 'XeroGuardError',
      code: 'XERO_API_ERROR',
      message: 'Xero refused access to this organisation. (GET Organisation, HTTP 403)',
      category: 'tenant_access_denied',
      action: 'reauthenticate',
      retryable: false,
      severity: 'critical',
      summary: 'Xero refused access to this organisation.',
      advice: 'Check that the flow uses the right Xero organisation, then click Connect to Xero and tick that organisation.',
      httpStatus: 403,
      retryAfterSeconds: null,
      xeroDetail: 'AuthenticationUnsuccessful',
      correlationId: 'corr-29-0001',
    };
    await load(
      [
        ...flow(),
        withRules('ruled', [{ name: 'ours', expression: 'status = 403', category: 'call_the_office', action: 'alert', advice: 'Ring Sam.' }], 'alert'),
      ],
      {},
    );
    let out = next<ClassifiedMsg>('reauth');
    helper.getNode('classifyNode').receive({ error: upstream });
    expect((await out).classification).toMatchObject({
      category: 'tenant_access_denied',
      action: 'reauthenticate',
      xeroDetail: 'AuthenticationUnsuccessful',
      correlationId: 'corr-29-0001',
      advice: upstream.advice,
      matchedRule: null,
    });
    // Beside a Catch node's msg.error from one of our nodes: msg.xeroGuard.
    out = next<ClassifiedMsg>('reauth');
    helper.getNode('classifyNode').receive({ error: { message: upstream.message, source: { id: 'a', type: 'xero api' } }, xeroGuard: upstream });
    expect((await out).classification).toMatchObject({ category: 'tenant_access_denied', correlationId: 'corr-29-0001' });
    // A check's problem on its second output.
    out = next<ClassifiedMsg>('reauth');
    helper.getNode('classifyNode').receive({ payload: { status: 'disconnected', tokenHealth: {}, problem: { ...upstream, category: 'access_revoked' } } });
    expect((await out).classification.category).toBe('access_revoked');
    // A retried message's old msg.xeroGuard says nothing about a new http answer.
    out = next<ClassifiedMsg>('wait');
    helper.getNode('classifyNode').receive({ statusCode: 429, headers: { 'retry-after': '5' }, payload: '', xeroGuard: upstream });
    expect((await out).classification.category).toMatch(/^rate_limit/);
    // The user's own rule decides.
    out = next<ClassifiedMsg>('alert');
    helper.getNode('ruled').receive({ error: upstream });
    expect((await out).classification).toMatchObject({ category: 'call_the_office', matchedRule: 'ours', advice: 'Ring Sam.' });
  });

  it('one output when asked; a named property; custom rules first; a broken rule turns the status red but still classifies', async () => {
    await load(
      [
        withRules('singleNode', [{ name: 'teapot', expression: 'status = 418', category: 'teapot', action: 'alert', advice: 'Ask the kettle.' }], 'out', {
          source: 'property',
          property: 'failure',
          target: 'result',
        }),
        withRules('broken', [{ name: 'bad', expression: 'status = = 1', category: 'x', action: 'alert' }], 'out'),
        { id: 'out', type: 'helper' },
      ],
      {},
    );
    expect(lastStatus('broken')).toMatchObject({ fill: 'red', text: expect.stringContaining('fix custom rules') });
    // Two nodes, two targets: `result` for singleNode, `classification` for broken.
    let out = next<Partial<Record<'result' | 'classification', Classification>>>('out');
    helper.getNode('singleNode').receive({ failure: { statusCode: 418, body: 'short and stout' } });
    expect((await out).result).toMatchObject({ category: 'teapot', matchedRule: 'teapot', advice: 'Ask the kettle.' });
    out = next('out');
    helper.getNode('broken').receive({ statusCode: 503, payload: 'The Organisation is offline' });
    const msg = await out;
    expect(msg.classification!.category).toBe('organisation_offline');
    expect(msg.classification!.configurationError).toContain('bad');
  });

  it('keeps tokens from the input out of the classification and out of its status', async () => {
    await load(flow(), {});
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnktdG9rZW4tOTk4ODc3In0.c2lnbmF0dXJlLWNhbmFyeS0xMjM0NTY3ODk';
    const out = next<ClassifiedMsg>('reauth');
    helper
      .getNode('classifyNode')
      .receive({ error: { message: `refresh failed: {"error":"invalid_grant"} refresh_token=${token} Authorization: Bearer ${token}` } });
    const msg = await out;
    expectNoSecrets(
      [
        ['classification', JSON.stringify(msg.classification)],
        ...helper._NodePrototype.status.getCalls().map((c: SpyCall) => ['status', JSON.stringify(c.args[0])] as [string, string]),
      ],
      [token],
    );
  });
});

describe('xero connection watch', () => {
  it('emits once on revocation, not again while it stays broken, once on recovery; polls keep the refresh token alive', async () => {
    const conn = connection();
    const flow = [
      conn.node,
      { id: 'watchNode', type: 'xero connection watch', connection: conn.id, interval: 1, intervalUnits: 'hours', checkOnStart: false, wires: [['alerts']] },
      { id: 'alerts', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn));
    const alerts = collect<WatchMsg>(['alerts']);
    const poll = () => inputDone('watchNode');
    await poll();
    expect(alerts).toHaveLength(0);
    expect(lastStatus('watchNode')).toMatchObject({ fill: 'green', text: expect.stringMatching(/^connected: 1 organisation \(\d\d:\d\d:\d\d\)$/) });

    // Keep-alive: 8 idle days on the clock; the next poll rotates the refresh token, and says nothing.
    const rotations = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    clock.advance(8 * DAY);
    await poll();
    expect((sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - rotations).toBe(1);
    expect(alerts).toHaveLength(0);

    sim.revokeUser(user);
    await poll();
    await poll();
    await poll();
    expect(alerts).toHaveLength(1);
    const alert = alerts[0].msg;
    expect(alert.topic).toBe('xero/connection/problem');
    expect(alert.payload).toMatchObject({
      status: 'disconnected',
      event: { kind: 'problem', from: 'connected', to: 'disconnected' },
      connection: { id: conn.id, name: 'Demo org' },
    });
    expect(['refresh_token_invalid', 'access_revoked']).toContain(alert.payload.problem.category);
    expect(alert.payload.advice).toEqual(expect.any(String));
    expect(alert.payload.reconnect.url).toMatch(new RegExp(`#node/${conn.id}$`));
    expect(lastStatus('watchNode')).toMatchObject({ fill: 'red', text: expect.stringContaining('needs reconnect') });
    // The refresh that learned of the revocation (and the candidates the engine tries first); none after.
    const deadUses = sim.deadTokenUses();
    await poll();
    expect(sim.deadTokenUses()).toBe(deadUses);

    await connect(conn.id, editorBody(conn));
    await poll();
    await poll();
    expect(alerts).toHaveLength(2);
    expect(alerts[1].msg.payload.event).toMatchObject({ kind: 'recovered', from: 'disconnected', to: 'connected' });
  });

  it('two watch nodes on one connection, polling at once, and a full deploy in between: each change is sent once in all', async () => {
    const conn = connection();
    const watch = (id: string) => ({
      id,
      type: 'xero connection watch',
      connection: conn.id,
      interval: 1,
      intervalUnits: 'hours',
      checkOnStart: false,
      wires: [['alerts']],
    });
    const flow = [conn.node, watch('watchA'), watch('watchB'), { id: 'alerts', type: 'helper' }];
    await load(flow, { [conn.id]: conn.credentials });
    await connect(conn.id, editorBody(conn));
    let alerts = collect<WatchMsg>(['alerts']);
    const both = () => Promise.all([inputDone('watchA'), inputDone('watchB')]);
    await both();
    sim.revokeUser(user);
    await both();
    await both();
    expect(alerts.map((a) => a.msg.topic)).toEqual(['xero/connection/problem']);
    // A full deploy: new nodes, nothing in their own memory.
    await helper.unload();
    await load(flow, { [conn.id]: conn.credentials });
    alerts = collect<WatchMsg>(['alerts']);
    await both();
    expect(alerts).toEqual([]);
    await connect(conn.id, editorBody(conn));
    await both();
    await both();
    expect(alerts.map((a) => a.msg.topic)).toEqual(['xero/connection/recovered']);
  });

  it('checks at deploy on its own; a first check of a broken connection alerts once; on its timer', async () => {
    const conn = connection({ clientSecret: 'wrong-secret-for-the-demo-app' });
    const flow = [
      conn.node,
      { id: 'watchNode', type: 'xero connection watch', connection: conn.id, interval: 1, intervalUnits: 'seconds', wires: [['alerts']] },
      { id: 'alerts', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    const alerts = collect<WatchMsg>(['alerts']);
    await until('the first alert', () => (alerts.length > 0 ? true : undefined));
    const polls = statusesOf('watchNode').length;
    await until('two more timer polls', () => (statusesOf('watchNode').length >= polls + 2 ? true : undefined));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].msg.payload).toMatchObject({ status: 'disconnected', event: { kind: 'problem', from: null } });
    expect(alerts[0].msg.payload.problem.category).toBe('not_connected');
  });
});

describe('secrets', () => {
  it('no client secret, database password or token in any message, status or log line, across connect, check, refresh, watch and failures', async () => {
    const conn = connection({ clientId: 'CANARYCLIENT00000000000000000001', clientSecret: SECRET_CANARY, tenantId: DEMO_TENANT_ID });
    const flow = [
      conn.node,
      { id: 'checkNode', type: 'xero check connection', connection: conn.id, wires: [['out'], ['out']] },
      { id: 'refreshNode', type: 'xero refresh token', connection: conn.id, mode: 'force', wires: [['out']] },
      {
        id: 'watchNode',
        type: 'xero connection watch',
        connection: conn.id,
        interval: 1,
        intervalUnits: 'hours',
        checkOnStart: false,
        emitEveryPoll: true,
        wires: [['out']],
      },
      { id: 'classifyNode', type: 'xero classify error', source: 'auto', outputMode: 'single', target: 'classification', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['classifyNode']] },
      { id: 'out', type: 'helper' },
    ];
    await load(flow, { [conn.id]: conn.credentials });
    const seen = collect(['out']);
    await connect(conn.id, editorBody(conn));
    const step = async (id: string, count: number) => {
      const target = seen.length + count;
      helper.getNode(id).receive({ payload: 'go' });
      await until(`output of ${id}`, () => (seen.length >= target ? true : undefined));
    };
    await step('checkNode', 1);
    await step('refreshNode', 1);
    await step('watchNode', 1);
    clock.advance(31 * MINUTE);
    await step('checkNode', 1);
    sim.revokeUser(user);
    await step('checkNode', 1);
    await step('refreshNode', 1); // the error, through Catch and classify
    await step('watchNode', 1);
    expect(seen.length).toBe(7);
    const secrets = [SECRET_CANARY, ...issuedSecrets(sim)];
    expect(secrets.length).toBeGreaterThan(4);
    expectNoSecrets(visibleTexts(seen), secrets);
  });
});
