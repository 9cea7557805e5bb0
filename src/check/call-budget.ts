import { systemClock, type Clock } from '../clock';
import type { ChainNotes } from '../ledger/types';
import { parseXeroTier, XERO_TIER_IDS, XERO_TIERS, type XeroTier } from '../xero-tiers';

/**
 * What Xero's X-DayLimit-Remaining, X-MinLimit-Remaining and X-AppMinLimit-Remaining headers say.
 * Structurally the same as src/xero's XeroLimits (readRateLimits(headers)): pass that straight in.
 */
/** One answer's remaining calls, as src/xero's readRateLimits gives them (null or absent: the answer did not say). */
export interface RateLimitReading {
  dayRemaining?: number | null;
  minuteRemaining?: number | null;
  appMinuteRemaining?: number | null;
}

/** One organisation's call budget as last seen, as kept in the ledger beside the chain. */
export interface TenantBudget {
  tenantId: string;
  dayRemaining: number | null;
  minuteRemaining: number | null;
  /** Per app, not per organisation, but reported on every answer: kept with the tenant it came with. */
  appMinuteRemaining: number | null;
  /**
   * The organisation's calls per day: configured (a `dayLimit` given), the app's tier (its day limit, until
   * an answer shows more left than the tier allows), or learned (the most ever left, plus the call that reported it).
   */
  dayLimit: number | null;
  dayLimitSource: 'configured' | 'tier' | 'learned' | null;
  /** Epoch ms of the answer that carried the day figure. */
  dayObservedAt: number | null;
  /** Epoch ms of the answer that carried the minute figures. */
  minuteObservedAt: number | null;
}

export interface BudgetPolicy {
  /** The organisation's daily limit when known, fixed whatever the headers say. Default (null): the tier's, else learned from the headers. */
  dayLimit?: number | null;
  /**
   * The app's Xero tier (src/xero-tiers.ts): its day limit (Starter 1,000; the others 5,000) stands until
   * Xero's headers show more calls left than it allows, then the learned limit takes over. Default (null): learned only.
   */
  tier?: XeroTier | null;
  /** Warn when less than this share of the day limit is left. Default 0.1 (10%). */
  warnFraction?: number;
  /** After a warning, recovered once at least this share is left again (above warnFraction, so it cannot flap). Default 0.2. */
  recoverFraction?: number;
  /** Housekeeping (checks, keep-alive probes) stops when this share or less is left. Default 0.02 (at least 1 call). */
  reserveFraction?: number;
}

export interface ResolvedBudgetPolicy {
  dayLimit: number | null;
  tier: XeroTier | null;
  /** The tier's day limit (null without a tier). */
  tierDayLimit: number | null;
  warnFraction: number;
  recoverFraction: number;
  reserveFraction: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Ledger notes field of one organisation's budget: one field per tenant, so writers of different tenants never clobber each other. */
export const BUDGET_NOTE_PREFIX = 'budget:';

export function resolveBudgetPolicy(policy: BudgetPolicy = {}): ResolvedBudgetPolicy {
  const fraction = (name: keyof BudgetPolicy, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
      throw new RangeError(`Call budget "${name}" must be a share between 0 and 1, such as 0.1 for 10% (got ${JSON.stringify(value)}).`);
    }
    return value;
  };
  if (policy.dayLimit !== undefined && policy.dayLimit !== null && (!Number.isInteger(policy.dayLimit) || policy.dayLimit < 1)) {
    throw new RangeError(`Call budget "dayLimit" must be a whole number of calls per day, such as 1000 (got ${JSON.stringify(policy.dayLimit)}).`);
  }
  const tier = policy.tier === undefined || policy.tier === null ? null : parseXeroTier(policy.tier);
  if (tier === null && policy.tier !== undefined && policy.tier !== null) {
    throw new RangeError(`Call budget "tier" must be one of Xero's tiers (${XERO_TIER_IDS.join(', ')}) (got ${JSON.stringify(policy.tier)}).`);
  }
  const warnFraction = fraction('warnFraction', policy.warnFraction, 0.1);
  const recoverFraction = fraction('recoverFraction', policy.recoverFraction, Math.min(0.99, Math.max(0.2, warnFraction * 2)));
  if (recoverFraction < warnFraction) {
    throw new RangeError(`Call budget "recoverFraction" (${recoverFraction}) must not be below "warnFraction" (${warnFraction}).`);
  }
  return {
    dayLimit: policy.dayLimit ?? null,
    tier,
    tierDayLimit: tier === null ? null : XERO_TIERS[tier].dayLimit,
    warnFraction,
    recoverFraction,
    reserveFraction: fraction('reserveFraction', policy.reserveFraction, 0.02),
  };
}

/** Pure: folds one answer's figures into the organisation's budget. Figures an answer lacks keep their last value. */
export function applyReading(
  previous: TenantBudget | null,
  tenantId: string,
  reading: RateLimitReading,
  now: number,
  policy: ResolvedBudgetPolicy,
): TenantBudget {
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined);
  const day = count(reading.dayRemaining);
  const minute = count(reading.minuteRemaining);
  const appMinute = count(reading.appMinuteRemaining);
  const base: TenantBudget = previous ?? {
    tenantId,
    dayRemaining: null,
    minuteRemaining: null,
    appMinuteRemaining: null,
    dayLimit: null,
    dayLimitSource: null,
    dayObservedAt: null,
    minuteObservedAt: null,
  };
  const next: TenantBudget = { ...base, tenantId };
  if (day !== undefined) {
    next.dayRemaining = day;
    next.dayObservedAt = now;
  }
  if (minute !== undefined || appMinute !== undefined) {
    if (minute !== undefined) next.minuteRemaining = minute;
    if (appMinute !== undefined) next.appMinuteRemaining = appMinute;
    next.minuteObservedAt = now;
  }
  if (day !== undefined && policy.dayLimit === null) {
    // The call that reported the figure was itself counted, hence + 1; the limit never shrinks by learning.
    next.dayLimit = Math.max(base.dayLimitSource === 'learned' ? (base.dayLimit ?? 0) : 0, day + 1);
    next.dayLimitSource = 'learned';
  }
  return policy.dayLimit === null && policy.tierDayLimit === null ? next : { ...next, ...dayLimitOf(next, policy) };
}

/** Xero's day window rolls over 24 hours: a day figure older than that says nothing any more. */
export function currentDayRemaining(budget: TenantBudget, now: number): number | null {
  if (budget.dayRemaining === null || budget.dayObservedAt === null || now - budget.dayObservedAt >= DAY_MS) return null;
  return budget.dayRemaining;
}

export interface BudgetLevel {
  /** ok, low (under the warning threshold), or reserve (the last calls, kept for the user's own work). */
  level: 'ok' | 'low' | 'reserve' | 'unknown';
  dayRemaining: number | null;
  dayLimit: number | null;
  /** Fewer than this left is "low". */
  warnBelow: number | null;
  /** At least this left again ends "low". */
  recoverAt: number | null;
  /** This many or fewer left is the reserve. */
  reserve: number | null;
}

/**
 * Pure: the organisation's day limit under this policy, and where it comes from: a configured limit; else
 * the tier's, unless the headers have shown more left than it allows; else what the headers taught. A stored
 * budget written under another setting (a tier since changed) is read under this one.
 */
export function dayLimitOf(
  budget: TenantBudget | null,
  policy: ResolvedBudgetPolicy,
): { dayLimit: number | null; dayLimitSource: TenantBudget['dayLimitSource'] } {
  if (policy.dayLimit !== null) return { dayLimit: policy.dayLimit, dayLimitSource: 'configured' };
  const learned = budget?.dayLimitSource === 'learned' ? budget.dayLimit : null;
  if (policy.tierDayLimit !== null && (learned ?? 0) <= policy.tierDayLimit) return { dayLimit: policy.tierDayLimit, dayLimitSource: 'tier' };
  return { dayLimit: budget?.dayLimit ?? null, dayLimitSource: budget?.dayLimitSource ?? null };
}

/** Pure: where the organisation stands. `wasLow` applies the recovery threshold (hysteresis) to a budget already reported low. */
export function budgetLevel(budget: TenantBudget | null, now: number, policy: ResolvedBudgetPolicy, wasLow = false): BudgetLevel {
  const limit = dayLimitOf(budget, policy).dayLimit;
  const remaining = budget ? currentDayRemaining(budget, now) : null;
  if (limit === null || remaining === null)
    return { level: 'unknown', dayRemaining: remaining, dayLimit: limit, warnBelow: null, recoverAt: null, reserve: null };
  const warnBelow = Math.ceil(limit * policy.warnFraction);
  const recoverAt = Math.max(warnBelow, Math.ceil(limit * policy.recoverFraction));
  const reserve = Math.max(1, Math.ceil(limit * policy.reserveFraction));
  const low = wasLow ? remaining < recoverAt : remaining < warnBelow;
  const level = remaining <= reserve ? 'reserve' : low ? 'low' : 'ok';
  return { level, dayRemaining: remaining, dayLimit: limit, warnBelow, recoverAt, reserve };
}

/**
 * Pure: may a housekeeping call (a check, a keep-alive probe) be spent on this organisation now?
 * No when the day budget is down to the reserve, or the minute budget is spent within this minute.
 * Unknown budgets allow it: the first call is what tells us.
 */
export function mayUseForHousekeeping(budget: TenantBudget | null, now: number, policy: ResolvedBudgetPolicy): boolean {
  if (!budget) return true;
  if (budgetLevel(budget, now, policy).level === 'reserve') return false;
  const minuteFresh = budget.minuteObservedAt !== null && now - budget.minuteObservedAt < MINUTE_MS;
  return !(minuteFresh && (budget.minuteRemaining === 0 || budget.appMinuteRemaining === 0));
}

/**
 * One organisation's call budget as every host reports it (n8n's Check Connection `callBudget`,
 * Node-RED's check `msg.payload.budget`): one shape, so a flow reads the same fields on either host.
 */
export interface BudgetReport {
  tenantId: string;
  /** The organisation's name as the check listed it, when known. */
  tenantName: string | null;
  level: BudgetLevel['level'];
  /** Calls left in Xero's rolling day; null once the last figure is older than that day (it says nothing any more). */
  dayRemaining: number | null;
  dayLimit: number | null;
  dayLimitSource: TenantBudget['dayLimitSource'];
  /** Fewer than this left is "low". */
  warnBelow: number | null;
  /** This many or fewer left are kept for the user's own work: housekeeping stops. */
  reserve: number | null;
  minuteRemaining: number | null;
  appMinuteRemaining: number | null;
  /** ISO time of the answer that carried the day figure. */
  observedAt: string | null;
  /** The same, as epoch ms, with the minute figures' own time. */
  dayObservedAt: number | null;
  minuteObservedAt: number | null;
}

/** Pure: every organisation's budget as a check reports it, named when `names` knows the organisation. */
export function budgetReport(
  budgets: TenantBudget[],
  options: { now: number; policy: ResolvedBudgetPolicy; names?: Record<string, string | null> },
): BudgetReport[] {
  return budgets.map((b) => {
    const level = budgetLevel(b, options.now, options.policy);
    return {
      tenantId: b.tenantId,
      tenantName: options.names?.[b.tenantId] ?? null,
      level: level.level,
      dayRemaining: level.dayRemaining,
      dayLimit: level.dayLimit,
      dayLimitSource: dayLimitOf(b, options.policy).dayLimitSource,
      warnBelow: level.warnBelow,
      reserve: level.reserve,
      minuteRemaining: b.minuteRemaining,
      appMinuteRemaining: b.appMinuteRemaining,
      observedAt: b.dayObservedAt === null ? null : new Date(b.dayObservedAt).toISOString(),
      dayObservedAt: b.dayObservedAt,
      minuteObservedAt: b.minuteObservedAt,
    };
  });
}

export interface BudgetEvent {
  kind: 'budget_low' | 'budget_recovered';
  tenantId: string;
  tenantName: string | null;
  dayRemaining: number | null;
  dayLimit: number | null;
  /** The threshold crossed: warnBelow for budget_low, recoverAt for budget_recovered. */
  threshold: number | null;
  at: string;
}

/** What a watcher remembers between polls, per organisation (JSON-safe, for n8n static data). */
export type BudgetWatchState = Record<string, { low: boolean; since: string }>;

/**
 * Pure: one event per organisation whose budget crossed the threshold since the watcher last
 * looked (budget_low once, budget_recovered once), none while nothing changes. A watcher that
 * starts on an organisation already low reports it once.
 */
export function detectBudgetChanges(
  previous: BudgetWatchState | null | undefined,
  budgets: TenantBudget[],
  options: { now: number; policy?: BudgetPolicy; names?: Record<string, string | null>; only?: (tenantId: string) => boolean },
): { events: BudgetEvent[]; state: BudgetWatchState } {
  const policy = resolveBudgetPolicy(options.policy);
  const prev = previous && typeof previous === 'object' ? previous : {};
  const at = new Date(options.now).toISOString();
  const state: BudgetWatchState = {};
  const events: BudgetEvent[] = [];
  for (const budget of budgets) {
    if (options.only && !options.only(budget.tenantId)) continue;
    const before = prev[budget.tenantId];
    const wasLow = before?.low === true;
    const level = budgetLevel(budget, options.now, policy, wasLow);
    const low = level.level === 'low' || level.level === 'reserve';
    state[budget.tenantId] = { low, since: before && before.low === low ? before.since : at };
    if (low === wasLow) continue;
    events.push({
      kind: low ? 'budget_low' : 'budget_recovered',
      tenantId: budget.tenantId,
      tenantName: options.names?.[budget.tenantId] ?? null,
      dayRemaining: level.dayRemaining,
      dayLimit: level.dayLimit,
      threshold: low ? level.warnBelow : level.recoverAt,
      at,
    });
  }
  // Organisations no longer reported keep their memory, so a gap in the readings is not a recovery.
  for (const [tenantId, entry] of Object.entries(prev)) if (!(tenantId in state) && isWatchEntry(entry)) state[tenantId] = entry;
  return { events, state };
}

function isWatchEntry(value: unknown): value is { low: boolean; since: string } {
  return (
    !!value && typeof value === 'object' && typeof (value as { low?: unknown }).low === 'boolean' && typeof (value as { since?: unknown }).since === 'string'
  );
}

/** Reads a stored budget note; anything malformed (an older or damaged note) reads as no budget. */
export function parseBudgetNote(tenantId: string, value: unknown): TenantBudget | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const source = v.dayLimitSource === 'configured' || v.dayLimitSource === 'tier' || v.dayLimitSource === 'learned' ? v.dayLimitSource : null;
  return {
    tenantId,
    dayRemaining: num(v.dayRemaining),
    minuteRemaining: num(v.minuteRemaining),
    appMinuteRemaining: num(v.appMinuteRemaining),
    dayLimit: num(v.dayLimit),
    dayLimitSource: source,
    dayObservedAt: num(v.dayObservedAt),
    minuteObservedAt: num(v.minuteObservedAt),
  };
}

/** Every organisation's budget stored for a chain. */
export async function readBudgets(notes: ChainNotes, key: string): Promise<TenantBudget[]> {
  return budgetsFromNotes(await notes.readNotes(key));
}

export function budgetsFromNotes(notes: Record<string, unknown>): TenantBudget[] {
  const budgets: TenantBudget[] = [];
  for (const [field, value] of Object.entries(notes)) {
    if (!field.startsWith(BUDGET_NOTE_PREFIX)) continue;
    const budget = parseBudgetNote(field.slice(BUDGET_NOTE_PREFIX.length), value);
    if (budget) budgets.push(budget);
  }
  return budgets.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
}

export interface CallBudgetOptions {
  /** Where budgets are kept: the chain's ledger (every built-in ledger keeps notes). */
  notes: ChainNotes;
  /** The chain's connection key. */
  key: string;
  clock?: Clock;
  policy?: BudgetPolicy;
  /** A tenant's budget is written at most this often, except when its level changes. Default 10 s. */
  persistEveryMs?: number;
  /** Called once per crossing this tracker sees (budget_low, budget_recovered). */
  onEvent?: (event: BudgetEvent) => void;
  /** A failed write of a budget never fails the Xero call that produced it; it is reported here. */
  onError?: (error: unknown) => void;
}

/**
 * One chain's call budgets, per organisation. `record` is synchronous and in memory, called on every
 * Xero answer; budgets reach the ledger's notes (never the chain record, so no version bump and no
 * lease) at most every `persistEveryMs` per tenant, at once when a level changes, and on flush().
 */
export class CallBudget {
  readonly policy: ResolvedBudgetPolicy;
  private readonly notes: ChainNotes;
  private readonly key: string;
  private readonly clock: Clock;
  private readonly persistEveryMs: number;
  private readonly onEvent?: (event: BudgetEvent) => void;
  private readonly onError: (error: unknown) => void;
  private readonly budgets = new Map<string, TenantBudget>();
  private readonly lastWritten = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private watch: BudgetWatchState = {};
  private writing: Promise<void> = Promise.resolve();

  constructor(options: CallBudgetOptions) {
    this.notes = options.notes;
    this.key = options.key;
    this.clock = options.clock ?? systemClock;
    this.policy = resolveBudgetPolicy(options.policy);
    this.persistEveryMs = options.persistEveryMs ?? 10_000;
    this.onEvent = options.onEvent;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Takes what other processes stored; the newer figure of each tenant wins. */
  async load(): Promise<void> {
    for (const stored of await readBudgets(this.notes, this.key)) {
      const mine = this.budgets.get(stored.tenantId);
      if (!mine || (stored.dayObservedAt ?? 0) > (mine.dayObservedAt ?? 0)) this.budgets.set(stored.tenantId, mine ? mergeNewer(mine, stored) : stored);
    }
  }

  /** Folds one Xero answer's rate-limit figures in. Never throws, never waits. */
  record(tenantId: string, reading: RateLimitReading): void {
    // An answer that names no figure (an error page, /connections) says nothing about the budget.
    const said = [reading.dayRemaining, reading.minuteRemaining, reading.appMinuteRemaining].some((v) => typeof v === 'number');
    if (!tenantId || !said) return;
    const now = this.clock.now();
    const next = applyReading(this.budgets.get(tenantId) ?? null, tenantId, reading, now, this.policy);
    this.budgets.set(tenantId, next);
    this.dirty.add(tenantId);
    const { events, state } = detectBudgetChanges(this.watch, [next], { now, policy: this.policy });
    this.watch = { ...this.watch, ...state };
    for (const event of events) this.onEvent?.(event);
    const due = now - (this.lastWritten.get(tenantId) ?? -Infinity) >= this.persistEveryMs;
    if (events.length > 0 || due) void this.persist([tenantId]);
  }

  budget(tenantId: string): TenantBudget | null {
    const budget = this.budgets.get(tenantId);
    return budget ? { ...budget } : null;
  }

  all(): TenantBudget[] {
    return [...this.budgets.values()].map((b) => ({ ...b })).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }

  level(tenantId: string): BudgetLevel {
    return budgetLevel(this.budgets.get(tenantId) ?? null, this.clock.now(), this.policy, this.watch[tenantId]?.low === true);
  }

  mayUseForHousekeeping(tenantId: string): boolean {
    return mayUseForHousekeeping(this.budgets.get(tenantId) ?? null, this.clock.now(), this.policy);
  }

  /** Writes every budget not yet written; resolves when the ledger has them. */
  async flush(): Promise<void> {
    await this.persist([...this.dirty]);
  }

  private persist(tenantIds: string[]): Promise<void> {
    const fields: Record<string, unknown> = {};
    const now = this.clock.now();
    for (const tenantId of tenantIds) {
      const budget = this.budgets.get(tenantId);
      if (!budget || !this.dirty.has(tenantId)) continue;
      const { tenantId: _id, ...stored } = budget;
      fields[`${BUDGET_NOTE_PREFIX}${tenantId}`] = stored;
      this.dirty.delete(tenantId);
      this.lastWritten.set(tenantId, now);
    }
    if (Object.keys(fields).length === 0) return this.writing;
    // Writes go one after another, so an older figure never lands after a newer one from this process.
    this.writing = this.writing
      .then(() => this.notes.writeNotes(this.key, fields))
      .catch((error: unknown) => {
        for (const field of Object.keys(fields)) this.dirty.add(field.slice(BUDGET_NOTE_PREFIX.length));
        this.onError(error);
      });
    return this.writing;
  }
}

function mergeNewer(mine: TenantBudget, stored: TenantBudget): TenantBudget {
  const learned =
    mine.dayLimitSource === 'learned' && stored.dayLimitSource === 'learned' ? Math.max(mine.dayLimit ?? 0, stored.dayLimit ?? 0) : stored.dayLimit;
  return { ...stored, dayLimit: learned, dayLimitSource: stored.dayLimitSource ?? mine.dayLimitSource };
}
