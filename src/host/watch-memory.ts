/**
 * A watch's memory where its chain lives. What the watch last saw is a note beside the chain in
 * the ledger, so a deploy, a restart or another process watching the same chain starts from it
 * rather than from nothing (a node's memory went with every full deploy, and each deploy of a
 * broken connection alerted again). Notes are last-writer-wins, so two watches polling at once may
 * both find the same change in the same memory: each change is claimed in the ledger's event store
 * before it is sent, and only the claimer sends it. Watches that look at different things (another
 * organisation, another threshold) are different views of the chain, each with its own note and
 * claims; identical watches (a copied node, a second Node-RED on one ledger) share one.
 *
 * When the ledger cannot be read or written, the last memory this process saw stands in (so a
 * ledger that is down alerts once, not on every poll), and an event that cannot be claimed is sent:
 * a repeat is better than an alert never sent.
 */
import type { Clock } from '../clock';
import { hasChainNotes, hasEventStore, type ChainNotes, type EventStore } from '../ledger';
import { fingerprint } from '../secrets';
import type { SharedEngine } from './engine-registry';
import { readWatchMemory, type WatchEvent, type WatchMemory, type WatchMemoryStore, type WatchSettings } from './watch';

/** The note beside the chain holding one view's memory: `watch.<view>`. */
export const WATCH_NOTE_PREFIX = 'watch.';
/** A claim not finished in this time (its process died while sending) may be taken again. */
const CLAIM_TTL_MS = 2 * 60 * 1000;
/** How long a sent change is remembered as sent: far beyond any poll interval. */
const SENT_RETENTION = { retentionMs: 90 * 24 * 60 * 60 * 1000, maxKeys: 2000 };

/** What the memory needs of a connection session: its chain key and its ledger. */
export interface WatchMemorySession {
  readonly key: string;
  use<T>(work: (shared: Pick<SharedEngine, 'ledger'>) => Promise<T>): Promise<T>;
}

export interface ChainWatchMemory extends WatchMemoryStore {
  /**
   * Sends, of the events one poll found, those no other watch of the view has claimed: each is
   * claimed, handed to `send`, and marked sent, within one use of the ledger (a node's close waits
   * for it). `send` is the host's own, synchronous: it must not throw.
   */
  report(events: WatchEvent[], send: (events: WatchEvent[]) => void): Promise<void>;
}

export interface ChainWatchMemoryOptions {
  session: WatchMemorySession;
  /** This watch's view of the chain: watchView(settings). */
  view: string;
  /** Who claims, for the claims' records (a node id). */
  owner: string;
  clock: Clock;
  /** Memory an earlier version kept elsewhere (a node's context): adopted once, while the ledger holds none for the view. */
  earlier?: () => WatchMemory | null;
  /** A ledger read or write that failed: told here (a log line); the watch goes on with the process's memory. */
  onError?: (error: unknown) => void;
}

/** The settings that shape what a watch remembers and reports, as a short name: equal settings, one view. */
export function watchView(settings: Pick<WatchSettings, 'tenantId' | 'organisations' | 'only' | 'probe' | 'budget'>): string {
  const only = [...new Set(settings.only.map((o) => o.trim().toLowerCase()).filter(Boolean))].sort();
  const budget = settings.budget ? Object.entries(settings.budget).sort(([a], [b]) => a.localeCompare(b)) : null;
  return fingerprint(JSON.stringify([settings.tenantId, settings.organisations, only, settings.probe, budget])).slice(0, 12);
}

/** The last memory each view had in this process, for when the ledger cannot be read (kept across deploys). */
const lastSeen = new Map<string, WatchMemory>();

const EMPTY: WatchMemory = { connection: null, organisations: null, budget: null };
const isEmpty = (m: WatchMemory) => !m.connection && !m.organisations && !m.budget;

export function chainWatchMemory(options: ChainWatchMemoryOptions): ChainWatchMemory {
  const { session, view, clock } = options;
  const field = `${WATCH_NOTE_PREFIX}${view}`;
  const scope = `watch:${session.key}:${view}`;
  const here = `${session.key}\0${view}`;
  const failed = (error: unknown) => options.onError?.(error);
  /** What the ledger held at the last load: a save of the same is skipped. */
  let loaded: string | null = null;

  const notesOf = (ledger: unknown): ChainNotes | null => (hasChainNotes(ledger) ? ledger : null);
  const storeOf = (ledger: unknown): EventStore | null => (hasEventStore(ledger) ? ledger.eventStore() : null);

  return {
    async load() {
      try {
        const stored = await session.use(async ({ ledger }) => {
          const notes = notesOf(ledger);
          return notes ? (await notes.readNotes(session.key))[field] : undefined;
        });
        const memory = stored && typeof stored === 'object' ? readWatchMemory(stored as Record<string, unknown>) : EMPTY;
        loaded = JSON.stringify(memory);
        if (!isEmpty(memory)) return remember(memory);
        const earlier = options.earlier?.() ?? null;
        return remember(earlier && !isEmpty(earlier) ? earlier : (lastSeen.get(here) ?? EMPTY));
      } catch (error) {
        failed(error);
        loaded = null;
        return lastSeen.get(here) ?? options.earlier?.() ?? EMPTY;
      }
    },

    async save(memory) {
      remember(memory);
      const value = JSON.stringify(memory);
      if (value === loaded) return;
      try {
        await session.use(async ({ ledger }) => {
          await notesOf(ledger)?.writeNotes(session.key, { [field]: memory });
        });
        loaded = value;
      } catch (error) {
        failed(error);
      }
    },

    async report(events, send) {
      if (events.length === 0) return;
      const ids = events.map((e) => e.id);
      let sent = false;
      try {
        await session.use(async ({ ledger }) => {
          const store = storeOf(ledger);
          if (!store) return;
          const { token, states } = await store.claimKeys(scope, ids, { owner: options.owner, ttlMs: CLAIM_TTL_MS, now: clock.now() });
          const mine = ids.filter((id) => states[id] === 'claimed' || states[id] === 'reclaimed');
          sent = true;
          send(events.filter((e) => mine.includes(e.id)));
          await store.completeKeys(scope, token, mine, clock.now(), SENT_RETENTION);
        });
      } catch (error) {
        failed(error);
      }
      // No claim could be made (no event store, or the ledger is down): a repeat beats a silence.
      if (!sent) send(events);
    },
  };

  function remember(memory: WatchMemory): WatchMemory {
    lastSeen.set(here, memory);
    return memory;
  }
}
