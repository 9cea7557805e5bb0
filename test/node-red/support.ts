/**
 * Shared by the Node-RED tests: the consent form of the simulator submitted over HTTP (what a
 * browser does when the user clicks "Allow access"), and the canary checks that no secret leaks.
 */
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type Simulator } from '../../src/simulator';

const helper = require('node-red-node-test-helper');

/** The editor as the admin routes see it: its pages are at http://127.0.0.1:1880, and send their Origin. */
export const EDITOR = { Host: '127.0.0.1:1880', Origin: 'http://127.0.0.1:1880' };
export const REDIRECT_URI = 'http://127.0.0.1:1880/xero-guard/connect/callback';

/** "Connect to Xero" as the editor starts it: JSON, from the editor's origin. */
export function startConnect(id: string, body: Record<string, unknown>) {
  return helper
    .request()
    .post(`/xero-guard/connections/${id}/authorize`)
    .set(EDITOR)
    .send({ ...body, redirectUri: REDIRECT_URI });
}

/** The callback in the browser that started the connect: with the cookie the start set. */
export function callbackIn(started: { headers: Record<string, unknown> }, callback: URL) {
  const cookies = ([] as string[]).concat((started.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]);
  return helper.request().get(`${callback.pathname}${callback.search}`).set('Cookie', cookies.join('; '));
}

/** Sends msg into node `id` and waits until it has called done (Node-RED's _complete), its messages delivered. */
export function inputDone(id: string, msg: Record<string, unknown> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const node = helper.getNode(id);
    const timer = setTimeout(() => reject(new Error(`${id} did not finish its input within 20 s`)), 20_000);
    node._complete = function (this: unknown, ...args: unknown[]) {
      delete node._complete;
      clearTimeout(timer);
      Object.getPrototypeOf(node)._complete.apply(this, args);
      // Sent messages reach their wires on a later tick: let them arrive.
      setImmediate(() => setImmediate(resolve));
    };
    node.receive(msg);
  });
}

/** A xero-connection node on the simulator's endpoints, with a file ledger in the userDir, and its credentials (the demo app). */
export function connectionNode(sim: Simulator, id: string, name: string, tenantId = '') {
  const node = {
    id,
    type: 'xero-connection',
    name,
    scopes: 'accounting.settings accounting.contacts accounting.transactions',
    tenantId,
    ledger: 'file',
    ledgerFolder: '',
    useCustomEndpoints: true,
    authorizeUrl: sim.authorizeUrl,
    tokenUrl: sim.tokenUrl,
    apiUrl: sim.apiUrl,
  };
  return { id, node, credentials: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET } };
}

/** Submits the simulator's consent form for an authorize URL; resolves to the callback URL Xero redirects to. */
export async function allowAtSimulator(
  authorizeUrl: string,
  options: { tenants?: string[]; email?: string; action?: 'allow' | 'cancel'; withoutScopes?: string[] } = {},
): Promise<string> {
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  // A consent that grants less than the app asked for (the user, or Xero, left some out).
  const asked = form.get('scope');
  if (options.withoutScopes && asked)
    form.set(
      'scope',
      asked
        .split(' ')
        .filter((s) => !options.withoutScopes!.includes(s))
        .join(' '),
    );
  form.set('email', options.email ?? 'demo@xero-guard.test');
  form.set('password', 'demo');
  form.set('action', options.action ?? 'allow');
  for (const tenant of options.tenants ?? ['a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e']) form.append('tenant', tenant);
  const response = await fetch(`${url.origin}${url.pathname}`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`the simulator's consent answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`);
  return location;
}

/** Every access, refresh and id token the simulator issued, and the authorization codes it handed out. */
export function issuedSecrets(sim: Simulator): string[] {
  const found = new Set<string>();
  for (const event of sim.log()) {
    const e = event as unknown as Record<string, unknown>;
    for (const field of ['accessToken', 'refreshToken', 'idToken', 'code']) {
      const v = e[field];
      if (typeof v === 'string' && v.length >= 16) found.add(v);
    }
    if (e.type === 'request' && typeof e.path === 'string') {
      const code = /[?&]code=([^&]+)/.exec(e.path);
      if (code) found.add(decodeURIComponent(code[1]));
    }
  }
  return [...found];
}

/** The parts of a token long enough to be recognised if it were cut or re-encoded. */
function fragments(secret: string): string[] {
  if (secret.length < 24) return [secret];
  const parts = secret.split('.').filter((p) => p.length >= 16);
  return parts.length > 1 ? [secret, ...parts] : [secret, secret.slice(0, 24), secret.slice(-24)];
}

/** Fails naming where a canary or a token was found in `texts` (label -> text). */
export function expectNoSecrets(texts: Array<[string, string]>, secrets: string[]): void {
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const fragment of fragments(secret)) {
      for (const [label, text] of texts) {
        if (text.includes(fragment)) leaks.push(`${label} contains ${fragment.slice(0, 6)}…`);
      }
    }
  }
  expect(leaks).toEqual([]);
}

/** Polls `check` until it returns a value other than undefined; bounded, so a hang fails with a message. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not a wait for time
  }
}

/** A test body whose failure carries the tail of a real Node-RED's log (the runtime tests). */
export function withNodeRedLog(nodeRed: () => { log(): string } | undefined, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (error) {
      const tail = nodeRed()?.log().split('\n').slice(-60).join('\n') ?? '';
      if (error instanceof Error) error.message = `${error.message}\n--- Node-RED log (tail) ---\n${tail}`;
      throw error;
    }
  };
}

/** One call a sinon spy recorded (the helper spies on every node's status and on the log): the node it was made on, and its arguments. */
export interface SpyCall {
  thisValue?: { id?: string };
  args: unknown[];
}
