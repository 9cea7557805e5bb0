import type { FleetEntry, FleetListing, FleetState } from './list-fleet';
import type { ShownFleetEntry } from './shown-listing';

/** What a fleet watchdog remembers between polls, per chain (by its id in the listing): JSON-safe, no tokens. */
export type FleetWatchState = Record<string, { name: string; state: FleetState; reason: string | null; since: string }>;

/** A chain as a watchdog compares it, named by the listing: `id` in what is shown (shownListing), `key` in a raw listing. */
export type WatchedChain = Pick<FleetEntry, 'name' | 'state' | 'reason'> & ({ id: string } | { key: string });

export interface FleetChangeEvent<E extends WatchedChain = ShownFleetEntry> {
  /** added: a chain appeared in the ledger; removed: it is gone; changed: its state changed. */
  kind: 'added' | 'removed' | 'changed';
  /** The chain's name in the listing compared: its id (a shown listing) or its key (a raw one). */
  id: string;
  name: string;
  from: FleetState | null;
  to: FleetState | null;
  reason: string | null;
  /** The chain as listed now (null for removed). */
  chain: E | null;
  at: string;
}

/** "refreshing" is a moment inside "active", not a change an operator wants to hear about. */
function settled(state: FleetState): FleetState {
  return state === 'refreshing' ? 'active' : state;
}

function idOf(chain: WatchedChain): string {
  return 'id' in chain ? chain.id : chain.key;
}

/**
 * Pure: one event per chain whose state changed since the previous snapshot, none while nothing
 * changes. The first snapshot (previous null) reports only chains that need a human, so a watchdog
 * started on a broken fleet says so once.
 */
export function diffFleet<E extends WatchedChain>(
  previous: FleetWatchState | null | undefined,
  listing: Pick<FleetListing, 'listedAt'> & { chains: E[] },
): { events: Array<FleetChangeEvent<E>>; state: FleetWatchState } {
  const prev = previous && typeof previous === 'object' ? previous : null;
  const at = listing.listedAt;
  const state: FleetWatchState = {};
  const events: Array<FleetChangeEvent<E>> = [];
  for (const chain of listing.chains) {
    const id = idOf(chain);
    const now = settled(chain.state);
    const before = prev?.[id];
    state[id] = { name: chain.name, state: now, reason: chain.reason, since: before && before.state === now ? before.since : at };
    if (!prev) {
      if (fleetStateNeedsHuman(now)) events.push({ kind: 'changed', id, name: chain.name, from: null, to: now, reason: chain.reason, chain, at });
    } else if (!before) {
      events.push({ kind: 'added', id, name: chain.name, from: null, to: now, reason: chain.reason, chain, at });
    } else if (before.state !== now) {
      events.push({ kind: 'changed', id, name: chain.name, from: before.state, to: now, reason: chain.reason, chain, at });
    }
  }
  for (const [id, before] of Object.entries(prev ?? {})) {
    if (id in state || !before || typeof before !== 'object') continue;
    events.push({ kind: 'removed', id, name: before.name, from: before.state, to: null, reason: null, chain: null, at });
  }
  return { events, state };
}

export function fleetStateNeedsHuman(state: FleetState): boolean {
  return state === 'needs_reauth' || state === 'misconfigured' || state === 'unreadable';
}
