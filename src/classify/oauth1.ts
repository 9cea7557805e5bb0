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

/**
 * The problem names said outside `oauth_problem=`: a log line or an SDK's exception
 * (`XeroApiException: token_rejected - ...`, `Xeroizer::OAuth::UnknownError: nonce_used`). Only the
 * names no other API uses as a word are read this way.
 */
const BARE_PROBLEM =
  /(signature_method_rejected|consumer_key_unknown|consumer_key_rejected|timestamp_refused|signature_invalid|token_rejected|nonce_used)(?![a-z_])/g;

export function bareOAuth1Problem(lower: string): string | null {
  if (!lower.includes('_')) return null;
  BARE_PROBLEM.lastIndex = 0;
  let n = 0;
  for (let m = BARE_PROBLEM.exec(lower); m !== null && n < 20; m = BARE_PROBLEM.exec(lower), n++) {
    // The name must start a word: `my_timestamp_refused_flag` is not the problem.
    if (m.index === 0 || !/[a-z_]/.test(lower[m.index - 1])) return m[1];
  }
  return null;
}

/**
 * The same problems described in words, as Xero's advice texts and other OAuth 1.0a providers put them
 * ("Failed to validate signature", "The timestamp is too old", "Expired timestamp", "The nonce value
 * ... has already been used", "Unknown Consumer"), by the problem they describe.
 */
const PROBLEM_IN_WORDS = new RegExp(
  [
    String.raw`(failed to (?:validate|verify) (?:the )?(?:oauth )?signature|invalid oauth[ _]?signature|oauth[ _]?signature (?:is )?invalid)`,
    String.raw`(timestamp (?:is )?too (?:old|far)|expired timestamp|oauth[ _]timestamp (?:is )?(?:invalid|refused|too old)|timestamp (?:was )?refused)`,
    String.raw`(nonce (?:value )?(?:\\?"[^"\n]{0,100}\\?" )?(?:has )?already been used|nonce (?:is |was )?already (?:being )?used)`,
    String.raw`(unknown consumer\b|consumer key (?:was )?(?:not recogni[sz]ed|unknown|not found|rejected|is invalid)|invalid consumer key)`,
  ].join('|'),
);
/** The problem each group of PROBLEM_IN_WORDS describes, in order. */
const DESCRIBED = ['signature_invalid', 'timestamp_refused', 'nonce_used', 'consumer_key_unknown'];

export function oauth1ProblemInWords(lower: string): string | null {
  if (!/signature|timestamp|nonce|consumer/.test(lower)) return null;
  const m = PROBLEM_IN_WORDS.exec(lower);
  if (m === null) return null;
  const group = m.findIndex((g, i) => i > 0 && g !== undefined);
  return DESCRIBED[group - 1] ?? null;
}
