/**
 * The editor-only guard of the admin routes, one module on its own: which Origin, Referer and
 * content type pass, the redirect URI it pins, and the cookie that binds a connect to a browser.
 * The routes using it are proved on a real Node-RED in runtime.test.ts.
 */
import { bindToBrowser, editorOnly, editorOrigin, expectedRedirectUri, sameBrowser } from '../../node-red/lib/editor-guard';
import type { AdminRequest, AdminResponse, RED } from '../../node-red/lib/red';

const red = (settings: Record<string, unknown> = {}) => ({ settings }) as unknown as RED;
const req = (headers: Record<string, string>): AdminRequest => ({ params: {}, query: {}, headers });

function response() {
  const seen: { status?: number; body?: unknown; cookie?: string } = {};
  const res: AdminResponse = {
    status: (code) => ((seen.status = code), res),
    json: (body) => void (seen.body = body),
    type: () => res,
    send: () => undefined,
    setHeader: (_name, value) => void (seen.cookie = value),
  };
  return { res, seen };
}

test('the origin must be the host the request was sent to (or editorUrl); Referer stands in for a missing Origin; null, none and cross-site fail', () => {
  const host = { host: 'nodered.example:1880' };
  expect(editorOrigin(red(), req({ ...host, origin: 'http://nodered.example:1880' }))).toBe('http://nodered.example:1880');
  expect(editorOrigin(red(), req({ ...host, referer: 'https://nodered.example:1880/#flow/1' }))).toBe('https://nodered.example:1880');
  expect(editorOrigin(red(), req({ ...host, origin: 'http://evil.example' }))).toBeNull();
  expect(editorOrigin(red(), req({ ...host, origin: 'null', referer: 'http://nodered.example:1880/' }))).toBeNull();
  expect(editorOrigin(red(), req(host))).toBeNull();
  expect(editorOrigin(red(), req({ ...host, origin: 'http://nodered.example:1880', 'sec-fetch-site': 'cross-site' }))).toBeNull();
  // Behind a proxy the Host may be internal: the configured editor URL's origin is the editor's.
  const proxied = red({ xeroGuard: { editorUrl: 'https://flows.example.com/red/' } });
  expect(editorOrigin(proxied, req({ host: '10.0.0.5:1880', origin: 'https://flows.example.com' }))).toBe('https://flows.example.com');
  expect(expectedRedirectUri(proxied, 'https://flows.example.com')).toBe('https://flows.example.com/red/xero-guard/connect/callback');
  expect(expectedRedirectUri(red({ httpAdminRoot: '/admin' }), 'http://h:1')).toBe('http://h:1/admin/xero-guard/connect/callback');
  expect(expectedRedirectUri(red(), 'http://h:1')).toBe('http://h:1/xero-guard/connect/callback');
});

test('editorOnly: JSON from the editor passes; a form body is 415, a foreign origin 403, and neither reaches the route', () => {
  const guard = editorOnly(red());
  const run = (headers: Record<string, string>) => {
    const { res, seen } = response();
    let passed = false;
    guard(req({ host: 'h:1', ...headers }), res, () => (passed = true));
    return { passed, status: seen.status };
  };
  expect(run({ 'content-type': 'application/json; charset=utf-8', origin: 'http://h:1' })).toEqual({ passed: true, status: undefined });
  expect(run({ 'content-type': 'application/x-www-form-urlencoded', origin: 'http://h:1' })).toEqual({ passed: false, status: 415 });
  expect(run({ 'content-type': 'text/plain', origin: 'http://h:1' })).toEqual({ passed: false, status: 415 });
  expect(run({ 'content-type': 'application/json', origin: 'http://other:1' })).toEqual({ passed: false, status: 403 });
});

test('the binding cookie: HttpOnly, SameSite=Lax, on the callback path only; only its own value matches', () => {
  const { res, seen } = response();
  const binding = bindToBrowser(res, 'state-1', 'https://h/admin/xero-guard/connect/callback', 900_000);
  expect(seen.cookie).toMatch(/^xg_connect_[0-9a-f]{16}=[\w-]{43}; Path=\/admin\/xero-guard\/connect\/callback; Max-Age=900; HttpOnly; SameSite=Lax; Secure$/);
  const pair = (seen.cookie as string).split(';')[0];
  expect(sameBrowser(req({ cookie: `other=1; ${pair}` }), binding)).toBe(true);
  expect(sameBrowser(req({ cookie: `${binding.cookieName}=forged` }), binding)).toBe(false);
  expect(sameBrowser(req({}), binding)).toBe(false);
  // Another connect's cookie in the same browser has another name.
  expect(bindToBrowser(response().res, 'state-2', 'https://h/x', 1000).cookieName).not.toBe(binding.cookieName);
});
