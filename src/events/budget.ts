import type { RateLimitReading } from '../check/call-budget';
import type { XeroAccountingClient } from '../xero/accounting';

/**
 * What the events core needs of the organisation's call budget (src/check CallBudget has it):
 * may a call that is not the user's own work be spent now (never the reserve), and record what
 * Xero said was left. Every poll, fetch and sweep call asks first and records after.
 */
export interface CallBudgetLike {
  mayUseForHousekeeping(tenantId: string): boolean;
  record(tenantId: string, reading: RateLimitReading): void;
}

/** The reads the events core makes: the Accounting client's `pages` (tests pass their own). */
export type RecordReader = Pick<XeroAccountingClient, 'pages'>;

/** Records the rate-limit figures a failed call carried, when it carried any. */
export function recordFailure(budget: CallBudgetLike | undefined, tenantId: string, error: unknown): void {
  const limits = error && typeof error === 'object' ? (error as { limits?: unknown }).limits : undefined;
  if (budget && limits && typeof limits === 'object') budget.record(tenantId, limits as RateLimitReading);
}

/** True for an error a later try may not meet (Xero busy or down, a network fault, the ledger restarting). */
export function isRetryable(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { retryable?: unknown }).retryable === true;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
