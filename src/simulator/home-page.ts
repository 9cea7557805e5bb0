/**
 * GET /: what someone who opens the simulator's address in a browser needs (the demo prints it):
 * what this server is, the URLs an app is pointed at, a consent flow to try that comes back here
 * with its code, the apps and organisations it has, and the admin API's read-only pages. Changes go
 * through the admin API's JSON POSTs, which a page cannot send (admin-guard.ts), so this page only
 * links to reads and shows the curl lines for the rest.
 */
import { createHash } from 'node:crypto';
import { AUTHORIZE_PATH } from './consent-page';
import type { SimulatorCore } from './core';
import { DISCOVERY_PATH } from './discovery';
import { DEMO_CLIENT_ID, DEMO_PKCE_CLIENT_ID, DEMO_USER_EMAIL } from './directory';
import { escapeHtml, html, type SimResponse } from './http-kit';

export const HOME_PATH = '/';

/** The consent tried from this page: the PKCE demo app, so the demo's own connections (the confidential app's) are left alone. */
const TRY_VERIFIER = 'xero-guard-simulator-home-page-code-verifier-0000';
const TRY_SCOPES = 'openid profile email offline_access accounting.settings.read';
const TRY_STATE = 'tried-from-the-home-page';

/** Read-only admin pages a browser may open (GET; the admin guard lets a page of its own origin read them). */
const ADMIN_READS: Array<[path: string, what: string]> = [
  ['', 'every admin route'],
  ['/stats', 'token calls, requests, dead-token uses'],
  ['/connections', 'which user connected which app to which organisation'],
  ['/grants', 'each authorization and its rotations'],
  ['/clock', "the simulator's time"],
  ['/log', 'every token issued and spent, every request'],
  ['/faults', 'faults waiting to fire'],
  ['/webhooks', 'webhooks per app'],
];

export interface HomePageContext {
  base: string;
  adminPath: string;
  /** Where the simulator keeps what it remembers across restarts, if anywhere. */
  stateFile: string | undefined;
}

export function homePage(core: SimulatorCore, url: URL, context: HomePageContext): SimResponse {
  const { base, adminPath } = context;
  const redirectUri = `${base}${HOME_PATH}`;
  const consent = new URL(`${base}${AUTHORIZE_PATH}`);
  consent.search = new URLSearchParams({
    response_type: 'code',
    client_id: DEMO_PKCE_CLIENT_ID,
    redirect_uri: redirectUri,
    scope: TRY_SCOPES,
    state: TRY_STATE,
    code_challenge: createHash('sha256').update(TRY_VERIFIER).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const row = (name: string, value: string): string => `<tr><th>${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`;
  const organisations = [...core.directory.organisations.values()]
    .map((o) => `<li>${escapeHtml(o.name)}: tenant id <code>${escapeHtml(o.tenantId)}</code></li>`)
    .join('\n');
  const apps = [...core.directory.clients.values()].map((c) => `<li>${escapeHtml(c.name)}: client id <code>${escapeHtml(c.clientId)}</code></li>`).join('\n');
  const admin = ADMIN_READS.map(
    ([path, what]) => `<li><a href="${escapeHtml(`${adminPath}${path}`)}"><code>${escapeHtml(`${adminPath}${path}`)}</code></a>: ${escapeHtml(what)}</li>`,
  ).join('\n');
  const connections = core.directory.all().length;
  const body = `<h1>Xero Guard's local Xero simulator</h1>
<p id="what">A stand-in for Xero on this machine: its sign-in and consent page, token endpoint, connections and APIs
(Accounting, Payroll, Projects, Files, Assets, Finance), for tests, the Xero Guard demo and alert rehearsals.
It never talks to Xero: its apps, users, organisations and records are made up, and so are its tokens.</p>
${tried(url, base, redirectUri)}
<h2>Point an app at it</h2>
<table>
${row('Authorization URL', `${base}${AUTHORIZE_PATH}`)}
${row('Token URL', `${base}/connect/token`)}
${row('Revocation URL', `${base}/connect/revocation`)}
${row('API base (for https://api.xero.com)', base)}
${row('OpenID discovery', `${base}${DISCOVERY_PATH}`)}
</table>
<h2>Try the consent page</h2>
<p><a id="try-consent" href="${escapeHtml(consent.toString())}">Sign in and allow access</a> as Xero's login page would ask,
for the demo PKCE app; it comes back to this page with the authorization code. Any email signs in (the demo user is
<code>${escapeHtml(DEMO_USER_EMAIL)}</code>), any password.</p>
<h2>Apps and organisations</h2>
<ul>
${apps}
</ul>
<ul>
${organisations}
</ul>
<p>${connections} connection${connections === 1 ? '' : 's'} (user, app, organisation) now.</p>
<h2>Admin</h2>
<p>Read in the browser:</p>
<ul id="admin">
${admin}
</ul>
<p>Change it from a terminal (revoke a user, jump the clock, inject faults): the admin API takes JSON POSTs from scripts and curl only, never from a web page:</p>
<pre>curl -s -XPOST -H 'content-type: application/json' ${escapeHtml(`${base}${adminPath}`)}/revoke-user -d '{"user":"${escapeHtml(DEMO_USER_EMAIL)}"}'
curl -s -XPOST -H 'content-type: application/json' ${escapeHtml(`${base}${adminPath}`)}/clock -d '{"advanceMs": 86400000}'</pre>
<p>Every route and option: docs/simulator.md in the Xero Guard package.</p>
<h2>What it remembers</h2>
<p id="state">${
    context.stateFile === undefined
      ? 'Everything is in memory: it forgets its connections, tokens and records when it stops.'
      : `Its connections, tokens, records and clock are kept in <code>${escapeHtml(context.stateFile)}</code> across restarts.`
  }</p>`;
  return html(200, page(body));
}

/** After the consent: the code Xero sent (or the error), and the token call an app makes with it. */
function tried(url: URL, base: string, redirectUri: string): string {
  const error = url.searchParams.get('error');
  if (error !== null) {
    return `<section id="tried"><h2>Back from the consent page</h2><p>Xero sent the app <code>error=${escapeHtml(error)}</code> instead of a code (Cancel sends <code>access_denied</code>).</p></section>`;
  }
  const code = url.searchParams.get('code');
  if (code === null) return '';
  const exchange = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: DEMO_PKCE_CLIENT_ID,
    code,
    redirect_uri: redirectUri,
    code_verifier: TRY_VERIFIER,
  }).toString();
  return `<section id="tried"><h2>Back from the consent page</h2>
<p>Xero sent the app the authorization code <code id="code">${escapeHtml(code)}</code> (state <code>${escapeHtml(url.searchParams.get('state') ?? '')}</code>).
The app trades it for tokens within 5 minutes, once:</p>
<pre>curl -s ${escapeHtml(`${base}/connect/token`)} -d '${escapeHtml(exchange)}'</pre>
<p>An n8n or Node-RED credential does this itself when you click Connect; the confidential demo app
(<code>${escapeHtml(DEMO_CLIENT_ID)}</code>) is the one the Xero Guard demo connects with.</p></section>`;
}

const page = (inner: string): string => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Xero simulator (Xero Guard)</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1e3145;line-height:1.4}
h1{color:#0b7fa8}th{text-align:left;padding-right:1rem;font-weight:normal}code,pre{background:#eef7fb}
pre{padding:.5rem;overflow-x:auto}#tried{border:2px solid #13b5ea;padding:0 1rem;margin:1rem 0}</style></head>
<body>
${inner}
</body>
</html>
`;
