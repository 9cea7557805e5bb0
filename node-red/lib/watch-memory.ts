/**
 * Where `xero connection watch` keeps what it remembers between polls: beside its chain in the
 * ledger (the core's chainWatchMemory), so a full deploy, a restart, a second watch node on the
 * same connection or a second Node-RED on the same ledger never repeats an alert. The node's
 * context, where earlier versions kept it, is read once while the ledger holds nothing for the
 * watch, so an upgrade does not alert again either.
 */
import { chainWatchMemory, readWatchMemory, watchView, type ChainWatchMemory, type WatchMemory, type WatchSettings } from '../../src/host';
import type { Clock } from '../../src/clock';
import type { ConnectionHandle } from './connection-handle';
import type { RuntimeNode } from './red';

/** What earlier versions kept in the node's context. */
function contextMemory(node: Pick<RuntimeNode, 'context'>): WatchMemory {
  const context = node.context();
  return readWatchMemory({ connection: context.get('watchState'), organisations: context.get('tenantState'), budget: context.get('budgetState') });
}

/** The memory of a watch node over `conn`; `warn` hears of a ledger that could not be used, once per deploy. */
export function watchMemoryOf(
  node: Pick<RuntimeNode, 'id' | 'context'>,
  conn: ConnectionHandle,
  settings: WatchSettings,
  clock: Clock,
  warn: (message: string) => void,
): ChainWatchMemory {
  let told = false;
  return chainWatchMemory({
    session: conn.session,
    view: watchView(settings),
    owner: node.id,
    clock,
    earlier: () => contextMemory(node),
    onError: (error) => {
      if (told) return;
      told = true;
      warn(
        `the watch's memory could not be kept beside the chain (${conn.scrub(error instanceof Error ? error.message : String(error))}); it is kept in this process until the ledger answers`,
      );
    },
  });
}

/** A watch without a xero-connection has no chain: what it saw lives in this node only. */
export function nodeWatchMemory(): ChainWatchMemory {
  let kept: WatchMemory = { connection: null, organisations: null, budget: null };
  return {
    load: () => kept,
    save(memory) {
      kept = memory;
    },
    async report(events, send) {
      send(events);
    },
  };
}
