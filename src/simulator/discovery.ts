import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SimulatorCore } from './core';
import { json, type SimResponse } from './http-kit';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/openid-configuration/jwks';

/** The base URL the caller used, so an SDK reaching us as identity.xero.com is sent back to the same place. */
export function publicBase(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  if (!host) return fallback;
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  return `${tls ? 'https' : 'http'}://${host}`;
}

export function discoveryDocument(core: SimulatorCore, base: string): SimResponse {
  return json(200, {
    issuer: core.issuer,
    jwks_uri: `${base}${JWKS_PATH}`,
    authorization_endpoint: `${base}/identity/connect/authorize`,
    token_endpoint: `${base}/connect/token`,
    revocation_endpoint: `${base}/connect/revocation`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: [
      'sub',
      'auth_time',
      'idp',
      'xero_userid',
      'global_session_id',
      'preferred_username',
      'email',
      'given_name',
      'family_name',
      'name',
      'amr',
    ],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    response_types_supported: ['code'],
    response_modes_supported: ['form_post', 'query', 'fragment'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    request_parameter_supported: true,
  });
}

export const jwksDocument = (core: SimulatorCore): SimResponse => json(200, core.signer.jwks());
