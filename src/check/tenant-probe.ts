import { classifyXeroError } from '../classify/classify';
import type { XeroApiClient } from '../xero/api-client';
import type { RateLimitReading } from './call-budget';
import type { Classify } from './check-connection';
import type { DeniedTenant } from './tenant-changes';
import type { CheckedTenant } from './types';

export interface ProbeTenantsOptions {
  api: Pick<XeroApiClient, 'getOrganisation'>;
  accessToken: string;
  tenants: Array<Pick<CheckedTenant, 'tenantId' | 'tenantName'>>;
  /** Only these are probed (e.g. the watch's chosen organisations). Default: all. */
  only?: (tenantId: string) => boolean;
  /** The call budget: housekeeping is not spent on an organisation in its reserve, and every answer's figures are recorded. */
  budget?: { mayUseForHousekeeping(tenantId: string): boolean; record(tenantId: string, reading: RateLimitReading): void };
  /** Reads Xero's rate-limit headers (src/xero's readRateLimits); without it nothing is recorded. */
  readLimits?: (headers: Record<string, string>) => RateLimitReading;
  classify?: Classify;
}

export interface ProbeTenantsResult {
  /** Organisations Xero refused for this token (403): input for detectTenantChanges. */
  denied: DeniedTenant[];
  /** Not probed: the day budget is down to its reserve, or this minute's is spent. */
  skipped: string[];
  /** Probes that failed for a passing reason (rate limit, Xero down): no change is concluded from them. */
  inconclusive: Array<{ tenantId: string; category: string }>;
}

/**
 * One GET Organisation per listed organisation, to tell "listed but unreachable" (a 403 for that
 * tenant) from reachable. One call each, one after another (Xero allows 5 concurrent per tenant,
 * but a watch has no hurry), never into an organisation's reserve.
 */
export async function probeTenants(options: ProbeTenantsOptions): Promise<ProbeTenantsResult> {
  const classify = options.classify ?? ((input: unknown) => classifyXeroError(input));
  const result: ProbeTenantsResult = { denied: [], skipped: [], inconclusive: [] };
  for (const tenant of options.tenants) {
    if (options.only && !options.only(tenant.tenantId)) continue;
    if (options.budget && !options.budget.mayUseForHousekeeping(tenant.tenantId)) {
      result.skipped.push(tenant.tenantId);
      continue;
    }
    let answer;
    try {
      answer = await options.api.getOrganisation(options.accessToken, tenant.tenantId);
    } catch (error) {
      result.inconclusive.push({ tenantId: tenant.tenantId, category: classify({ message: error instanceof Error ? error.message : String(error) }).category });
      continue;
    }
    if (options.readLimits) options.budget?.record(tenant.tenantId, options.readLimits(answer.response.headers));
    if (answer.ok) continue;
    const { status, headers, body } = answer.response;
    const problem = classify({ statusCode: status, headers, body, source: 'api' });
    if (status === 403) {
      result.denied.push({ tenantId: tenant.tenantId, reason: `Xero refused access to ${tenant.tenantName ?? tenant.tenantId} (403): ${problem.summary}` });
    } else {
      result.inconclusive.push({ tenantId: tenant.tenantId, category: problem.category });
    }
  }
  return result;
}
