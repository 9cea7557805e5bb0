/**
 * The call budget of one xero-connection: every Xero answer our Node-RED nodes receive goes through
 * a transport that folds its rate-limit headers into the chain's CallBudget (kept in the ledger's
 * notes beside the chain), so the check reports it and the watch can warn before Xero answers 429.
 */
import type { TenantBudget } from '../../src/check';
import { budgetLevel, type ResolvedBudgetPolicy } from '../../src/check';
import { readRateLimits } from '../../src/xero/accounting';
import { fetchTransport, type HttpTransport } from '../../src/xero/transport';

/** What a recording transport needs of a budget. */
export interface BudgetRecorder {
  record(tenantId: string, reading: { dayRemaining?: number; minuteRemaining?: number; appMinuteRemaining?: number }): void;
}

/** The tenant an answer counts against: the xero-tenant-id the request carried (any case). */
function tenantOf(headers: Record<string, string>): string {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'xero-tenant-id') return value.trim();
  return '';
}

/**
 * A transport that records every answer's figures, errors and 429s included (those are the answers
 * that matter most). /connections carries no tenant and is not counted against one.
 */
export function recordingTransport(budget: () => BudgetRecorder | null, inner: HttpTransport = fetchTransport): HttpTransport {
  return async (request) => {
    const response = await inner(request);
    const tenantId = tenantOf(request.headers);
    const recorder = budget();
    if (tenantId && recorder) {
      const limits = readRateLimits(response.headers);
      recorder.record(tenantId, {
        ...(limits.dayRemaining !== null ? { dayRemaining: limits.dayRemaining } : {}),
        ...(limits.minuteRemaining !== null ? { minuteRemaining: limits.minuteRemaining } : {}),
        ...(limits.appMinuteRemaining !== null ? { appMinuteRemaining: limits.appMinuteRemaining } : {}),
      });
    }
    return response;
  };
}

/** One organisation's budget as a check reports it in msg.payload.budget. */
export interface BudgetReport {
  tenantId: string;
  tenantName: string | null;
  dayRemaining: number | null;
  dayLimit: number | null;
  minuteRemaining: number | null;
  appMinuteRemaining: number | null;
  level: 'ok' | 'low' | 'reserve' | 'unknown';
  observedAt: string | null;
}

export function budgetReport(budgets: TenantBudget[], names: Record<string, string | null>, now: number, policy: ResolvedBudgetPolicy): BudgetReport[] {
  return budgets.map((b) => {
    const level = budgetLevel(b, now, policy);
    return {
      tenantId: b.tenantId,
      tenantName: names[b.tenantId] ?? null,
      dayRemaining: level.dayRemaining,
      dayLimit: level.dayLimit,
      minuteRemaining: b.minuteRemaining,
      appMinuteRemaining: b.appMinuteRemaining,
      level: level.level,
      observedAt: b.dayObservedAt === null ? null : new Date(b.dayObservedAt).toISOString(),
    };
  });
}
