import { systemClock, type Clock } from '../clock';
import { budgetLevel, budgetsFromNotes, resolveBudgetPolicy, type BudgetPolicy, type TenantBudget } from '../check/call-budget';
import { engineProblem } from '../check/check-connection';
import { classifyXeroError } from '../classify/classify';
import { connectionStatusOf, type ConnectionStatus, type ReportedState } from '../engine/connection-status';
import { resolvePolicy, type EnginePolicy } from '../engine/policy';
import { LedgerError, XeroGuardError } from '../errors';
import { hasChainNotes, type ConnectionRecord, type GrantKind, type Ledger } from '../ledger/types';
import { CHECK_NOTE, parseCheckNote, parseProblemNote, parseTenantsNote, PROBLEM_NOTE, TENANTS_NOTE } from './notes';

export type FleetState = ReportedState | 'unreadable';

export interface FleetOrganisation {
  tenantId: string;
  tenantName: string | null;
  tenantType: string;
  /** Calls left today for this organisation, when an answer reported it within the last 24 hours. */
  dayRemaining: number | null;
  dayLimit: number | null;
  budgetLevel: 'ok' | 'low' | 'reserve' | 'unknown';
}

/** One chain as an operator sees it. Built from the ledger alone; never holds a token. */
export interface FleetEntry {
  key: string;
  /** The user's name for the connection, or the best stand-in (see nameSource); what to show. */
  name: string;
  /** stored: the credential / config node name; organisations: made from the organisations it reaches; key: nothing better is known. */
  nameSource: 'stored' | 'organisations' | 'key';
  state: FleetState;
  reason: string | null;
  grant: GrantKind | null;
  /** As last seen by a check (null when no check has recorded them). */
  organisations: FleetOrganisation[] | null;
  organisationsSeenAt: string | null;
  accessTokenExpiresAt: string | null;
  accessTokenValid: boolean;
  lastRotationAt: string | null;
  refreshTokenIdleExpiresAt: string | null;
  daysLeftBeforeIdleExpiry: number | null;
  pendingRefreshSince: string | null;
  /** The classifier's category of the chain's current trouble, or of the last problem a check recorded. */
  lastErrorCategory: string | null;
  lastErrorAt: string | null;
  lastCheck: { at: string; status: string; category: string | null } | null;
  version: number;
  /** For unreadable chains: what is wrong and how to fix it (LEDGER_CORRUPT, LEDGER_WRONG_KEY). */
  problemCode: string | null;
}

export interface FleetListing {
  /** The ledger's own description, e.g. "file ledger at /home/node/.n8n/xero-guard". */
  ledger: string;
  listedAt: string;
  chains: FleetEntry[];
  /** Chains per state. */
  counts: Partial<Record<FleetState, number>>;
}

export interface ListFleetOptions {
  clock?: Clock;
  /** The timing rules the chains run under (idle limit, lease time); defaults as the engine's. */
  policy?: Partial<EnginePolicy>;
  budgetPolicy?: BudgetPolicy;
  /** Chains read at once. Default 8. */
  concurrency?: number;
  /** Called after each chain, for progress on large ledgers. */
  onProgress?: (done: number, total: number) => void;
  /** List only these chains (a view of its own credential's); those the ledger does not hold are left out. Default: every chain. */
  only?: readonly string[];
}

/**
 * Lists every chain the ledger holds (or those of `only`), read-only and without any call to Xero: each record's status as
 * the engine would report it (connectionStatusOf, from the record alone) plus the notes checks left
 * beside each chain. A chain that cannot be opened (damaged, another encryption key) is listed as
 * unreadable with the reason; a ledger that cannot be reached fails the whole listing.
 */
export async function listFleet(ledger: Ledger, options: ListFleetOptions = {}): Promise<FleetListing> {
  const reading = readingOf(options);
  const keys = options.only ? [...new Set(options.only)] : await ledger.keys();
  const chains: FleetEntry[] = new Array<FleetEntry>(keys.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      chains[index] = await describeChain(ledger, keys[index], reading);
      options.onProgress?.(++done, keys.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, keys.length)) }, worker));
  const listed = chains.filter((c) => c.state !== 'not_connected').sort(byName);
  const counts: Partial<Record<FleetState, number>> = {};
  for (const chain of listed) counts[chain.state] = (counts[chain.state] ?? 0) + 1;
  return { ledger: ledger.description, listedAt: new Date(reading.clock.now()).toISOString(), chains: listed, counts };
}

/** One chain as listFleet shows it (for a node that watches one credential); null when the ledger has no such chain. */
export async function fleetEntryOf(
  ledger: Ledger,
  key: string,
  options: Pick<ListFleetOptions, 'clock' | 'policy' | 'budgetPolicy'> = {},
): Promise<FleetEntry | null> {
  const entry = await describeChain(ledger, key, readingOf(options));
  return entry.state === 'not_connected' ? null : entry;
}

/** The rules a listing reads every chain under, resolved once. */
interface Reading {
  clock: Clock;
  policy: EnginePolicy;
  budgetPolicy: ReturnType<typeof resolveBudgetPolicy>;
}

function readingOf(options: Pick<ListFleetOptions, 'clock' | 'policy' | 'budgetPolicy'>): Reading {
  return { clock: options.clock ?? systemClock, policy: resolvePolicy(options.policy), budgetPolicy: resolveBudgetPolicy(options.budgetPolicy) };
}

async function describeChain(ledger: Ledger, key: string, reading: Reading): Promise<FleetEntry> {
  let record: ConnectionRecord | null;
  let notes: Record<string, unknown>;
  try {
    // Both at once: on a database ledger the listing costs about one round trip per chain, not two.
    [record, notes] = await Promise.all([ledger.read(key), hasChainNotes(ledger) ? ledger.readNotes(key) : {}]);
  } catch (error) {
    // Unreachable storage fails the listing; a single bad chain is shown as such.
    if (error instanceof LedgerError && error.code === 'LEDGER_UNAVAILABLE') throw error;
    return unreadable(key, error, reading);
  }
  const now = reading.clock.now();
  return entryOf(connectionStatusOf(key, record, now, reading.policy), notes, now, reading);
}

/** A chain as the listing shows it: its status and the notes checks left beside it. */
function entryOf(status: ConnectionStatus, notes: Record<string, unknown>, now: number, reading: Reading): FleetEntry {
  const { key } = status;
  const seen = parseTenantsNote(notes[TENANTS_NOTE]);
  const check = parseCheckNote(notes[CHECK_NOTE]);
  const problem = parseProblemNote(notes[PROBLEM_NOTE]);
  const budgets = new Map<string, TenantBudget>(budgetsFromNotes(notes).map((b) => [b.tenantId, b]));
  const organisations = seen
    ? seen.tenants.map((t) => {
        const level = budgetLevel(budgets.get(t.tenantId) ?? null, now, reading.budgetPolicy);
        return { ...t, dayRemaining: level.dayRemaining, dayLimit: level.dayLimit, budgetLevel: level.level };
      })
    : null;
  const { name, nameSource } = fleetNameOf(key, status.displayName, organisations);
  const lastError = lastErrorOf(status, problem);
  return {
    key,
    name,
    nameSource,
    state: status.state,
    reason: status.reason,
    grant: status.grant,
    organisations,
    organisationsSeenAt: seen ? iso(seen.at) : null,
    accessTokenExpiresAt: iso(status.accessTokenExpiresAt),
    accessTokenValid: status.accessTokenValid,
    lastRotationAt: iso(status.lastRotationAt),
    refreshTokenIdleExpiresAt: iso(status.refreshTokenIdleExpiresAt),
    daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
    pendingRefreshSince: iso(status.pendingRefreshSince),
    lastErrorCategory: lastError?.category ?? null,
    lastErrorAt: lastError ? iso(lastError.at) : null,
    lastCheck: check ? { at: iso(check.at) as string, status: check.status, category: check.category } : null,
    version: status.version,
    problemCode: null,
  };
}

/** A chain that needs a human carries the category its state stands for; otherwise the last problem a check saw. */
function lastErrorOf(status: ConnectionStatus, problem: { at: number; category: string } | null): { category: string; at: number | null } | null {
  const code =
    status.state === 'needs_reauth' ? 'NEEDS_REAUTH' : status.state === 'misconfigured' ? 'MISCONFIGURED' : status.state === 'superseded' ? 'SUPERSEDED' : null;
  if (code) {
    const category = categoryOfState(code);
    const changedAt = [...status.history].reverse().find((h) => h.to === status.state)?.at ?? null;
    return { category, at: changedAt };
  }
  return problem;
}

const STATE_CATEGORIES = new Map<string, string>();

/** The category a stored state stands for is the same for every chain in it: classified once. */
function categoryOfState(code: 'NEEDS_REAUTH' | 'MISCONFIGURED' | 'SUPERSEDED'): string {
  let category = STATE_CATEGORIES.get(code);
  if (category === undefined) {
    category = engineProblem({ code, message: code }, (input) => classifyXeroError(input)).problem.category;
    STATE_CATEGORIES.set(code, category);
  }
  return category;
}

/** Never the internal key when anything better is known. */
export function fleetNameOf(
  key: string,
  displayName: string | null,
  organisations: Array<{ tenantName: string | null; tenantId: string }> | null,
): { name: string; nameSource: FleetEntry['nameSource'] } {
  if (displayName) return { name: displayName, nameSource: 'stored' };
  const names = (organisations ?? []).map((o) => o.tenantName ?? o.tenantId);
  if (names.length > 0) {
    const shown = names.slice(0, 2).join(', ') + (names.length > 2 ? ` and ${names.length - 2} more` : '');
    return { name: `Xero: ${shown}`, nameSource: 'organisations' };
  }
  return { name: key, nameSource: 'key' };
}

/** A chain whose record cannot be opened: the entry of a chain with nothing to read, marked unreadable with the reason. */
function unreadable(key: string, error: unknown, reading: Reading): FleetEntry {
  const known = error instanceof XeroGuardError;
  const now = reading.clock.now();
  return {
    ...entryOf(connectionStatusOf(key, null, now, reading.policy), {}, now, reading),
    state: 'unreadable',
    // Only our own errors are shown whole: they are written never to carry a token.
    reason: known ? error.message : 'The ledger entry could not be read.',
    problemCode: known ? error.code : 'UNKNOWN',
  };
}

// One collator for the whole sort: localeCompare with options builds a new one per comparison.
const NAMES = new Intl.Collator('en', { sensitivity: 'base' });

function byName(a: FleetEntry, b: FleetEntry): number {
  return NAMES.compare(a.name, b.name) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
