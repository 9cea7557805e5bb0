import { CallBudget } from '../../src/check';
import { hasChainNotes, type Ledger } from '../../src/ledger';
import type { XeroLimits } from './port';

/**
 * One call budget per chain for this n8n process: every Xero answer the node gets is folded in and
 * reaches the chain's ledger notes (where Check Connection and the trigger read it), never the chain
 * record itself. A ledger without notes keeps no budget.
 */
const budgets = new Map<string, { ledger: Ledger; budget: CallBudget }>();

export function budgetFor(ledger: Ledger, key: string): CallBudget | null {
  if (!hasChainNotes(ledger)) return null;
  const held = budgets.get(key);
  if (held && held.ledger === ledger) return held.budget;
  const budget = new CallBudget({ notes: ledger, key });
  budgets.set(key, { ledger, budget });
  return budget;
}

/** XeroLimits (null: header absent) as the budget's reading (absent: not reported). */
export function recordLimits(budget: CallBudget, tenantId: string, limits: XeroLimits): void {
  const reading: { dayRemaining?: number; minuteRemaining?: number; appMinuteRemaining?: number } = {};
  if (limits.dayRemaining !== null) reading.dayRemaining = limits.dayRemaining;
  if (limits.minuteRemaining !== null) reading.minuteRemaining = limits.minuteRemaining;
  if (limits.appMinuteRemaining !== null) reading.appMinuteRemaining = limits.appMinuteRemaining;
  if (Object.keys(reading).length > 0) budget.record(tenantId, reading);
}
