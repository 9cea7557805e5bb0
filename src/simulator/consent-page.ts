import { randomBytes } from 'node:crypto';
import type { SimulatorCore } from './core';
import { DEMO_USER_EMAIL, type Client } from './directory';
import { escapeHtml, html, redirect, type SimResponse } from './http-kit';
import { scopeProblem, splitScopes } from './scopes';

export const AUTHORIZE_PATH = '/identity/connect/authorize';
export const CONNECTION_LIMIT_PATH = '/connectionLimit';

const page = (title: string, inner: string): string => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;color:#1e3145}label{display:block;margin:.5rem 0}
button{margin-right:.5rem;padding:.5rem 1rem}.error{color:#b00}</style></head>
<body>
${inner}
</body>
</html>
`;

/** Xero shows authorize errors as a page on login.xero.com rather than redirecting. */
const errorPage = (message: string): SimResponse =>
  html(400, page('Xero | Error', `<h1>Error</h1>\n<p class="error" id="error">Error: ${escapeHtml(message)}</p>`));

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function redirectAllowed(client: Client, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  if (!client.allowAnyLoopbackRedirect) return false;
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname);
  } catch {
    return false;
  }
}

function back(redirectUri: string, params: Record<string, string | undefined>): SimResponse {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return redirect(u.toString());
}

interface AuthorizeRequest {
  client: Client;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
}

/** Checks in the order Xero reports them: client, redirect URI, then what may go back to the app. */
function validate(core: SimulatorCore, params: URLSearchParams): AuthorizeRequest | SimResponse {
  const client = core.client(params.get('client_id') ?? '');
  if (!client) return errorPage('unauthorized_client : Unknown client or client not enabled');
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!redirectAllowed(client, redirectUri)) return errorPage('unauthorized_client : Invalid redirect_uri');
  const state = params.get('state') ?? undefined;
  if (params.get('response_type') !== 'code') return back(redirectUri, { error: 'unsupported_response_type', state });
  const scopes = splitScopes(params.get('scope') ?? undefined);
  const problem = scopeProblem(scopes, client.granularScopesOnly ?? false);
  if (problem === 'broad') return errorPage('invalid_scope');
  if (problem) return errorPage('unauthorized_client : Invalid scope for client');
  const codeChallenge = params.get('code_challenge') ?? undefined;
  const method = params.get('code_challenge_method') ?? undefined;
  if (codeChallenge !== undefined && method !== 'S256')
    return back(redirectUri, { error: 'invalid_request', error_description: 'code_challenge_method must be S256', state });
  if (client.clientSecret === undefined && codeChallenge === undefined)
    return back(redirectUri, { error: 'invalid_request', error_description: 'code_challenge is required', state });
  return { client, redirectUri, scopes, state, codeChallenge };
}

const isResponse = (v: AuthorizeRequest | SimResponse): v is SimResponse => 'status' in v;

const PASSED_ON = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'];

function consentForm(core: SimulatorCore, params: URLSearchParams, request: AuthorizeRequest, message?: string): SimResponse {
  const hidden = PASSED_ON.filter((k) => params.has(k))
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? '')}">`)
    .join('\n');
  // Below Advanced the user picks one organisation per consent: radio buttons instead of check boxes.
  const one = core.oneOrganisationPerConsent(request.client);
  const orgs = [...core.directory.organisations.values()]
    .map(
      (o, i) =>
        `<label><input type="${one ? 'radio' : 'checkbox'}" name="tenant" value="${o.tenantId}"${i === 0 ? ' checked' : ''}> ${escapeHtml(o.name)}</label>`,
    )
    .join('\n');
  const scopes = request.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return html(
    200,
    page(
      `Xero | Authorise ${request.client.name}`,
      `<h1>${escapeHtml(request.client.name)} wants to access your Xero data</h1>
${message ? `<p class="error" id="error">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${AUTHORIZE_PATH}">
${hidden}
<label>Email address <input type="email" name="email" value="${escapeHtml(DEMO_USER_EMAIL)}"></label>
<label>Password <input type="password" name="password" value="demo"></label>
<p>It will be able to:</p><ul>${scopes}</ul>
<fieldset><legend>${one ? 'Organisation to connect' : 'Organisations to connect'}</legend>
${orgs}
</fieldset>
<button type="submit" name="action" value="allow" id="allow">Allow access</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>`,
    ),
  );
}

/** GET /identity/connect/authorize: the login + consent page. */
export function showConsent(core: SimulatorCore, url: URL): SimResponse {
  const request = validate(core, url.searchParams);
  return isResponse(request) ? request : consentForm(core, url.searchParams, request);
}

/** POST /identity/connect/authorize: the form's Allow or Cancel. */
export function submitConsent(core: SimulatorCore, body: string): SimResponse {
  const params = new URLSearchParams(body);
  const request = validate(core, params);
  if (isResponse(request)) return request;
  if (params.get('action') !== 'allow') return back(request.redirectUri, { error: 'access_denied', state: request.state });
  const tenantIds = params.getAll('tenant');
  const needsTenant = request.scopes.some((s) => !['openid', 'profile', 'email', 'offline_access'].includes(s));
  if (needsTenant && tenantIds.length === 0) return consentForm(core, params, request, 'Choose at least one organisation to connect.');
  if (tenantIds.some((t) => !core.directory.organisations.has(t))) return errorPage('invalid_request : unknown organisation');
  // The page offers one choice below Advanced; a form sent with several (a script) is asked again, nothing connected.
  if (core.oneOrganisationPerConsent(request.client) && new Set(tenantIds).size > 1) {
    return consentForm(core, params, request, `${request.client.name} can connect one organisation at a time. Choose one organisation.`);
  }
  if (core.overConnectionLimit(request.client.clientId, tenantIds)) {
    return redirect(`${CONNECTION_LIMIT_PATH}?client_id=${encodeURIComponent(request.client.clientId)}`);
  }
  const user = core.directory.userByEmail(params.get('email') || DEMO_USER_EMAIL);
  const grant = core.newGrant(request.client, user.userId, request.scopes);
  core.directory.connect(user.userId, request.client.clientId, tenantIds, grant.authEventId);
  const code = core.issueCode({ clientId: request.client.clientId, redirectUri: request.redirectUri, grant, codeChallenge: request.codeChallenge });
  return back(request.redirectUri, { code, scope: request.scopes.join(' '), state: request.state, session_state: randomBytes(16).toString('hex') });
}

/** Where Xero sends a user when the app is at its tier's connection limit. */
export function connectionLimitPage(core: SimulatorCore, url: URL): SimResponse {
  const client = core.client(url.searchParams.get('client_id') ?? '');
  const name = client?.name ?? 'This app';
  return html(
    200,
    page(
      'Xero | Connection limit',
      `<h1>Connection limit reached</h1>\n<p id="message">Sorry! ${escapeHtml(name)} has reached their Xero connection limit, please let them know so they can connect more Xero organisations.</p>`,
    ),
  );
}
