import type { FleetEntry, FleetListing, FleetState } from './list-fleet';

/** What a fleet watchdog remembers between polls, per chain: JSON-safe, no tokens. */
export type FleetWatchState = Record<string, { name: string; state: FleetState; reason: string | null; since: string }>;

export interface FleetChangeEvent {
  /** added: a chain appeared in the ledger; removed: it is gone; changed: its state changed. */
  kind: 'added' | 'removed' | 'changed';
  key: string;
  name: string;
  from: FleetState | null;
  to: FleetState | null;
  reason: string | null;
  /** The chain as listed now (null for removed). */
  chain: FleetEntry | null;
  at: string;
}

/** "refreshing" is a moment inside "active", not a change an operator wants to hear about. */
function settled(state: FleetState): FleetState {
  return state === 'refreshing' ? 'active' : state;
}

/**
 * Pure: one event per chain whose state changed since the previous snapshot, none while nothing
 * changes. The first snapshot (previous null) reports only chains that need a human, so a watchdog
 * started on a broken fleet says so once.
 */
export function diffFleet(
  previous: FleetWatchState | null | undefined,
  listing: Pick<FleetListing, 'chains' | 'listedAt'>,
): { events: FleetChangeEvent[]; state: FleetWatchState } {
  const prev = previous && typeof previous === 'object' ? previous : null;
  const at = listing.listedAt;
  const state: FleetWatchState = {};
  const events: FleetChangeEvent[] = [];
  for (const chain of listing.chains) {
    const now = settled(chain.state);
    const before = prev?.[chain.key];
    state[chain.key] = { name: chain.name, state: now, reason: chain.reason, since: before && before.state === now ? before.since : at };
    if (!prev) {
      if (fleetStateNeedsHuman(now)) events.push({ kind: 'changed', key: chain.key, name: chain.name, from: null, to: now, reason: chain.reason, chain, at });
    } else if (!before) {
      events.push({ kind: 'added', key: chain.key, name: chain.name, from: null, to: now, reason: chain.reason, chain, at });
    } else if (before.state !== now) {
      events.push({ kind: 'changed', key: chain.key, name: chain.name, from: before.state, to: now, reason: chain.reason, chain, at });
    }
  }
  for (const [key, before] of Object.entries(prev ?? {})) {
    if (key in state || !before || typeof before !== 'object') continue;
    events.push({ kind: 'removed', key, name: before.name, from: before.state, to: null, reason: null, chain: null, at });
  }
  return { events, state };
}

export function fleetStateNeedsHuman(state: FleetState): boolean {
  return state === 'needs_reauth' || state === 'misconfigured' || state === 'unreadable';
}
