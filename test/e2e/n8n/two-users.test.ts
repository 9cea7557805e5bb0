/**
 * Issue 24, items 1 and 2, as they were found: one real n8n 2.41.1 with two members, A and B, each
 * in their own personal project, nothing shared. A runs a Custom Connection (client credentials)
 * credential against the simulator (playing Xero). B creates credentials of their own with A's
 * client id (client ids are not secrets) and any secret, and tries to (a) read A's live access
 * token with the Refresh Token node's "Include Tokens in Output", (b) get A's bearer sent to B's
 * own server by the Xero Guard node, (d) mark A's chain misconfigured with a forced refresh and a
 * wrong secret, (c) plant B's own token set in A's chain with a forced refresh against B's token
 * URL, which A's next execution in a fresh process would then use; and (item 2) list A's chains,
 * organisations and chain keys with the Xero Guard Connections node. Every B request goes through
 * B's own session and key, as the editor would send it. One n8n boot for all. On 98992cb all seven
 * checks failed; Invariant 16 (docs/design/engine.md) and the fleet's own-view are what make them pass.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CLIENT_SECRET, DEMO_CUSTOM_CLIENT_ID, DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, type N8nHandle, type N8nMember, type RestAnswer } from '../../../tools/n8n/n8n';
import { CREDENTIAL_TYPE, PACKAGE, startE2eSimulator } from '../../../tools/n8n/xero';
import { webhookInto } from '../../../tools/n8n/workflows';

jest.setTimeout(300_000);

const A_CREDENTIAL = "A's custom connection";
const A_ORGANISATION = 'Demo Company (NZ)';
const B_SECRET = 'b-does-not-know-the-secret-of-this-app';
const PLANTED_ACCESS = 'planted-by-b-access-token-0000000000000000';
/** Any chain key: `xero:<client id>:...`. */
const CHAIN_KEY = /xero:[A-Za-z0-9_-]+:[A-Za-z0-9_]+/;

/** The names of the `secrets` found in `text`: names only, so no token value reaches a test report. */
const found = (text: string, secrets: Record<string, string>): string[] =>
  Object.entries(secrets)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);

/** B's own server on loopback: records every request, hands out B's planted token set, answers every API call. */
interface ForeignServer {
  url: string;
  requests: Array<{ method: string; url: string; authorization: string; body: string }>;
  close(): Promise<void>;
}

async function startForeignServer(): Promise<ForeignServer> {
  const requests: ForeignServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: String(req.headers.authorization ?? ''), body });
      if (req.url?.startsWith('/token')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: PLANTED_ACCESS, expires_in: 1800, token_type: 'Bearer', scope: 'accounting.settings' }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Organisations: [{ Name: "B's server" }] }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A Custom Connection credential as the editor saves it. */
function customConnection(name: string, secret: string, endpoints: { tokenUrl: string; apiUrl: string; authUrl: string }) {
  return {
    name,
    type: CREDENTIAL_TYPE,
    data: {
      grantType: 'clientCredentials',
      clientId: DEMO_CUSTOM_CLIENT_ID,
      clientSecret: secret,
      xeroScopes: ['accounting.settings'],
      additionalScopes: '',
      ledger: 'auto',
      useCustomEndpoints: true,
      customAuthUrl: endpoints.authUrl,
      customAccessTokenUrl: endpoints.tokenUrl,
      apiBaseUrl: endpoints.apiUrl,
    },
  };
}

type Cred = { id: string; name: string };
const refreshNode = (credential: Cred, mode: 'ifNeeded' | 'force', includeTokens: boolean) => ({
  name: 'Refresh Xero Token',
  type: `${PACKAGE}.xeroGuardRefreshToken`,
  typeVersion: 1,
  parameters: { mode, includeTokens },
  credentials: { [CREDENTIAL_TYPE]: credential },
});
const connectionsNode = (credential: Cred) => ({
  name: 'Xero Connections',
  type: `${PACKAGE}.xeroGuardConnections`,
  typeVersion: 1,
  parameters: { mode: 'list' },
  credentials: { [CREDENTIAL_TYPE]: credential },
});
const checkNode = (credential: Cred) => ({
  name: 'Check Xero Connection',
  type: `${PACKAGE}.xeroGuardCheckConnection`,
  typeVersion: 1,
  parameters: { tenantId: DEMO_TENANT_ID },
  credentials: { [CREDENTIAL_TYPE]: credential },
});
const organisationNode = (credential: Cred) => ({
  name: 'Organisation',
  type: `${PACKAGE}.xeroGuard`,
  typeVersion: 1,
  parameters: { organizationId: { __rl: true, mode: 'id', value: DEMO_TENANT_ID }, resource: 'organisation', operation: 'get' },
  credentials: { [CREDENTIAL_TYPE]: credential },
});

/** Manual Trigger -> node: for `n8n execute`, which runs it in a fresh process. */
function manualInto(name: string, node: Record<string, unknown> & { name: string }): Record<string, unknown> {
  return {
    name,
    nodes: [
      { id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
      { id: randomUUID(), position: [240, 0], ...node },
    ],
    connections: { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

describe('two n8n users in different projects: chains bound to their secret, the fleet inside the walls', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let foreign: ForeignServer | undefined;
  let userA: N8nMember;
  let userB: N8nMember;
  let aFreshRun: string;
  /** A's live access token, as A's own Refresh Token node shows it to A. */
  let aToken: string;
  const test = e2eTest(() => ({ n8n, sim }));
  const started = Date.now();

  /** POST to a member's production webhook. */
  const call = (path: string): Promise<RestAnswer> => n8n!.webhook(path);
  const tokensOf = (answer: RestAnswer): string[] =>
    (Array.isArray(answer.json) ? answer.json : [answer.json]).map((item: { accessToken?: unknown }) => String(item?.accessToken ?? ''));

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    foreign = await startForeignServer();
    n8n = await startN8n();
    userA = await n8n.createMember('a@xero-guard.test');
    userB = await n8n.createMember('b@xero-guard.test');
    const simEndpoints = { tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl, authUrl: sim.authorizeUrl };
    const foreignEndpoints = { tokenUrl: `${foreign.url}/token`, apiUrl: `${foreign.url}/api.xro/2.0`, authUrl: `${foreign.url}/authorize` };

    const aCred = await userA.createCredential(customConnection(A_CREDENTIAL, DEMO_CLIENT_SECRET, simEndpoints));
    for (const [name, path, node] of [
      ['A check', 'a-check', checkNode(aCred)],
      ['A tokens', 'a-tokens', refreshNode(aCred, 'ifNeeded', true)],
      ['A fleet', 'a-fleet', connectionsNode(aCred)],
    ] as const) {
      await userA.activate(await userA.importWorkflow(webhookInto(name, path, node)));
    }
    aFreshRun = await userA.importWorkflow(manualInto('A tokens, fresh process', refreshNode(aCred, 'ifNeeded', true)));

    // B: A's client id (as an authorize URL or the fleet view shows it) and a secret of B's choosing.
    const bSim = await userB.createCredential(customConnection("B's credential (Xero's endpoints)", B_SECRET, simEndpoints));
    const bOwn = await userB.createCredential(customConnection("B's credential (B's own server)", B_SECRET, foreignEndpoints));
    for (const [name, path, node] of [
      ['B fleet', 'b-fleet', connectionsNode(bSim)],
      ['B (a) tokens', 'b-tokens', refreshNode(bSim, 'ifNeeded', true)],
      ['B (b) organisation', 'b-organisation', organisationNode(bOwn)],
      ['B (c) force at own server', 'b-force-own', refreshNode(bOwn, 'force', false)],
      ['B (d) force with wrong secret', 'b-force-wrong', refreshNode(bSim, 'force', false)],
    ] as const) {
      await userB.activate(await userB.importWorkflow(webhookInto(name, path, node)));
    }

    // A uses the connection: a check (the fleet notes: organisations), then A's own token.
    const checked = await call('a-check');
    expect(checked.status).toBe(200);
    const own = await call('a-tokens');
    expect(own.status).toBe(200);
    aToken = tokensOf(own)[0] ?? '';
    expect(aToken.length).toBeGreaterThan(20);
    progress(`two-users: n8n, two members, eight workflows and A's first token ready in ${Math.round((Date.now() - started) / 1000)} s`);
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    await foreign?.close();
    progress(`two-users: the whole file took ${Math.round((Date.now() - started) / 1000)} s`);
  });

  test("item 2: B's Connections node shows nothing of A's (credential, organisation, chain key, client id)", async () => {
    const listed = await call('b-fleet');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(A_CREDENTIAL);
    expect(listed.text).not.toContain(A_ORGANISATION);
    expect(listed.text).not.toContain(DEMO_TENANT_ID);
    expect(listed.text).not.toMatch(CHAIN_KEY);
    expect(listed.text).not.toContain(DEMO_CUSTOM_CLIENT_ID);
  });

  test("item 2: A's own Connections node shows A's chain by its name, with no chain key and no client id", async () => {
    const listed = await call('a-fleet');
    expect(listed.status).toBe(200);
    expect(listed.text).toContain(A_CREDENTIAL);
    expect(listed.text).toContain(A_ORGANISATION);
    expect(listed.text).not.toMatch(CHAIN_KEY);
    expect(listed.text).not.toContain(DEMO_CUSTOM_CLIENT_ID);
  });

  test("item 1 (a): B's Refresh Token node with Include Tokens in Output never shows A's access token", async () => {
    const answer = await call('b-tokens');
    expect(found(answer.text, { "A's access token": aToken })).toEqual([]);
  });

  test("item 1 (b): B's Xero Guard node with B's own endpoints never sends A's bearer to B's server", async () => {
    await call('b-organisation');
    expect(found(JSON.stringify(foreign!.requests), { "A's access token": aToken })).toEqual([]);
  });

  test("item 1 (d): a forced refresh with B's wrong secret leaves A's chain working", async () => {
    await call('b-force-wrong');
    const own = await call('a-tokens');
    expect(own.status).toBe(200);
    expect(tokensOf(own).map((t) => (t === aToken ? "A's access token" : 'another token'))).toEqual(["A's access token"]);
  });

  test("item 1 (c): a forced refresh against B's token URL plants nothing in A's chain: A's next run, in a fresh process, uses A's own token", async () => {
    await call('b-force-own');
    const run = await n8n!.runWorkflow(aFreshRun);
    expect(found(run.output, { "B's planted token": PLANTED_ACCESS, "A's access token": aToken })).toEqual(["A's access token"]);
    expect(run.ok).toBe(true);
  });

  test("B's server never received A's secret or A's token, whatever B did", async () => {
    const seen = JSON.stringify(foreign!.requests);
    expect(
      found(seen, {
        "A's access token": aToken,
        "A's client secret": DEMO_CLIENT_SECRET,
        "A's client id and secret (Basic)": Buffer.from(`${DEMO_CUSTOM_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64'),
      }),
    ).toEqual([]);
  });
});
