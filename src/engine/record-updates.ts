import { MAX_CANDIDATES, MAX_HISTORY, type Candidate, type ChainEndpoints, type ConnectionRecord, type ConnectionState, type GrantKind } from '../ledger/types';
import { fingerprint } from '../secrets/fingerprint';
import type { TokenSet } from '../xero/token-set';

/** Pure transitions of a connection record; the engine decides when, these decide what changes. */

export function withState(record: ConnectionRecord, to: ConnectionState, reason: string, now: number): ConnectionRecord {
  if (record.state === to && record.stateReason === reason) return record;
  const history =
    record.state === to
      ? record.history
      : [...record.history, { seq: (record.history.at(-1)?.seq ?? 0) + 1, at: now, from: record.state, to, reason }].slice(-MAX_HISTORY);
  return { ...record, state: to, stateReason: to === 'active' ? null : reason, history, updatedAt: now };
}

export function withRotation(record: ConnectionRecord, tokenSet: TokenSet, now: number): ConnectionRecord {
  const rotated = { ...record, tokenSet, pending: null, rejectedRefreshTokenFp: null, lastRotationAt: now, updatedAt: now };
  return record.state === 'active' ? rotated : withState(rotated, 'active', 'refreshed after a retry', now);
}

export function withCandidate(record: ConnectionRecord, candidate: Candidate): ConnectionRecord {
  return { ...record, candidates: pruneCandidates([...record.candidates, candidate]), updatedAt: candidate.addedAt };
}

/** Bounded, but never by dropping a live candidate for a dead one: dead and oldest go first. */
function pruneCandidates(candidates: Candidate[]): Candidate[] {
  if (candidates.length <= MAX_CANDIDATES) return candidates;
  const ranked = [...candidates].sort((a, b) => Number(a.deadAt !== undefined) - Number(b.deadAt !== undefined) || b.addedAt - a.addedAt);
  const keep = new Set(ranked.slice(0, MAX_CANDIDATES));
  return candidates.filter((c) => keep.has(c));
}

/** Marks the candidate holding `refreshToken` (or, with byFingerprint, its fingerprint) dead; it stays in the record. */
export function retireCandidate(record: ConnectionRecord, refreshTokenOrFp: string, now: number, reason: string, byFingerprint = false): ConnectionRecord {
  const matches = (c: Candidate) =>
    c.deadAt === undefined &&
    c.tokenSet.refreshToken !== undefined &&
    (byFingerprint ? fingerprint(c.tokenSet.refreshToken) : c.tokenSet.refreshToken) === refreshTokenOrFp;
  if (!record.candidates.some(matches)) return record;
  return { ...record, candidates: record.candidates.map((c) => (matches(c) ? { ...c, deadAt: now, reason } : c)), updatedAt: now };
}

/**
 * After the chain rotated (spending `spentFp`, under an intent written at `since`): a candidate
 * holding the spent token is spent too, and one added before the rotation began is from a branch
 * the chain has outgrown (its token was the same set, a sibling that lost the race, or the grant
 * this one replaced). Either way it is never presented again.
 */
export function retireOutgrownCandidates(record: ConnectionRecord, spentFp: string, since: number, now: number): ConnectionRecord {
  const outgrown = (c: Candidate) =>
    c.deadAt === undefined && (c.addedAt <= since || (c.tokenSet.refreshToken !== undefined && fingerprint(c.tokenSet.refreshToken) === spentFp));
  if (!record.candidates.some(outgrown)) return record;
  return {
    ...record,
    candidates: record.candidates.map((c) => (outgrown(c) ? { ...c, deadAt: now, reason: `${c.reason}; retired: the chain rotated past it` } : c)),
  };
}

/**
 * A new grant on `key`, used against `endpoints`. A reconnect keeps the name, history and
 * candidates; one against other endpoints keeps nothing that could be presented there (Invariant
 * 16): the old sets are kept for the record, dead.
 */
export function newGrantRecord(
  key: string,
  tokenSet: TokenSet,
  grant: GrantKind,
  now: number,
  previous: ConnectionRecord | null,
  endpoints: ChainEndpoints,
): ConnectionRecord {
  const moved = !!previous?.endpoints && !sameEndpoints(previous.endpoints, endpoints);
  const deadThere = (c: Candidate): Candidate =>
    c.deadAt === undefined ? { ...c, deadAt: now, reason: `${c.reason}; retired: granted by other endpoints` } : c;
  const base: ConnectionRecord = {
    key,
    version: previous?.version ?? 0,
    grant,
    state: previous?.state ?? 'active',
    stateReason: previous?.stateReason ?? null,
    tokenSet,
    lastRotationAt: tokenSet.obtainedAt,
    pending: null,
    rejectedRefreshTokenFp: null,
    candidates: (previous?.candidates ?? []).map((c) => (moved ? deadThere(c) : c)),
    history: previous?.history ?? [],
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    // A reconnect keeps the user's name for the connection.
    ...(previous?.displayName ? { displayName: previous.displayName } : {}),
    endpoints,
  };
  const replaced: Candidate | null = previous ? { tokenSet: previous.tokenSet, addedAt: now, reason: 'replaced by a new grant' } : null;
  const withOld = replaced ? withCandidate(base, moved ? deadThere(replaced) : replaced) : base;
  if (!previous) {
    return { ...withOld, history: [{ seq: 1, at: now, from: null, to: 'active', reason: 'connected' }] };
  }
  return withState(withOld, 'active', 'reconnected', now);
}

/** The same endpoints, whatever trailing slash or case of the host one of them was written with. */
export function sameEndpoints(a: ChainEndpoints, b: ChainEndpoints): boolean {
  return normalUrl(a.tokenUrl) === normalUrl(b.tokenUrl) && normalUrl(a.apiUrl) === normalUrl(b.apiUrl);
}

function normalUrl(url: string): string {
  try {
    return new URL(url).href.replace(/\/+$/, '');
  } catch {
    return url;
  }
}

/** The user's name for the chain (already cleaned); unchanged records are returned as they are. */
export function withDisplayName(record: ConnectionRecord, displayName: string | null, now: number): ConnectionRecord {
  if ((record.displayName ?? null) === displayName) return record;
  const { displayName: _old, ...rest } = record;
  return displayName === null ? { ...rest, updatedAt: now } : { ...rest, displayName, updatedAt: now };
}
