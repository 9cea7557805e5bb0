import type { Failure } from 'n8n-workflow';
import { classifyXeroError } from '../../src/classify';

/**
 * The one mapping from our classification to n8n's `failure` cause (n8n-workflow 2.41: TIMED_CAUSES
 * rate-limited, quota-exhausted, temporarily-unavailable; ACTIONABLE_CAUSES credential-invalid,
 * configuration-invalid, node-defect), so n8n's poll back-off and error handling tell a dead
 * credential from a blip without knowing Xero. Every error our nodes throw goes through here.
 */

const TEMPORARY = new Set(['service_unavailable', 'organisation_offline', 'server_error', 'network_error', 'timeout']);
const CONFIGURATION = new Set(['tenant_access_denied', 'insufficient_scope', 'connection_limit_reached', 'forbidden']);

export interface ClassifiedFailure {
  category: string;
  action: string;
  retryAfterSeconds?: number | null;
}

const waitOf = (retryAfterSeconds: number | null | undefined): { retryAfterMs?: number } =>
  typeof retryAfterSeconds === 'number' && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0
    ? { retryAfterMs: Math.round(retryAfterSeconds * 1000) }
    : {};

/** n8n's cause for a classified Xero failure; undefined for a request n8n cannot help with (a bad invoice). */
export function failureOf(f: ClassifiedFailure): Failure | undefined {
  const wait = waitOf(f.retryAfterSeconds);
  if (f.action === 'reauthenticate') return { cause: 'credential-invalid' };
  if (f.category === 'rate_limit_day') return { cause: 'quota-exhausted', ...wait };
  if (f.category.startsWith('rate_limit')) return { cause: 'rate-limited', ...wait };
  if (TEMPORARY.has(f.category)) return { cause: 'temporarily-unavailable', ...wait };
  if (f.action === 'fix_configuration' || CONFIGURATION.has(f.category)) return { cause: 'configuration-invalid' };
  return undefined;
}

/** The engine's and setup's error codes (the guarded credential's own states) as n8n causes. */
export function failureOfCode(code: string, retryAfterSeconds?: number | null): Failure | undefined {
  switch (code) {
    case 'NOT_CONNECTED':
    case 'NEEDS_REAUTH':
    case 'SUPERSEDED':
      return { cause: 'credential-invalid' };
    case 'MISCONFIGURED':
    case 'ENDPOINTS_CHANGED':
    case 'LEDGER_CONFIG':
    case 'LEDGER_WRONG_KEY':
    case 'LEDGER_CORRUPT':
    case 'N8nVersionError':
    case 'EVENTS_CONFIG':
      return { cause: 'configuration-invalid' };
    case 'RATE_LIMITED':
      return { cause: 'rate-limited', ...waitOf(retryAfterSeconds) };
    case 'BUSY':
    case 'REFRESH_OUTCOME_UNKNOWN':
    case 'XERO_UNREACHABLE':
    case 'LEDGER_UNAVAILABLE':
      return { cause: 'temporarily-unavailable' };
    default:
      return undefined;
  }
}

/** Any error: its code when it has one we know, else what the classifier reads in it. */
export function failureOfError(error: unknown): Failure | undefined {
  const e = error && typeof error === 'object' ? (error as { code?: unknown; name?: unknown; retryAfterSeconds?: unknown }) : {};
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : '';
  const retryAfter = typeof e.retryAfterSeconds === 'number' ? e.retryAfterSeconds : undefined;
  const byCode = failureOfCode(code, retryAfter);
  if (byCode) return byCode;
  const classified = classifyXeroError(error);
  return classified.category === 'unknown' ? undefined : failureOf(classified);
}
