/**
 * Whether a connection still holds the scopes it held: a reconnect ("Switch account" in n8n,
 * "Connect to Xero" in Node-RED) makes a new grant, and Xero grants what that sign-in asked for
 * and the user allowed, which can be less than before (a credential whose Scopes field was
 * emptied, an app whose allowed scopes shrank). The connection then works, yet every workflow
 * using a lost scope fails: the watch must say what was lost, not "works again".
 *
 * The watch remembers the scopes granted while nothing was missing (the expected set) and the ones
 * missing now; pure, plain JSON, no token. A scope counts as held when a granted one covers it (a
 * read-write scope its `.read` form, a broad scope its granular successors).
 */
import { isCovered } from '../classify/scopes';

/** What the watch remembers of the scopes: plain JSON. */
export interface ScopeWatchState {
  /** The scopes granted the last time none was missing: what the connection is expected to hold. */
  expected: string[];
  /** Expected scopes the current grant does not hold, in the expected set's order. */
  missing: string[];
}

export type ScopeChangeKind = 'scopes_lost' | 'scopes_restored';

export interface ScopeChange {
  kind: ScopeChangeKind;
  /** The scopes missing now (scopes_lost), or none (scopes_restored). */
  missing: string[];
  /** What Xero granted the connection now. */
  granted: string[];
}

export function isScopeWatchState(value: unknown): value is ScopeWatchState {
  const list = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  return !!value && typeof value === 'object' && list((value as ScopeWatchState).expected) && list((value as ScopeWatchState).missing);
}

/**
 * Pure: the remembered scopes and what the chain holds now (null when unknown: not connected, or a
 * token set that names none) give the change to report and what to remember. A first sight only
 * remembers. Scopes going missing is reported once per set missing; their return once.
 */
export function detectScopeChange(
  state: ScopeWatchState | null,
  granted: readonly string[] | null,
): { state: ScopeWatchState | null; change: ScopeChange | null } {
  if (granted === null || granted.length === 0) return { state, change: null };
  const held = new Set(granted);
  if (state === null) return { state: { expected: [...granted], missing: [] }, change: null };
  const missing = state.expected.filter((scope) => !isCovered(held, scope));
  if (missing.length > 0) {
    const same = missing.length === state.missing.length && missing.every((scope) => state.missing.includes(scope));
    return { state: { expected: state.expected, missing }, change: same ? null : { kind: 'scopes_lost', missing, granted: [...granted] } };
  }
  // Nothing missing: this grant (the expected scopes, perhaps more) is what the connection is expected to hold from now on.
  const change: ScopeChange | null = state.missing.length > 0 ? { kind: 'scopes_restored', missing: [], granted: [...granted] } : null;
  return { state: { expected: [...granted], missing: [] }, change };
}
