/**
 * The built-in rules, most specific evidence first: what the token endpoint or the authorize page
 * said beats what the API said; OAuth 1.0a's named problems beat everything generic; a rate-limit
 * header beats the status line; Xero's `Detail` beats the status code; the status code beats the
 * words of a message; a network error code applies only when no HTTP response arrived.
 */
import { TLS_CODES, type Evidence } from './normalise';
import { oauth1ProblemInWords } from './oauth1';
import { dnsFailure, isConnectionLimit, isTlsFailure } from './wordings';
import type { Category, Source } from './types';

export interface Verdict {
  category: Category;
  /** Set when the table allows a second action for the category and this case needs it. */
  hostNotFound?: boolean;
  /** Our transport refused a redirect (EREDIRECT): a wrong URL or a proxy, which retrying does not fix. */
  redirected?: boolean;
  /**
   * Set when the caller's context decided a 401 `AuthorizationUnsuccessful`: the required scopes not
   * granted (insufficient_scope), or none (plan_restricted).
   */
  missingScopes?: string[];
  source: Source;
}

function has(e: Evidence, ...phrases: string[]): boolean {
  for (const p of phrases) if (e.lower.includes(p)) return true;
  return false;
}

function isTokenEndpoint(e: Evidence): boolean {
  return e.sourceHint === 'token_endpoint' || e.urls.some((u) => /\/connect\/(?:token|revocation)\b/i.test(u)) || has(e, 'identity.xero.com/connect/token');
}

function isAuthorize(e: Evidence): boolean {
  return (
    e.sourceHint === 'authorize' ||
    e.urls.some((u) => /\/connect\/authorize\b|login\.xero\.com|authorize\.xero\.com/i.test(u)) ||
    has(e, 'login.xero.com', 'authorize.xero.com', 'unauthorized_client :')
  );
}

const RFC6749_INVALID_GRANT = 'authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid';

/** Identity errors: the authorize page, the token endpoint, n8n's wording of them. */
function identity(e: Evidence): Verdict | null {
  const err = e.error.error;
  const authorize = isAuthorize(e);
  const tokenEndpoint = isTokenEndpoint(e);
  const idSource: Source = e.sourceHint ?? (tokenEndpoint ? 'token_endpoint' : authorize ? 'authorize' : 'unknown');
  const n8nSource: Source = e.sourceHint ?? 'n8n';

  if (has(e, 'invalid redirect_uri', 'redirect_uri_mismatch', 'redirect uri mismatch', 'invalid redirect uri'))
    return { category: 'redirect_uri_mismatch', source: e.sourceHint ?? 'authorize' };
  if (has(e, 'unknown client or client not enabled')) return { category: 'invalid_client', source: e.sourceHint ?? 'authorize' };
  if (has(e, 'invalid scope for client', 'client credentials scope validation failed') || err === 'invalid_scope') {
    return { category: 'insufficient_scope', source: e.sourceHint ?? (authorize ? 'authorize' : tokenEndpoint ? 'token_endpoint' : 'authorize') };
  }
  if (isConnectionLimit(e.lower)) {
    return { category: 'connection_limit_reached', source: e.sourceHint ?? (e.error.oauthProblem !== null ? 'oauth1' : 'authorize') };
  }
  if (has(e, 'needs to be reconnected')) return { category: 'refresh_token_invalid', source: n8nSource };
  if (err === 'invalid_grant' || has(e, RFC6749_INVALID_GRANT)) return { category: 'refresh_token_invalid', source: e.sourceHint ?? 'token_endpoint' };
  if (err === 'invalid_client' || err === 'unsupported_grant_type' || (err === 'unauthorized_client' && (tokenEndpoint || authorize))) {
    return { category: 'invalid_client', source: idSource === 'unknown' ? 'token_endpoint' : idSource };
  }
  if (has(e, 'oauth credentials not connected', 'unable to sign without access token', 'credentials not connected'))
    return { category: 'not_connected', source: n8nSource };
  if (err === 'access_denied' || has(e, 'error=access_denied')) return { category: 'not_connected', source: e.sourceHint ?? 'authorize' };
  return null;
}

const OAUTH1: Readonly<Record<string, Category>> = {
  token_expired: 'access_token_expired',
  timestamp_refused: 'clock_skew',
  signature_invalid: 'signature_invalid',
  signature_method_rejected: 'certificate_expired',
  consumer_key_unknown: 'invalid_client',
  consumer_key_rejected: 'invalid_client',
  nonce_used: 'nonce_reused',
  'rate limit exceeded': 'rate_limited',
  'connection limit exceeded': 'connection_limit_reached',
  token_revoked: 'access_revoked',
  permission_denied: 'forbidden',
};

function oauth1(e: Evidence): Verdict | null {
  const problem = e.error.oauthProblem;
  const advice = (e.error.oauthProblemAdvice ?? '').toLowerCase();
  const source: Source = e.sourceHint ?? 'oauth1';
  if (problem !== null) {
    if (problem === 'token_rejected') {
      if (/does not match an expected request token/.test(advice) || has(e, 'does not match an expected request token'))
        return { category: 'token_rotation_lost', source };
      return { category: 'access_revoked', source };
    }
    const c = OAUTH1[problem];
    if (c) return { category: c, source };
  }
  // The advice sentences alone, as quoted in forum posts without the oauth_problem name.
  if (has(e, 'does not match an expected request token')) return { category: 'token_rotation_lost', source };
  if (has(e, 'no certificates have been registered')) return { category: 'certificate_expired', source };
  if (has(e, 'has not been authorized, or has been revoked')) return { category: 'access_revoked', source };
  // The other problems described in words (Xero's advice texts, other OAuth 1.0a providers' messages).
  const described = oauth1ProblemInWords(e.lower);
  if (described !== null) return { category: OAUTH1[described] ?? 'unknown', source };
  if (problem !== null) return { category: 'unknown', source };
  return null;
}

function rateLimit(e: Evidence, source: Source): Verdict | null {
  const problem = e.headers['x-rate-limit-problem']?.trim().toLowerCase();
  if (problem) {
    if (problem.startsWith('appminute') || problem.startsWith('app')) return { category: 'rate_limit_app', source };
    if (problem.startsWith('minute')) return { category: 'rate_limit_minute', source };
    if (problem.startsWith('day')) return { category: 'rate_limit_day', source };
    if (problem.startsWith('concurrent')) return { category: 'rate_limit_concurrent', source };
    return { category: 'rate_limited', source };
  }
  // The Python SDK's RateLimitException reads "You've exceeded the per minute rate limit".
  // Xero-Java's XeroRateLimitException reads "You've exceeded the per [day] rate limit".
  const kind = /exceeded the per \[?(appminute|minute|day|concurrent)\]? rate limit/.exec(e.lower)?.[1] ?? rateLimitKindOfClass(e);
  if (kind !== undefined)
    return {
      category: kind === 'appminute' ? 'rate_limit_app' : kind === 'minute' ? 'rate_limit_minute' : kind === 'day' ? 'rate_limit_day' : 'rate_limit_concurrent',
      source,
    };
  const status = e.error.status ?? e.impliedStatus();
  if (status === 429 || has(e, 'rate limit exceeded', 'too many requests', 'ratelimitexceeded')) return { category: 'rate_limited', source };
  return null;
}

/** Xero-Java's rate-limit subclasses name the kind (XeroDailyRateLimitException, ...). */
function rateLimitKindOfClass(e: Evidence): string | undefined {
  if (!e.lower.includes('ratelimitexception')) return undefined;
  if (e.lower.includes('appminuteratelimitexception')) return 'appminute';
  if (e.lower.includes('minuteratelimitexception')) return 'minute';
  if (e.lower.includes('dailyratelimitexception')) return 'day';
  return undefined;
}

/**
 * Xero answers a missing scope and an endpoint closed to the app's tier or the user's role with the same
 * 401 `AuthorizationUnsuccessful`; only the caller's context (scopes required and granted) tells them
 * apart. Without one, it stays the missing scope it always was.
 */
function scopeOrGate(e: Evidence, source: Source): Verdict {
  const missing = e.error.context?.missingScopes ?? null;
  if (missing === null) return { category: 'insufficient_scope', source };
  return { category: missing.length > 0 ? 'insufficient_scope' : 'plan_restricted', missingScopes: missing, source };
}

/** Xero's Problem Details `Detail` (and the same words wherever they appear). */
function xeroDetail(e: Evidence, source: Source): Verdict | null {
  const d = (e.error.detail ?? '').toLowerCase();
  // With a Detail, only the Detail counts; without one, the same words anywhere (pasted or prose).
  const is = (word: string): boolean => (d !== '' ? d.includes(word) : e.lower.includes(word));
  const status = e.error.status;
  if (is('tokenexpired')) return { category: 'access_token_expired', source };
  if (is('authorizationunsuccessful')) return scopeOrGate(e, source);
  if (is('authenticationunsuccessful')) return { category: status === 403 ? 'tenant_access_denied' : 'access_token_invalid', source };
  const wwwAuth = e.headers['www-authenticate']?.toLowerCase() ?? '';
  if (wwwAuth.includes('invalid_token')) return { category: /expired/.test(wwwAuth) ? 'access_token_expired' : 'access_token_invalid', source };
  if (status === 403 && has(e, 'xero-tenant-id', 'tenant id', 'tenantid')) return { category: 'tenant_access_denied', source };
  if (has(e, 'access token has expired', 'token expired', 'token has expired', 'accesstokenexpired')) return { category: 'access_token_expired', source };
  if (has(e, 'has been revoked', 'was revoked', 'access revoked', 'revoked by the user', 'connection was removed', 'app has been disconnected'))
    return { category: 'access_revoked', source };
  return null;
}

function availability(e: Evidence, source: Source): Verdict | null {
  if (has(e, 'the organisation is offline', 'organisation is offline', 'organization is offline', 'the organisation temporarily cannot be connected to'))
    return { category: 'organisation_offline', source };
  if (
    has(
      e,
      'offline for maintenance',
      'temporarily unavailable',
      'service unavailable',
      'down for maintenance',
      'bad gateway',
      'gateway time-out',
      'gateway timeout',
    )
  ) {
    return { category: 'service_unavailable', source };
  }
  return null;
}

/** A TLS verification failure: nothing reached Xero, and neither waiting nor reconnecting helps. */
function tls(e: Evidence): Verdict | null {
  const code = e.error.code;
  if ((code !== null && TLS_CODES.has(code)) || isTlsFailure(e.lower)) return { category: 'tls_error', source: e.sourceHint ?? 'network' };
  return null;
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ETIME',
]);

function network(e: Evidence): Verdict | null {
  const code = e.error.code;
  const source: Source = e.sourceHint ?? 'network';
  if (code === 'ENOTFOUND') return { category: 'network_error', hostNotFound: true, source };
  if (code === 'EREDIRECT') return { category: 'network_error', redirected: true, source };
  if ((code !== null && TIMEOUT_CODES.has(code)) || e.errorNames.some((n) => n === 'TimeoutError' || n === 'AbortError'))
    return { category: 'timeout', source };
  if (code !== null && /^(?:E[A-Z]+|UND_ERR_[A-Z_]+|ERR_SOCKET_[A-Z_]+|ERR_STREAM_PREMATURE_CLOSE)$/.test(code) && !code.startsWith('ERR_BAD')) {
    return { category: 'network_error', source };
  }
  // A name that does not resolve, in other runtimes' words: for now (EAI_AGAIN, retry) or for good (ENOTFOUND).
  const dns = dnsFailure(e.lower);
  if (dns !== null) return dns === 'not_found' ? { category: 'network_error', hostNotFound: true, source } : { category: 'network_error', source };
  // got's `TimeoutError: Timeout awaiting 'request' for 2500ms`, printed as a string.
  if (
    has(
      e,
      'timed out',
      'timeout of ',
      'request timeout',
      'operation was aborted due to timeout',
      'timeout awaiting',
      'timeouterror',
      'readtimeout',
      'connecttimeout',
    )
  )
    return { category: 'timeout', source };
  if (
    has(
      e,
      'socket hang up',
      'fetch failed',
      'connection to the server was closed unexpectedly',
      'network error',
      'getaddrinfo',
      'connection reset',
      'connection refused',
      'other side closed',
    )
  ) {
    return { category: 'network_error', source };
  }
  return null;
}

function byStatus(e: Evidence, source: Source): Verdict | null {
  // A status written in the input wins; otherwise the one an exception class or Xero's wording implies.
  const s = e.error.status ?? e.impliedStatus();
  if (s === null) {
    if (e.error.type?.toLowerCase() === 'validationexception') return { category: 'validation_error', source };
    if (has(e, "the resource you're looking for cannot be found", 'the resource you are requesting could not be found'))
      return { category: 'not_found', source };
    return null;
  }
  if (s === 401) return { category: 'access_token_invalid', source };
  if (s === 403) return { category: 'forbidden', source };
  if (s === 404) return { category: 'not_found', source };
  if (s === 408) return { category: 'timeout', source };
  if (s === 412) return { category: 'precondition_failed', source };
  if (s === 502 || s === 503 || s === 504) return { category: 'service_unavailable', source };
  if (s >= 500) return { category: 'server_error', source };
  // An unrecognised 400 from the token endpoint is not a data problem in the workflow.
  if (s >= 400 && source === 'token_endpoint') return null;
  if (s >= 400) return { category: 'validation_error', source };
  return null;
}

export function builtInVerdict(e: Evidence): Verdict {
  const id = identity(e);
  if (id) return id;
  const o1 = oauth1(e);
  if (o1) return o1;

  const responded = e.error.status !== null;
  const httpSource: Source = e.sourceHint ?? (isTokenEndpoint(e) ? 'token_endpoint' : 'api');
  const rl = rateLimit(e, httpSource);
  if (rl) return rl;
  const xd = xeroDetail(e, httpSource);
  if (xd) return xd;
  const av = availability(e, httpSource);
  if (av) return av;
  if (!responded) {
    const secure = tls(e);
    if (secure) return secure;
    const net = network(e);
    if (net) return net;
  }
  const st = byStatus(e, httpSource);
  if (st) return st;
  if (responded) {
    const net = network(e);
    if (net) return net;
  }
  const fallback: Source = e.sourceHint ?? (e.error.status !== null || e.error.detail !== null ? httpSource : 'unknown');
  return { category: 'unknown', source: fallback };
}
