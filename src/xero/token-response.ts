import { jwtExpiry, type TokenSet } from './token-set';
import type { HttpResponse } from './transport';

/**
 * Why a token-endpoint call did not yield a token set. `outcomeUnknown` is the engine's key input:
 * when true, Xero may have rotated the refresh token without us seeing the answer, so the same
 * refresh token must be retried inside the grace window rather than declared dead.
 */
export type TokenErrorKind =
  | 'invalid_grant'
  | 'invalid_client'
  | 'unauthorized_client'
  | 'invalid_scope'
  | 'unsupported_grant_type'
  | 'invalid_request'
  | 'rate_limited'
  | 'server_error'
  | 'malformed_response'
  | 'network'
  | 'timeout'
  | 'unexpected_status';

export interface TokenError {
  kind: TokenErrorKind;
  outcomeUnknown: boolean;
  /** Plain sentence, never containing a token or secret. */
  message: string;
  httpStatus?: number;
  oauthError?: string;
  correlationId?: string;
  retryAfterSeconds?: number;
  networkCode?: string;
}

export type TokenResult = { ok: true; tokenSet: TokenSet } | { ok: false; error: TokenError };

export interface ParseOptions {
  now: number;
  /** refresh_token and authorization_code grants must return a refresh token (we always ask for offline_access). */
  requireRefreshToken: boolean;
}

const KNOWN_OAUTH_ERRORS = new Set<TokenErrorKind>([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
  'unsupported_grant_type',
  'invalid_request',
]);

export function parseTokenResponse(response: HttpResponse, options: ParseOptions): TokenResult {
  const correlationId = response.headers['xero-correlation-id'];
  const base = { httpStatus: response.status, correlationId };
  if (response.status === 429) {
    const retryAfter = Number(response.headers['retry-after']);
    return fail({
      ...base,
      kind: 'rate_limited',
      outcomeUnknown: false,
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
      message: "Xero's token endpoint is rate limiting this app (HTTP 429); the refresh token was not used.",
    });
  }
  if (response.status >= 500) {
    return fail({
      ...base,
      kind: 'server_error',
      outcomeUnknown: true,
      message: `Xero's token endpoint failed with HTTP ${response.status}; the refresh may or may not have happened.`,
    });
  }
  const json = parseJsonObject(response.body);
  if (response.status !== 200) {
    const oauthError = typeof json?.error === 'string' ? sanitizeWord(json.error) : undefined;
    if (oauthError && KNOWN_OAUTH_ERRORS.has(oauthError as TokenErrorKind)) {
      return fail({ ...base, kind: oauthError as TokenErrorKind, oauthError, outcomeUnknown: false, message: oauthErrorMessage(oauthError) });
    }
    return fail({
      ...base,
      kind: 'unexpected_status',
      oauthError,
      // A request timeout from a proxy says nothing about whether Xero saw the refresh.
      outcomeUnknown: response.status === 408 || response.status < 400,
      message: `Xero's token endpoint answered HTTP ${response.status}${oauthError ? ` (${oauthError})` : ''}.`,
    });
  }
  // A 200 we cannot use: Xero may already have rotated, so this counts as an unknown outcome.
  const malformed = (detail: string): TokenResult =>
    fail({
      ...base,
      kind: 'malformed_response',
      outcomeUnknown: true,
      message: `Xero's token endpoint answered 200 but ${detail}; the current token set is kept.`,
    });
  if (!json) return malformed('the body is not a JSON object');
  if (typeof json.access_token !== 'string' || json.access_token === '') return malformed('without an access_token');
  const refreshToken = json.refresh_token;
  if (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken === '')) return malformed('with an empty or non-text refresh_token');
  if (options.requireRefreshToken && refreshToken === undefined) {
    return malformed('without a refresh_token (the scopes must include offline_access)');
  }
  let expiresAt = jwtExpiry(json.access_token);
  if (json.expires_in !== undefined) {
    const seconds = typeof json.expires_in === 'string' && json.expires_in.trim() !== '' ? Number(json.expires_in) : json.expires_in;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return malformed('with a non-numeric expires_in');
    const fromExpiresIn = options.now + seconds * 1000;
    expiresAt = expiresAt === undefined ? fromExpiresIn : Math.min(expiresAt, fromExpiresIn);
  }
  if (expiresAt === undefined) return malformed('with neither expires_in nor an expiry in the access token');
  const scope = typeof json.scope === 'string' ? json.scope.split(/\s+/).filter(Boolean) : [];
  return {
    ok: true,
    tokenSet: {
      accessToken: json.access_token,
      refreshToken: refreshToken as string | undefined,
      idToken: typeof json.id_token === 'string' ? json.id_token : undefined,
      tokenType: typeof json.token_type === 'string' ? json.token_type : 'Bearer',
      scope,
      expiresAt,
      obtainedAt: options.now,
    },
  };
}

function fail(error: TokenError): TokenResult {
  return { ok: false, error };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function oauthErrorMessage(error: string): string {
  switch (error) {
    case 'invalid_grant':
      return 'Xero rejected the refresh token or code (invalid_grant): it was already used, revoked, or unused for 60 days.';
    case 'invalid_client':
      return 'Xero does not recognise the client id and secret (invalid_client): check them in the Xero app settings.';
    case 'unauthorized_client':
      return 'Xero does not allow this client to use this grant (unauthorized_client): check the app type and redirect URI.';
    case 'invalid_scope':
      return 'Xero refused the requested scopes (invalid_scope): apps created from March 2026 need granular scopes.';
    case 'unsupported_grant_type':
      return 'Xero does not support this grant type for the app (unsupported_grant_type).';
    default:
      return `Xero rejected the token request (${sanitizeWord(error)}).`;
  }
}

/** An error code from the wire, cut to something that cannot smuggle a token into a message. */
function sanitizeWord(value: string): string {
  return value.replace(/[^a-z_]/gi, '').slice(0, 40);
}
