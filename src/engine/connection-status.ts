/**
 * What a chain looks like from outside, worked out from its ledger record alone: no lease, no token
 * call, no engine. TokenEngine.status() answers with it, and so does the fleet listing, which reads
 * thousands of records and has no business building an engine to read them. Tokens never appear,
 * only their fingerprints and times.
 */
import { fingerprint } from '../secrets/fingerprint';
import type { ConnectionRecord, ConnectionState, GrantKind, StateChange } from '../ledger/types';
import type { EnginePolicy } from './policy';

/** A candidate as status() shows it: fingerprints and times, never a token. */
export interface CandidateStatus {
  refreshTokenFp: string | null;
  addedAt: number;
  ageMs: number;
  /** False once Xero rejected it or the chain rotated past it; it is then never presented. */
  live: boolean;
  reason: string;
}

export type ReportedState = ConnectionState | 'refreshing' | 'not_connected';

export interface ConnectionStatus {
  key: string;
  /** The user's name for the connection when one is stored (see setDisplayName), else null. */
  displayName: string | null;
  state: ReportedState;
  reason: string | null;
  grant: GrantKind | null;
  version: number;
  scopes: string[];
  accessTokenExpiresAt: number | null;
  accessTokenValid: boolean;
  lastRotationAt: number | null;
  /** When Xero would expire the refresh token if nothing refreshed it (60 days idle). */
  refreshTokenIdleExpiresAt: number | null;
  daysLeftBeforeIdleExpiry: number | null;
  pendingRefreshSince: number | null;
  liveCandidates: number;
  candidates: CandidateStatus[];
  history: StateChange[];
}

/** The status of `key` given its record (null: the ledger holds no chain for it) at `now`, under the engine's timing rules. */
export function connectionStatusOf(
  key: string,
  record: ConnectionRecord | null,
  now: number,
  policy: Pick<EnginePolicy, 'leaseTtlMs' | 'refreshTokenIdleMs'>,
): ConnectionStatus {
  if (!record) {
    return {
      key,
      displayName: null,
      state: 'not_connected',
      reason: 'no token set is stored for this connection',
      grant: null,
      version: 0,
      scopes: [],
      accessTokenExpiresAt: null,
      accessTokenValid: false,
      lastRotationAt: null,
      refreshTokenIdleExpiresAt: null,
      daysLeftBeforeIdleExpiry: null,
      pendingRefreshSince: null,
      liveCandidates: 0,
      candidates: [],
      history: [],
    };
  }
  const refreshing = record.state === 'active' && record.pending !== null && now - record.pending.startedAt < policy.leaseTtlMs;
  const idleExpiresAt = record.grant === 'client_credentials' ? null : record.lastRotationAt + policy.refreshTokenIdleMs;
  return {
    key,
    displayName: record.displayName ?? null,
    state: refreshing ? 'refreshing' : record.state,
    reason: record.stateReason,
    grant: record.grant,
    version: record.version,
    scopes: record.tokenSet.scope,
    accessTokenExpiresAt: record.tokenSet.expiresAt,
    accessTokenValid: record.state === 'active' && record.tokenSet.expiresAt > now,
    lastRotationAt: record.lastRotationAt,
    refreshTokenIdleExpiresAt: idleExpiresAt,
    daysLeftBeforeIdleExpiry: idleExpiresAt === null ? null : Math.max(0, Math.floor((idleExpiresAt - now) / 86_400_000)),
    pendingRefreshSince: record.pending?.startedAt ?? null,
    liveCandidates: record.candidates.filter((c) => c.deadAt === undefined).length,
    candidates: record.candidates.map((c) => ({
      refreshTokenFp: c.tokenSet.refreshToken ? fingerprint(c.tokenSet.refreshToken) : null,
      addedAt: c.addedAt,
      ageMs: now - c.addedAt,
      live: c.deadAt === undefined,
      reason: c.reason,
    })),
    history: record.history.map((h) => ({ ...h })),
  };
}
