import { budgetLevel, type TenantBudget } from '../../src/check';
import { readRateLimits, type ApiResult, type XeroLimits, type XeroTenant } from '../../src/xero';
import type { GuardedSession } from './guarded-session';

/**
 * The session's Xero client with every answer that names an organisation recorded in the chain's
 * call budget. Our housekeeping calls go through this; the Xero Guard node's port records its own
 * answers with `recordAnswer` (the same budget).
 */
export function budgetedApi(session: Pick<GuardedSession, 'api' | 'budget'>) {
  const { api } = session;
  return {
    getConnections: (token: string): Promise<ApiResult<XeroTenant[]>> => api.getConnections(token),
    getOrganisation: async (token: string, tenantId: string): Promise<ApiResult<Record<string, unknown>>> => {
      const answer = await api.getOrganisation(token, tenantId);
      recordAnswer(session, tenantId, answer.response.headers);
      return answer;
    },
  };
}

/** One Xero answer for `tenantId`: its remaining-call headers into the chain's budget. Never throws. */
export function recordAnswer(session: Pick<GuardedSession, 'budget'>, tenantId: string, headers: Record<string, string>): void {
  recordLimits(session, tenantId, readRateLimits(headers));
}

/** Limits the core Accounting client already read from an answer (the Xero Guard node's port). */
export function recordLimits(session: Pick<GuardedSession, 'budget'>, tenantId: string, limits: XeroLimits): void {
  session.budget?.record(tenantId, limits);
}

/** The call budget per organisation as a node shows it (Check Connection's `callBudget`). */
export function budgetReport(
  session: Pick<GuardedSession, 'budget'>,
  now: number,
): Array<TenantBudget & { level: string; warnBelow: number | null; reserve: number | null }> {
  const budget = session.budget;
  if (!budget) return [];
  return budget.all().map((b) => {
    const level = budgetLevel(b, now, budget.policy);
    return { ...b, level: level.level, warnBelow: level.warnBelow, reserve: level.reserve };
  });
}
