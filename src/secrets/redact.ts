/**
 * The one redaction of the project: the last gate before text leaves the classifier, a node's
 * error, a status line or an alert. Two nets: the exact values we hold as secrets (whatever they
 * look like), and patterns for secrets that arrive unnamed (JWTs, Bearer/Basic credentials,
 * passwords in URLs, key=value pairs in prose or query strings, long opaque token-like runs).
 */

import { percentDecodeAll } from '../percent-encoding';

export const REDACTED = '[redacted]';

/** `postgres://user:password@host`: the user stays (it helps to find the setting), the password goes. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(?!\[redacted\]@)[^\s@/]+@/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g;
const SCHEME = /\b(Bearer|Basic|Digest|OAuth|Token)(\s+)(?!\[redacted\])([A-Za-z0-9._~+/=-]{6,})/gi;
const SCHEME_WORD = /bearer|basic|digest|oauth|token/i;
const NAMED =
  /\b(access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|oauth_token_secret|oauth_token|oauth_verifier|oauth_session_handle|session_handle|authorization|password|secret|api_key|apikey|token|assertion)(["']?\s*[:=]\s*["']?)(?!\[redacted\])([^\s"'&,;})\]]+)/gi;
/** `code` is too common a word to redact after a colon (`Error code: 500`); only as a query parameter or JSON key. */
const CODE_PARAM = /([?&#\s]code=|"code"\s*:\s*")(?!\[redacted\])([^\s"'&#]+)/gi;
/** Whole runs, length checked after: `{24,}` would retry at every position inside each shorter word. */
const OPAQUE = /[A-Za-z0-9_~+/=-]+/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A long run of mixed letters and digits reads as a token; a long word or a GUID does not. */
function opaqueSegment(run: string): string {
  if (run.length < 24 || UUID.test(run) || !/\d/.test(run) || !/[A-Za-z]/.test(run)) return run;
  return REDACTED;
}

/**
 * A URL path (`2.0/Invoices/<GUID>`) is read segment by segment, so a record address stays readable;
 * a token-like segment is still removed.
 */
function opaque(run: string): string {
  if (run.length < 24) return run;
  if (!run.includes('/') || run.endsWith('=')) return opaqueSegment(run);
  const segments = run.split('/');
  return segments.some((x) => x.length === 0 || x.length >= 24 || /^[A-Za-z]+$/.test(x) || /^\d+$/.test(x)) ? segments.map(opaqueSegment).join('/') : REDACTED;
}

/** `token expired`, `Bearer error=invalid_token`: lower-case words and parameters, not credentials. */
function isPlainWords(value: string): boolean {
  return /^(?:[a-z]+|(?:error|realm|scope)=[a-z_="]*)$/.test(value);
}

export function redact(s: string, secrets: readonly string[]): string {
  // Patterns and secrets are matched on the decoded text: `refresh_token%22%3A%22...` hides nothing then.
  let out = percentDecodeAll(s, false);
  for (const secret of secrets) {
    if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  // Each pattern only where its anchor occurs: most details are a few plain words.
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${REDACTED}@`);
  if (out.includes('eyJ')) out = out.replace(JWT, REDACTED);
  if (SCHEME_WORD.test(out))
    out = out.replace(SCHEME, (m, scheme: string, space: string, value: string) => (isPlainWords(value) ? m : `${scheme}${space}${REDACTED}`));
  if (out.includes('=') || out.includes(':')) out = out.replace(NAMED, `$1$2${REDACTED}`);
  if (out.includes('code')) out = out.replace(CODE_PARAM, `$1${REDACTED}`);
  return out.length >= 24 ? out.replace(OPAQUE, opaque) : out;
}

/** Secrets sorted longest first, so a secret that contains another is removed whole. */
export function orderSecrets(secrets: readonly string[]): string[] {
  return [...new Set(secrets)]
    .filter((s) => s.length >= 6)
    .sort((a, b) => b.length - a.length)
    .slice(0, 200);
}

/** Text with every secret we hold and everything secret-shaped cut out; for any text shown to a person. */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  return redact(text, orderSecrets(secrets.filter((s): s is string => typeof s === 'string')));
}

/** The message of a thrown value, redacted: what a node may show of any failure. */
export function redactedMessage(error: unknown, secrets: readonly (string | null | undefined)[] = [], fallback = 'Xero Guard failed'): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : fallback;
  return redactSecrets(message, secrets);
}
