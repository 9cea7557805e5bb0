import { ManualClock } from '../../../src/clock';
import {
  applyReading,
  budgetLevel,
  budgetReport,
  CallBudget,
  dayLimitOf,
  detectBudgetChanges,
  mayUseForHousekeeping,
  readBudgets,
  resolveBudgetPolicy,
  type BudgetEvent,
  type BudgetWatchState,
  type RateLimitReading,
  type TenantBudget,
} from '../../../src/check/call-budget';
import { MemoryLedger, type ChainNotes } from '../../../src/ledger';

const T = 'tenant-a';
const KEY = 'xero:client:chain';
const DEFAULTS = resolveBudgetPolicy();

/** What src/xero's readRateLimits returns (XeroLimits): the structural type must accept it as is. */
interface XeroLimitsShape {
  dayRemaining?: number;
  minuteRemaining?: number;
  appMinuteRemaining?: number;
  retryAfterSeconds?: number;
  problem?: string;
}

function spend(budget: TenantBudget | null, day: number, now: number, policy = DEFAULTS): TenantBudget {
  return applyReading(budget, T, { dayRemaining: day, minuteRemaining: 59, appMinuteRemaining: 9999 }, now, policy);
}

describe('call budget: pure parts', () => {
  test('learns the day limit from the first answer of the day and never lowers it', () => {
    let b = spend(null, 999, 0);
    expect(b).toMatchObject({ dayRemaining: 999, dayLimit: 1000, dayLimitSource: 'learned' });
    b = spend(b, 500, 1);
    expect(b.dayLimit).toBe(1000);
  });

  test('a configured tier limit wins over learning', () => {
    const policy = resolveBudgetPolicy({ dayLimit: 5000 });
    expect(spend(null, 100, 0, policy)).toMatchObject({ dayLimit: 5000, dayLimitSource: 'configured' });
  });

  test('figures an answer lacks keep their last value (e.g. /connections carries only the app minute figure)', () => {
    const b = applyReading(spend(null, 700, 0), T, { appMinuteRemaining: 42 }, 5, DEFAULTS);
    expect(b).toMatchObject({ dayRemaining: 700, appMinuteRemaining: 42, minuteRemaining: 59, dayObservedAt: 0, minuteObservedAt: 5 });
  });

  test('accepts src/xero XeroLimits values as they are (structural type)', () => {
    const limits: XeroLimitsShape = { dayRemaining: 10, minuteRemaining: 1, retryAfterSeconds: 3 };
    const reading: RateLimitReading = limits;
    expect(applyReading(null, T, reading, 0, DEFAULTS).dayRemaining).toBe(10);
  });

  test('ignores nonsense figures', () => {
    const b = applyReading(null, T, { dayRemaining: -3, minuteRemaining: Number.NaN }, 0, DEFAULTS);
    expect(b).toMatchObject({ dayRemaining: null, minuteRemaining: null, dayLimit: null });
  });

  test('levels: ok, low under 10 %, reserve at the last 2 %; a day figure older than 24 h says nothing', () => {
    const at = (left: number) => budgetLevel({ ...spend(null, 999, 0), dayRemaining: left }, 1, DEFAULTS).level;
    expect([at(500), at(100), at(99), at(21), at(20), at(0)]).toEqual(['ok', 'ok', 'low', 'low', 'reserve', 'reserve']);
    expect(budgetLevel({ ...spend(null, 999, 0), dayRemaining: 5 }, 86_400_000, DEFAULTS).level).toBe('unknown');
  });

  test('housekeeping is refused under the reserve and while the minute budget is spent, allowed otherwise', () => {
    const b = spend(null, 999, 0);
    expect(mayUseForHousekeeping(b, 1, DEFAULTS)).toBe(true);
    expect(mayUseForHousekeeping({ ...b, dayRemaining: 20 }, 1, DEFAULTS)).toBe(false);
    expect(mayUseForHousekeeping({ ...b, dayRemaining: 21 }, 1, DEFAULTS)).toBe(true);
    expect(mayUseForHousekeeping({ ...b, minuteRemaining: 0 }, 1, DEFAULTS)).toBe(false);
    expect(mayUseForHousekeeping({ ...b, appMinuteRemaining: 0 }, 1, DEFAULTS)).toBe(false);
    // The minute has passed: the minute figure no longer applies.
    expect(mayUseForHousekeeping({ ...b, minuteRemaining: 0 }, 60_000, DEFAULTS)).toBe(true);
    expect(mayUseForHousekeeping(null, 1, DEFAULTS)).toBe(true);
  });

  test('bad policies are refused with the option named', () => {
    expect(() => resolveBudgetPolicy({ warnFraction: 10 })).toThrow(/warnFraction.*0\.1 for 10%/);
    expect(() => resolveBudgetPolicy({ dayLimit: 0 })).toThrow(/dayLimit/);
    expect(() => resolveBudgetPolicy({ warnFraction: 0.3, recoverFraction: 0.2 })).toThrow(/recoverFraction/);
  });
});

describe('call budget: the app tier', () => {
  const STARTER = resolveBudgetPolicy({ tier: 'starter' });
  const CORE = resolveBudgetPolicy({ tier: 'core' });

  test('no tier keeps the learned limit as before; a tier names its day limit', () => {
    expect(DEFAULTS).toMatchObject({ dayLimit: null, tier: null, tierDayLimit: null });
    expect([STARTER.tierDayLimit, CORE.tierDayLimit, resolveBudgetPolicy({ tier: 'enterprise' }).tierDayLimit]).toEqual([1000, 5000, 5000]);
    expect(spend(null, 4999, 0)).toMatchObject({ dayLimit: 5000, dayLimitSource: 'learned' });
  });

  test("at Starter the tier's 1,000 holds from the first answer, and the thresholds are Starter's", () => {
    const b = spend(null, 950, 0, STARTER);
    expect(b).toMatchObject({ dayRemaining: 950, dayLimit: 1000, dayLimitSource: 'tier' });
    expect(budgetLevel({ ...b, dayRemaining: 99 }, 1, STARTER)).toMatchObject({ level: 'low', dayLimit: 1000, warnBelow: 100, reserve: 20 });
    // Before any answer the limit is known, the level is not.
    expect(budgetLevel(null, 1, STARTER)).toMatchObject({ level: 'unknown', dayLimit: 1000 });
  });

  test("Xero's headers win once they show more left than the tier allows, and the limit never falls back to the tier's", () => {
    let b = spend(null, 4999, 0, STARTER);
    expect(b).toMatchObject({ dayLimit: 5000, dayLimitSource: 'learned' });
    b = spend(b, 300, 1, STARTER);
    expect(b).toMatchObject({ dayLimit: 5000, dayLimitSource: 'learned' });
    // Fewer left than the tier allows says nothing against it: Core's 5,000 stands.
    expect(spend(null, 800, 0, CORE)).toMatchObject({ dayLimit: 5000, dayLimitSource: 'tier' });
  });

  test('a budget stored under another setting is read under this one; a configured limit wins over the tier', () => {
    const learnedBefore = spend(null, 800, 0);
    expect(dayLimitOf(learnedBefore, CORE)).toEqual({ dayLimit: 5000, dayLimitSource: 'tier' });
    const atStarter = spend(null, 800, 0, STARTER);
    expect(dayLimitOf(atStarter, CORE)).toEqual({ dayLimit: 5000, dayLimitSource: 'tier' });
    expect(budgetReport([atStarter], { now: 1, policy: CORE })[0]).toMatchObject({ dayLimit: 5000, dayLimitSource: 'tier', level: 'ok' });
    expect(dayLimitOf(atStarter, DEFAULTS)).toEqual({ dayLimit: 1000, dayLimitSource: 'tier' });
    const configured = resolveBudgetPolicy({ tier: 'starter', dayLimit: 2000 });
    expect(spend(null, 1500, 0, configured)).toMatchObject({ dayLimit: 2000, dayLimitSource: 'configured' });
  });

  test("takes a tier in Xero's own case and refuses anything else, naming the tiers", () => {
    expect(resolveBudgetPolicy({ tier: 'Starter' as never }).tier).toBe('starter');
    expect(() => resolveBudgetPolicy({ tier: 'gold' as never })).toThrow(
      'Call budget "tier" must be one of Xero\'s tiers (starter, core, plus, advanced, enterprise) (got "gold").',
    );
  });
});

describe('detectBudgetChanges', () => {
  const run = (days: number[], now = 1) => {
    let state: BudgetWatchState | null = null;
    let budget: TenantBudget | null = null;
    return days.map((day) => {
      budget = spend(budget, day, now);
      const result = detectBudgetChanges(state, [budget], { now, names: { [T]: 'Client A Ltd' } });
      state = result.state;
      return result.events;
    });
  };

  test('warns once when the day budget falls under 10 %, once when it recovers, silent in between', () => {
    const events = run([999, 500, 101, 100, 99, 60, 20, 5, 150, 199, 200, 900, 950]);
    const flat = events.flat();
    expect(flat.map((e) => e.kind)).toEqual(['budget_low', 'budget_recovered']);
    expect(events[4]).toEqual([expect.objectContaining({ kind: 'budget_low', tenantName: 'Client A Ltd', dayRemaining: 99, dayLimit: 1000, threshold: 100 })]);
    // Hysteresis: 150 and 199 are still "low"; recovered at 20 % (200).
    expect(events[10]).toEqual([expect.objectContaining({ kind: 'budget_recovered', dayRemaining: 200, threshold: 200 })]);
  });

  test('a watcher started on a low budget reports it once', () => {
    const budget = { ...spend(null, 999, 0), dayRemaining: 3 };
    const first = detectBudgetChanges(null, [budget], { now: 1 });
    expect(first.events).toEqual([expect.objectContaining({ kind: 'budget_low', tenantId: T })]);
    expect(detectBudgetChanges(first.state, [budget], { now: 2 }).events).toEqual([]);
  });

  test('an organisation missing from one poll keeps its memory (a gap is not a recovery)', () => {
    const low = { ...spend(null, 999, 0), dayRemaining: 3 };
    const { state } = detectBudgetChanges(null, [low], { now: 1 });
    const gap = detectBudgetChanges(state, [], { now: 2 });
    expect(gap.events).toEqual([]);
    expect(detectBudgetChanges(gap.state, [low], { now: 3 }).events).toEqual([]);
  });

  test('the filter limits events to the chosen organisations', () => {
    const low = { ...spend(null, 999, 0), dayRemaining: 3 };
    expect(detectBudgetChanges(null, [low], { now: 1, only: (id) => id !== T }).events).toEqual([]);
  });
});

describe('CallBudget', () => {
  class CountingNotes implements ChainNotes {
    writes: Array<Record<string, unknown>> = [];
    fail = false;
    constructor(private readonly inner: ChainNotes) {}
    readNotes(key: string) {
      return this.inner.readNotes(key);
    }
    async writeNotes(key: string, fields: Record<string, unknown>) {
      if (this.fail) throw new Error('disk full');
      this.writes.push(fields);
      await this.inner.writeNotes(key, fields);
    }
  }

  function tracker(options: { persistEveryMs?: number; dayLimit?: number; tier?: 'starter' } = {}) {
    const clock = new ManualClock(0);
    const ledger = new MemoryLedger({ clock });
    const notes = new CountingNotes(ledger);
    const events: BudgetEvent[] = [];
    const errors: unknown[] = [];
    const budget = new CallBudget({
      notes,
      key: KEY,
      clock,
      persistEveryMs: options.persistEveryMs,
      policy: { dayLimit: options.dayLimit, tier: options.tier },
      onEvent: (e) => events.push(e),
      onError: (e) => errors.push(e),
    });
    return { clock, ledger, notes, events, errors, budget };
  }

  test('keeps budgets per organisation in the ledger notes, throttled, with a write at once on a level change', async () => {
    const { clock, ledger, notes, events, budget } = tracker({ persistEveryMs: 10_000 });
    for (let left = 999; left >= 990; left--) {
      budget.record(T, { dayRemaining: left });
      clock.advance(100);
    }
    budget.record('tenant-b', { dayRemaining: 4999 });
    await budget.flush();
    // tenant-a: first answer, then nothing until flush; tenant-b: its first answer.
    expect(notes.writes.length).toBe(3);
    const stored = await readBudgets(ledger, KEY);
    expect(stored.map((b) => [b.tenantId, b.dayRemaining, b.dayLimit])).toEqual([
      [T, 990, 1000],
      ['tenant-b', 4999, 5000],
    ]);
    const before = notes.writes.length;
    budget.record(T, { dayRemaining: 50 });
    await budget.flush();
    expect(events).toEqual([expect.objectContaining({ kind: 'budget_low', tenantId: T, dayRemaining: 50 })]);
    expect(notes.writes.length).toBe(before + 1);
    expect((await readBudgets(ledger, KEY)).find((b) => b.tenantId === T)?.dayRemaining).toBe(50);
  });

  test("at Starter, warns under 100 left and keeps the last 20 from housekeeping, and stores the tier's limit as such", async () => {
    const { ledger, events, budget } = tracker({ tier: 'starter' });
    budget.record(T, { dayRemaining: 100 });
    expect(events).toEqual([]);
    budget.record(T, { dayRemaining: 99 });
    expect(events).toEqual([expect.objectContaining({ kind: 'budget_low', dayRemaining: 99, dayLimit: 1000, threshold: 100 })]);
    budget.record(T, { dayRemaining: 21 });
    expect(budget.mayUseForHousekeeping(T)).toBe(true);
    budget.record(T, { dayRemaining: 20 });
    expect(budget.mayUseForHousekeeping(T)).toBe(false);
    await budget.flush();
    expect((await readBudgets(ledger, KEY))[0]).toMatchObject({ dayRemaining: 20, dayLimit: 1000, dayLimitSource: 'tier' });
  });

  test('emits budget_low once at the threshold and budget_recovered once, and refuses housekeeping in the reserve', () => {
    const { events, budget } = tracker({ dayLimit: 20 });
    const seen: boolean[] = [];
    for (let left = 19; left >= 0; left--) {
      budget.record(T, { dayRemaining: left });
      seen.push(budget.mayUseForHousekeeping(T));
    }
    expect(events.map((e) => [e.kind, e.dayRemaining])).toEqual([['budget_low', 1]]);
    // Limit 20: reserve is 1 call; housekeeping stops at 1 left.
    expect(seen.slice(-3)).toEqual([true, false, false]);
    budget.record(T, { dayRemaining: 19 });
    budget.record(T, { dayRemaining: 18 });
    expect(events.map((e) => e.kind)).toEqual(['budget_low', 'budget_recovered']);
    expect(budget.mayUseForHousekeeping(T)).toBe(true);
  });

  test('a second process picks up the stored budget (load), so its housekeeping respects the reserve too', async () => {
    const first = tracker();
    first.budget.record(T, { dayRemaining: 999 });
    first.budget.record(T, { dayRemaining: 5 });
    await first.budget.flush();
    const other = new CallBudget({ notes: first.ledger, key: KEY, clock: first.clock });
    expect(other.mayUseForHousekeeping(T)).toBe(true);
    await other.load();
    expect(other.budget(T)).toMatchObject({ dayRemaining: 5, dayLimit: 1000 });
    expect(other.mayUseForHousekeeping(T)).toBe(false);
  });

  test('a failing ledger write never throws from record(); it is reported and retried on flush', async () => {
    const { notes, errors, budget, ledger } = tracker();
    notes.fail = true;
    expect(() => budget.record(T, { dayRemaining: 900 })).not.toThrow();
    await budget.flush();
    expect(errors).toHaveLength(1);
    notes.fail = false;
    await budget.flush();
    expect((await readBudgets(ledger, KEY))[0]).toMatchObject({ tenantId: T, dayRemaining: 900 });
  });

  test('budget notes never touch the chain record (no version bump)', async () => {
    const { ledger, budget } = tracker();
    budget.record(T, { dayRemaining: 900 });
    await budget.flush();
    expect(await ledger.keys()).toEqual([]);
  });
});
