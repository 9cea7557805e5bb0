/** OAuth 1.0a errors (Xero retired OAuth 1.0a in 2021, but people still paste these). */
import { percentDecodeAll } from './text';

export interface OAuth1Problem {
  problem: string;
  advice: string | null;
}

/** Longest first, so `signature_method_rejected` is not read as a shorter name. */
const KNOWN = [
  'signature_method_rejected',
  'connection limit exceeded',
  'consumer_key_unknown',
  'consumer_key_rejected',
  'rate limit exceeded',
  'parameter_rejected',
  'timestamp_refused',
  'permission_denied',
  'parameter_absent',
  'signature_invalid',
  'token_rejected',
  'token_expired',
  'token_revoked',
  'nonce_used',
];

/** Reads `oauth_problem=...&oauth_problem_advice=...`, URL-encoded (once or twice) or not, alone or inside prose. */
export function parseOAuth1(text: string): OAuth1Problem | null {
  if (!/oauth(?:_|%5f)problem/i.test(text)) return null;
  // Encoded once (`oauth_problem%3Dtoken_rejected`) or twice (`%253D`).
  let decoded = percentDecodeAll(text, true);
  if (decoded.includes('+') && /oauth_problem\w*=[^&\s]*\+/i.test(decoded)) decoded = decoded.replace(/\+/g, ' ');
  const m = /oauth_problem(?!_)["']?\s*[=:]\s*["']?([A-Za-z_ ]{1,60})/i.exec(decoded);
  if (!m) return null;
  const raw = m[1].toLowerCase().trim();
  const problem = KNOWN.find((k) => raw.startsWith(k)) ?? /^[a-z_]+/.exec(raw)?.[0] ?? raw;
  const a = /oauth_problem_advice["']?\s*[=:]\s*["']?([^&"\n]{0,500})/i.exec(decoded);
  return { problem, advice: a ? a[1].trim() : null };
}
