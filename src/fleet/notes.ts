import { systemClock, type Clock } from '../clock';
import type { CheckResult } from '../check/types';
import type { ChainNotes } from '../ledger/types';

/** Ledger notes fields written beside a chain by checks (see ChainNotes); the budget's are in check/call-budget. */
export const TENANTS_NOTE = 'tenants';
export const CHECK_NOTE = 'check';
export const PROBLEM_NOTE = 'problem';

export interface TenantsNote {
  /** Epoch ms of the /connections answer. */
  at: number;
  tenants: Array<{ tenantId: string; tenantName: string | null; tenantType: string }>;
}

export interface CheckNote {
  at: number;
  status: CheckResult['status'];
  category: string | null;
}

export interface ProblemNote {
  at: number;
  category: string;
  summary: string;
}

/**
 * Keeps what a check learned beside the chain, for the fleet listing: the organisations (only when
 * /connections answered), the outcome, and the last problem. Notes only: no version, no lease.
 */
export async function recordCheck(
  notes: ChainNotes,
  key: string,
  result: Pick<CheckResult, 'status' | 'tenants' | 'problem'>,
  clock: Clock = systemClock,
): Promise<void> {
  const at = clock.now();
  const fields: Record<string, unknown> = {};
  const category = result.status === 'connected' ? null : (result.problem?.category ?? 'unknown');
  fields[CHECK_NOTE] = { at, status: result.status, category } satisfies CheckNote;
  // An empty list after a failure says nothing about the organisations; after a success it means none are left.
  if (result.tenants.length > 0 || result.status === 'connected' || result.problem?.category === 'access_revoked') {
    fields[TENANTS_NOTE] = {
      at,
      tenants: result.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, tenantType: t.tenantType })),
    } satisfies TenantsNote;
  }
  if (category !== null) fields[PROBLEM_NOTE] = { at, category, summary: result.problem?.summary ?? '' } satisfies ProblemNote;
  await notes.writeNotes(key, fields);
}

export function parseTenantsNote(value: unknown): TenantsNote | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<TenantsNote>;
  if (typeof v.at !== 'number' || !Array.isArray(v.tenants)) return null;
  const tenants = v.tenants
    .filter((t) => !!t && typeof t.tenantId === 'string')
    .map((t) => ({
      tenantId: t.tenantId,
      tenantName: typeof t.tenantName === 'string' ? t.tenantName : null,
      tenantType: typeof t.tenantType === 'string' ? t.tenantType : 'ORGANISATION',
    }));
  return { at: v.at, tenants };
}

export function parseCheckNote(value: unknown): CheckNote | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<CheckNote>;
  if (typeof v.at !== 'number' || (v.status !== 'connected' && v.status !== 'disconnected' && v.status !== 'degraded')) return null;
  return { at: v.at, status: v.status, category: typeof v.category === 'string' ? v.category : null };
}

export function parseProblemNote(value: unknown): ProblemNote | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<ProblemNote>;
  if (typeof v.at !== 'number' || typeof v.category !== 'string') return null;
  return { at: v.at, category: v.category, summary: typeof v.summary === 'string' ? v.summary : '' };
}
