/**
 * Issue 24 item 4: redirects were followed. fetch strips the bearer on a redirect to another origin, but
 * sent the tenant id, the Idempotency-Key, a 307/308 body and the token form with the live refresh token
 * on to wherever the Location pointed, and took the foreign answer as Xero's. Against two real local
 * HTTP servers on different ports (two origins): one that redirects, one that records everything it gets.
 * The foreign one must receive nothing, for API calls and token calls alike, and the error must say what
 * redirected where and how to fix it, without a secret, even when the redirect echoes them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyXeroError } from '../../../src/classify';
import {
  fetchTransport,
  RedirectRefusedError,
  TransportError,
  XeroAccountingClient,
  XeroApiError,
  XeroIdentityClient,
  type ClientAuthStyle,
} from '../../../src/xero';

/**
 * Lower case (they survive a URL's host, where the parser lowers case) and without digits, so redaction by
 * shape would not catch them: only the request's own values, which the error must redact, do.
 */
const REFRESH = 'refresh-canary-abcdefghjkmnpqrstuvwxyz';
const SECRET = 'client-canary-secret-words';
const ACCESS = 'access-canary-bearer-words';
const TENANT = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const IDEMPOTENCY = 'idem-key-canary-0001';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function listen(
  handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let foreign: { server: Server; base: string };
let redirecting: { server: Server; base: string };
const foreignSeen: Seen[] = [];
const sameOriginSeen: Seen[] = [];

beforeAll(async () => {
  // Answers like a token endpoint and an API: if anything reached it, a client could take it for Xero.
  foreign = await listen((req, body, res) => {
    foreignSeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'foreign-access', refresh_token: 'foreign-refresh', expires_in: 1800, token_type: 'Bearer', Invoices: [] }));
  });
  redirecting = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/elsewhere') {
      sameOriginSeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    if (url.pathname === '/not-modified') {
      res.writeHead(304);
      res.end();
      return;
    }
    const status = Number(url.searchParams.get('status') ?? 307);
    // A hostile endpoint echoes every secret it was sent into the Location: host, path and query.
    const form = new URLSearchParams(body);
    const auth = req.headers.authorization ?? '';
    const basicPair = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const echoed = [
      form.get('refresh_token'),
      form.get('client_secret'),
      form.get('code'),
      basicPair.split(':')[1],
      auth.startsWith('Bearer ') ? auth.slice(7) : null,
      req.headers['idempotency-key'],
    ].filter((v): v is string => typeof v === 'string' && v !== '');
    const to = url.searchParams.get('to');
    const location =
      to === 'same'
        ? '/elsewhere'
        : to === 'echo-host'
          ? `http://${form.get('refresh_token') ?? 'x'}.localhost:${new URL(foreign.base).port}/x`
          : `${foreign.base}/steal/${echoed.map(encodeURIComponent).join('/')}${url.pathname}?echo=${encodeURIComponent(echoed.join(','))}`;
    res.writeHead(status, { location });
    res.end('moved');
  });
});

afterAll(async () => {
  await Promise.all([foreign, redirecting].map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  foreignSeen.length = 0;
  sameOriginSeen.length = 0;
});

const basic = Buffer.from(`client-id:${SECRET}`).toString('base64');

function expectNoSecret(text: string): void {
  const lower = text.toLowerCase();
  for (const canary of [REFRESH, SECRET, ACCESS, basic.toLowerCase(), IDEMPOTENCY]) expect(lower).not.toContain(canary.toLowerCase());
}

describe('an API call that is answered with a redirect to another origin', () => {
  it.each([301, 302, 303, 307, 308])('HTTP %i: nothing reaches the other origin, and the error names both ends and the fix', async (status) => {
    const url = `${redirecting.base}/api.xro/2.0/Invoices?status=${status}&where=secret-query`;
    const error = await fetchTransport({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${ACCESS}`, 'xero-tenant-id': TENANT, 'idempotency-key': IDEMPOTENCY, 'content-type': 'application/json' },
      body: JSON.stringify({ Invoices: [{ Reference: 'canary-body' }] }),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(foreignSeen).toEqual([]);
    expect(error).toBeInstanceOf(RedirectRefusedError);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'EREDIRECT', status });
    const message = (error as Error).message;
    expect(message).toContain(`${redirecting.base}/api.xro/2.0/Invoices answered HTTP ${status}, a redirect to ${foreign.base}/steal/`);
    expect(message).toContain('Xero Guard follows no redirect');
    expect(message).toContain('custom endpoints');
    expect(message).toContain('proxy');
    expect(message).not.toContain('secret-query');
    expectNoSecret(message);
  });

  it('through the Accounting client: a fix-configuration error naming what redirected where, and nothing sent on', async () => {
    const client = new XeroAccountingClient({
      tokens: { getAccessToken: () => Promise.resolve(ACCESS), reportRejected: () => Promise.resolve() },
      tenantId: TENANT,
      endpoints: { apiUrl: redirecting.base },
    });
    const error = await client.request({ method: 'POST', path: 'Invoices', body: { Invoices: [{ Reference: 'x' }] }, idempotencyKey: IDEMPOTENCY }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(foreignSeen).toEqual([]);
    expect(error).toBeInstanceOf(XeroApiError);
    expect(error).toMatchObject({ action: 'fix_configuration', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain(`${redirecting.base}/api.xro/2.0/Invoices answered HTTP 307, a redirect to ${foreign.base}/steal/`);
    expect(message).toContain('set the URL that answers directly');
    expectNoSecret(message);
  });

  it('is classified as a configuration problem, not a network blip to retry', () => {
    const c = classifyXeroError({ code: 'EREDIRECT', message: 'https://api.example/x answered HTTP 302, a redirect to https://login.example' });
    expect(c).toMatchObject({ category: 'network_error', action: 'fix_configuration', retryable: false });
    expect(c.summary).toMatch(/redirect/);
  });
});

describe('a same-origin redirect', () => {
  it('is not followed either: one rule, and the fix is the URL that answers directly', async () => {
    const error = await fetchTransport({
      method: 'POST',
      url: `${redirecting.base}/connect/token?status=308&to=same`,
      headers: {},
      body: `refresh_token=${REFRESH}`,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(sameOriginSeen).toEqual([]);
    expect(error).toBeInstanceOf(RedirectRefusedError);
    expect((error as Error).message).toContain(`a redirect to ${redirecting.base}/elsewhere;`);
  });
});

it('a 304 (an answer to If-Modified-Since) is an answer, not a redirect', async () => {
  await expect(fetchTransport({ method: 'GET', url: `${redirecting.base}/not-modified`, headers: {} })).resolves.toMatchObject({ status: 304 });
});

describe.each<ClientAuthStyle>(['basic', 'body'])('the token endpoint answered with a redirect (client auth: %s)', (clientAuth) => {
  const identity = (query: string) => new XeroIdentityClient({ endpoints: { tokenUrl: `${redirecting.base}/connect/token?${query}` }, clientAuth });
  const client = { clientId: 'client-id', clientSecret: SECRET };

  it.each([307, 308, 302])('HTTP %i on a refresh: the form with the refresh token goes nowhere else, nothing spent, the error names it', async (status) => {
    const result = await identity(`status=${status}`).refresh(client, REFRESH);
    expect(foreignSeen).toEqual([]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Xero never redirects a token request: nothing Xero issued was spent, and the chain is not marked broken.
    expect(result.error).toMatchObject({ kind: 'network', outcomeUnknown: false, networkCode: 'EREDIRECT', httpStatus: status });
    expect(result.error.message).toContain(`${redirecting.base}/connect/token answered HTTP ${status}, a redirect to ${foreign.base}/steal/`);
    expectNoSecret(result.error.message);
  });

  it('a Location that carries the refresh token in its host name does not carry it into the error', async () => {
    const result = await identity('status=307&to=echo-host').refresh(client, REFRESH);
    expect(foreignSeen).toEqual([]);
    expect(result.ok).toBe(false);
    if (!result.ok) expectNoSecret(result.error.message);
  });

  it('a code exchange and a revocation are refused the same way', async () => {
    const exchanged = await identity('status=307').exchangeCode(client, {
      code: 'code-canary-123456',
      redirectUri: 'http://localhost/cb',
      codeVerifier: 'verifier-canary-123456',
    });
    expect(exchanged).toMatchObject({ ok: false, error: { networkCode: 'EREDIRECT' } });
    const revoking = new XeroIdentityClient({ endpoints: { revocationUrl: `${redirecting.base}/connect/revocation?status=307` }, clientAuth });
    const revoked = await revoking.revoke(client, REFRESH);
    expect(revoked.ok).toBe(false);
    if (!revoked.ok) {
      expect(revoked.message).toContain('a redirect to');
      expectNoSecret(revoked.message);
    }
    expect(foreignSeen).toEqual([]);
  });
});
