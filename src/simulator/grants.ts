import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SimulatorCore } from './core';
import type { Client } from './directory';
import { basicCredentials, empty, json, parseForm, type SimResponse } from './http-kit';
import { splitScopes } from './scopes';
import { oauthError } from './xero-errors';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** Both client-auth styles Xero accepts: a Basic header, or client_id/client_secret form fields. */
export function authenticateClient(core: SimulatorCore, headers: IncomingHttpHeaders, form: Map<string, string>): Client | SimResponse {
  const basic = basicCredentials(headers.authorization);
  const formId = form.get('client_id');
  if (basic && formId !== undefined && formId !== basic.id) return oauthError('invalid_client');
  const clientId = basic?.id ?? formId;
  const client = clientId ? core.client(clientId) : undefined;
  if (!client) return oauthError('invalid_client');
  const secret = basic?.secret ?? form.get('client_secret') ?? '';
  // A PKCE app has no secret: it is identified by client_id alone (and proves itself with code_verifier).
  if (client.clientSecret === undefined ? secret !== '' : secret !== client.clientSecret) return oauthError('invalid_client');
  return client;
}

const isResponse = (v: Client | SimResponse): v is SimResponse => 'status' in v && 'body' in v;

/** POST /connect/token */
export function handleToken(core: SimulatorCore, headers: IncomingHttpHeaders, body: string): SimResponse {
  const form = parseForm(body);
  const grantType = form.get('grant_type') ?? '';
  core.recorder.tokenCall(grantType || '(none)');
  const client = authenticateClient(core, headers, form);
  if (isResponse(client)) return client;
  switch (grantType) {
    case 'authorization_code':
      return authorizationCode(core, client, form);
    case 'refresh_token':
      return refreshToken(core, client, form);
    case 'client_credentials':
      return clientCredentials(core, client, form);
    default:
      return oauthError('unsupported_grant_type');
  }
}

function authorizationCode(core: SimulatorCore, client: Client, form: Map<string, string>): SimResponse {
  const code = core.takeCode(form.get('code') ?? '');
  if (!code || code.used || code.clientId !== client.clientId || core.clock.now() >= code.expiresAt) return oauthError('invalid_grant');
  if (form.get('redirect_uri') !== code.redirectUri) return oauthError('invalid_grant');
  if (code.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== code.codeChallenge) return oauthError('invalid_grant');
  } else if (client.clientSecret === undefined) {
    return oauthError('invalid_grant');
  }
  code.used = true;
  return json(200, core.tokens.issueInitial(code.grant, 'authorization_code'), NO_STORE);
}

function refreshToken(core: SimulatorCore, client: Client, form: Map<string, string>): SimResponse {
  const presented = form.get('refresh_token');
  if (!presented) return oauthError('invalid_request');
  const outcome = core.tokens.rotate(presented, client.clientId);
  return outcome.ok ? json(200, outcome.tokens, NO_STORE) : oauthError(outcome.error);
}

function clientCredentials(core: SimulatorCore, client: Client, form: Map<string, string>): SimResponse {
  const custom = client.customConnection;
  if (!custom) return oauthError('unauthorized_client');
  // xero-node sends the field as `scopes`; the OAuth name is `scope`.
  const asked = splitScopes(form.get('scope') ?? form.get('scopes'));
  const scopes = asked.length === 0 ? custom.scopes : asked;
  if (scopes.some((s) => !custom.scopes.includes(s))) return oauthError('invalid_scope', 'Client credentials scope validation failed');
  const user = core.directory.customConnectionUser(client);
  const grant = core.newGrant(client, user.userId, scopes);
  return json(200, core.tokens.issueInitial(grant, 'client_credentials'), NO_STORE);
}

/** POST /connect/revocation: the token's lineage dies and the user loses every connection to this app. */
export function handleRevocation(core: SimulatorCore, headers: IncomingHttpHeaders, body: string): SimResponse {
  const form = parseForm(body);
  const client = authenticateClient(core, headers, form);
  if (isResponse(client)) return client;
  const token = form.get('token');
  if (!token) return oauthError('invalid_request');
  const grant = core.tokens.grantOf(token);
  // RFC 7009: an unknown token is not an error, the answer is the same 200.
  if (grant && grant.clientId === client.clientId) {
    core.tokens.revokeLineageOf(token);
    const removed = core.directory.removeWhere((c) => c.userId === grant.userId && c.clientId === client.clientId);
    core.recorder.record({ type: 'action', action: 'revocation', detail: { grantId: grant.grantId, connectionsRemoved: removed.length } });
  }
  return empty(200);
}
