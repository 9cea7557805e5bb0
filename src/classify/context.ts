/**
 * Reads `options.context` (what the caller knows about the failed request) into the bounded shape the
 * rules and custom rules see. It comes from code that may be handed anything, so it is read like the
 * error itself: never throws, keeps only what has the shape of a Xero scope or resource name (so no
 * token or free text can reach a summary through it), and caps the lists.
 */
import { isCovered } from './scopes';
import { parseXeroTier } from '../xero-tiers';
import type { ScopeContext } from './types';

const MAX_SCOPES = 100;
/** Xero's scope names: lower-case words joined by dots (`accounting.reports.profitandloss.read`, `offline_access`). */
const SCOPE = /^[a-z_]{2,23}(?:\.[a-z_]{2,23}){0,5}$/;
/** A resource name as Xero writes it in a path: `Journals`, `ManualJournals`, `BankTransactions`. */
const RESOURCE = /^[A-Za-z]{2,40}$/;

function field(raw: object, key: string): unknown {
  try {
    return (raw as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A list of scopes as given (an array, or Xero's space-separated `scope` string), or null when absent. */
function scopeList(v: unknown): string[] | null {
  const words = typeof v === 'string' ? [v] : Array.isArray(v) ? v.slice(0, MAX_SCOPES) : null;
  if (words === null) return null;
  const out = new Set<string>();
  for (const w of words) {
    if (typeof w !== 'string') continue;
    for (const s of w.slice(0, 4096).split(/[\s,]+/)) if (SCOPE.test(s) && out.size < MAX_SCOPES) out.add(s);
  }
  return [...out];
}

/** `Journals` from `Journals`, `GET /api.xro/2.0/Journals?offset=10` or `https://api.xero.com/api.xro/2.0/Journals/{id}`. */
export function resourceName(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const path = v
    .slice(0, 2048)
    .trim()
    .replace(/^[A-Z]{3,7}\s+/, '')
    .replace(/^[a-z][a-z0-9+.-]{0,20}:\/\/[^/?#]*/i, '')
    .split(/[?#]/)[0];
  const first = path.split('/').find((s) => s !== '' && !/\.xro$/i.test(s) && !/^v?\d+(?:\.\d+)?$/i.test(s) && s.toLowerCase() !== 'api');
  return first !== undefined && RESOURCE.test(first) ? first : null;
}

/**
 * The context as read, or null without one. The endpoint, when the caller names none, is taken from an
 * API URL found in the error (`.../api.xro/2.0/Journals`).
 */
export function readContext(raw: unknown, errorUrls: readonly string[]): ScopeContext | null {
  try {
    if (raw === null || typeof raw !== 'object') return null;
    const granted = scopeList(field(raw, 'grantedScopes'));
    const required = scopeList(field(raw, 'requiredScopes'));
    const grantedSet = new Set(granted ?? []);
    // Without both lists, or with nothing required, the context cannot tell a missing scope from a gated endpoint.
    const missing = granted !== null && required !== null && required.length > 0 ? required.filter((r) => !isCovered(grantedSet, r)) : null;
    const apiUrl = errorUrls.find((u) => /\.xro\//i.test(u));
    const endpoint = resourceName(field(raw, 'endpoint')) ?? resourceName(apiUrl);
    const appTier = parseXeroTier(field(raw, 'appTier'));
    return { grantedScopes: granted ?? [], requiredScopes: required ?? [], missingScopes: missing, endpoint, ...(appTier ? { appTier } : {}) };
  } catch {
    // A hostile object (a revoked Proxy, a throwing getter): no context rather than no classification.
    return null;
  }
}
