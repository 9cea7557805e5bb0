import type { CheckResult, CheckStatus } from './types';

/** What a watcher remembers between polls: small, JSON-safe, no tokens (n8n keeps it in workflow static data). */
export interface WatchState {
  status: CheckStatus;
  /** The problem category, or null while connected. */
  category: string | null;
  /** ISO time this status was first seen. */
  since: string;
}

/**
 * problem: connected (or first poll) -> disconnected/degraded; recovered: a problem -> connected;
 * changed: one problem status -> another (degraded <-> disconnected); poll: nothing changed, but the
 * caller asked for every poll; first: the first poll, when the caller asked for every poll.
 */
export type StateChangeKind = 'problem' | 'recovered' | 'changed' | 'poll' | 'first';

export interface StateChangeEvent {
  kind: StateChangeKind;
  from: CheckStatus | null;
  to: CheckStatus;
  /** Since when the previous status held, or null on the first poll. */
  previousSince: string | null;
}

export interface StateChangeOptions {
  /** Report every poll (kind "poll"/"first" when nothing changed). */
  emitEveryPoll?: boolean;
}

/**
 * Pure: the previous watch state and the current check give the event to report (or null) and the
 * state to remember. A first poll reports only a problem (a watchdog started on a broken connection
 * should say so); after that only a change of status is reported, so a connection that stays broken
 * alerts once, and a recovery is reported once.
 */
export function detectStateChange(
  previous: WatchState | null | undefined,
  current: Pick<CheckResult, 'status' | 'problem' | 'checkedAt'>,
  options: StateChangeOptions = {},
): { event: StateChangeEvent | null; state: WatchState } {
  const category = current.status === 'connected' ? null : (current.problem?.category ?? null);
  const prev = isWatchState(previous) ? previous : null;
  const changed = prev === null || prev.status !== current.status;
  const state: WatchState = { status: current.status, category, since: changed ? current.checkedAt : prev.since };
  let kind: StateChangeKind | null = null;
  if (prev === null) kind = current.status !== 'connected' ? 'problem' : options.emitEveryPoll ? 'first' : null;
  else if (prev.status !== current.status) kind = current.status === 'connected' ? 'recovered' : prev.status === 'connected' ? 'problem' : 'changed';
  else if (options.emitEveryPoll) kind = 'poll';
  return {
    event: kind === null ? null : { kind, from: prev?.status ?? null, to: current.status, previousSince: prev?.since ?? null },
    state,
  };
}

/** Static data is whatever was stored before (possibly by an older version): accept only a well-formed state. */
export function isWatchState(value: unknown): value is WatchState {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    (v.status === 'connected' || v.status === 'disconnected' || v.status === 'degraded') &&
    typeof v.since === 'string' &&
    (v.category === null || typeof v.category === 'string')
  );
}
