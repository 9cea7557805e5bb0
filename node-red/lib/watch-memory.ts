/**
 * Where `xero connection watch` keeps what it remembers between polls: the node's context (in
 * memory, or on disk with a file context store), under the keys earlier versions used, so a
 * redeploy or an upgrade keeps it. The core's watch step only sees a WatchMemoryStore: moving the
 * memory (to the ledger, beside the chain) replaces this file and nothing else.
 */
import { readWatchMemory, type WatchMemoryStore } from '../../src/host';
import type { RuntimeNode } from './red';

export function contextWatchMemory(node: Pick<RuntimeNode, 'context'>): WatchMemoryStore {
  const context = node.context();
  return {
    load: () => readWatchMemory({ connection: context.get('watchState'), organisations: context.get('tenantState'), budget: context.get('budgetState') }),
    save(memory) {
      if (memory.connection) context.set('watchState', memory.connection);
      if (memory.organisations) context.set('tenantState', memory.organisations);
      if (memory.budget) context.set('budgetState', memory.budget);
    },
  };
}
