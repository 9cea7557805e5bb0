import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { IANAZone } from 'luxon';
import { DAY, MINUTE, systemClock, type Clock } from '../clock';
import type { EventStore, KeyRetention } from '../ledger/event-store';
import type { XeroPage } from '../xero/accounting';
import { messageOf, recordFailure, type CallBudgetLike, type RecordReader } from './budget';
import { EventsConfigError } from './errors';
import { addDays, dayIn, isNamedEvent, NAMED_EVENT_SPECS, type NamedEventContext, type NamedEventName } from './named-events';
import { isObject, recordId, updatedAt, WATCHES, WATCH_NAMES, type WatchName } from './resources';
import { afterPoll, checkSchedule, pollDue, type PollSchedule, type ScheduleState } from './schedule';

/** One thing to poll for one organisation: a resource's changes, or a named event. */
export type PollWatch = { tenantId: string; watch: WatchName } | { tenantId: string; named: NamedEventName };

export interface ChangeItem {
  /** 'change' for a watched resource, or the named event. */
  kind: 'change' | NamedEventName;
  /** The watched resource, for changes. */
  watch: WatchName | null;
  tenantId: string;
  recordId: string;
  record: Record<string, unknown>;
  /** The record's UpdatedDateUTC (ISO 8601). */
  updatedDateUtc: string;
  /** The identity it was claimed under (once per consumer). */
  key: string;
  /** Claimed before by a process that did not finish: it may have been emitted already. */
  redelivered: boolean;
}

export interface PollNotice {
  kind: 'budget_skip' | 'budget_resumed' | 'poll_failed' | 'truncated';
  tenantId: string | null;
  message: string;
}

/** What the poller remembers between polls (JSON: n8n static data, a Node-RED context store). */
export interface PollState {
  version: 1;
  /** Per watch: the cursor (newest UpdatedDateUTC seen, Xero's clock), where emitting starts, the last day a daily query ran. */
  watches: Record<string, { cursor: number; emitFrom: number; lastDay?: string }>;
  schedule: ScheduleState | null;
  /** Organisations whose polls are being skipped for the budget (so it is said once). */
  budgetSkipping: string[];
}

/** Claims taken by a poll and not yet marked emitted: serialisable, so a host may complete them on its next run. */
export interface PendingClaims {
  claims: Array<{ token: string; keys: string[] }>;
}

export interface PollResult {
  /** False: not time yet under the adaptive interval; nothing was read. */
  due: boolean;
  items: ChangeItem[];
  notices: PollNotice[];
  /** Store it after emitting the items (the cursor never passes a record that was not emitted). */
  state: PollState;
  /** Complete after emitting; null when nothing was claimed. */
  pending: PendingClaims | null;
  /** Something new was found (the adaptive interval went back to the interval). */
  changed: boolean;
}

export interface ChangePollerOptions {
  store: EventStore;
  /** This trigger's own id: each consumer emits each change once. */
  consumer: string;
  reader: RecordReader;
  budget?: CallBudgetLike;
  watches: readonly PollWatch[];
  clock?: Clock;
  owner?: string;
  /** First activation: emit changes since this date (epoch ms or ISO 8601) instead of from now. */
  backfillFrom?: number | string | null;
  /** How far each poll reaches back before its cursor (default 5 minutes). */
  overlapMs?: number;
  /** Records per page on paged endpoints (default 500). */
  pageSize?: number;
  /** Items per poll at most; the rest come next poll (default 1,000). */
  maxItemsPerPoll?: number;
  /** How long a claim holds before another process may take it over (default 10 minutes). */
  claimTtlMs?: number;
  /** How long emitted identities are remembered (default 30 days, 50,000 per trigger). */
  retention?: Partial<KeyRetention>;
  schedule?: PollSchedule;
  /** The organisations' time zone (IANA, e.g. Pacific/Auckland) for overdue and due dates; default UTC. */
  timeZone?: string;
  /** bill_due: bills due within this many days count (default 0: due today or before). */
  dueInDays?: number;
}

/**
 * Overlap (docs/design/events.md "The polling cursor"): If-Modified-Since has one-second
 * resolution, a record can be committed with an UpdatedDateUTC a moment older than one already
 * visible, and the first cursor comes from the host's clock. Reaching 5 minutes back covers all
 * three; what it reads twice is dropped by its identity (record ID + UpdatedDateUTC), and it costs
 * no extra call unless more than a page changed in those minutes.
 */
export const DEFAULT_OVERLAP_MS = 5 * MINUTE;
export const DEFAULT_POLL_RETENTION: KeyRetention = { retentionMs: 30 * DAY, maxKeys: 50_000 };

interface Found {
  item: ChangeItem;
  at: number;
}

/**
 * Polls Xero for what changed (docs/design/events.md "Polling"): If-Modified-Since from a cursor
 * per watch, oldest first, every record claimed under its identity in the shared store so two
 * processes never both emit it, every call asked of and recorded in the organisation's budget.
 */
export class ChangePoller {
  private readonly options: ChangePollerOptions;
  private readonly clock: Clock;
  private readonly owner: string;
  private readonly overlapMs: number;
  private readonly retention: KeyRetention;
  private readonly scope: string;

  constructor(options: ChangePollerOptions) {
    checkWatches(options.watches);
    if (options.schedule) checkSchedule(options.schedule);
    if (options.timeZone !== undefined && !IANAZone.isValidZone(options.timeZone)) {
      throw new EventsConfigError(`"${options.timeZone}" is not a time zone; use an IANA name such as Pacific/Auckland or Europe/London.`);
    }
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
    this.retention = { ...DEFAULT_POLL_RETENTION, ...options.retention };
    this.scope = `poll:${options.consumer}`;
  }

  /**
   * The state with a starting point for every watch that has none (from now, or the backfill
   * date): a host stores it at activation, so changes made before the first poll that succeeds
   * (Xero down at activation, the host restarted before it polled) are still emitted.
   */
  begin(previous: PollState | null | undefined): PollState {
    const state = readState(previous);
    const start = this.startOf();
    for (const watch of this.options.watches) state.watches[watchKey(watch)] ??= { cursor: start, emitFrom: start };
    return state;
  }

  async poll(previous: PollState | null | undefined): Promise<PollResult> {
    const now = this.clock.now();
    const state = readState(previous);
    if (this.options.schedule && !pollDue(state.schedule, now, this.options.schedule)) {
      return { due: false, items: [], notices: [], state, pending: null, changed: false };
    }
    const notices: PollNotice[] = [];
    const run: Run = { found: [], claims: [], now, room: this.options.maxItemsPerPoll ?? 1000 };
    const skipped = new Set<string>();
    const polled = new Set<string>();
    for (const watch of this.options.watches) {
      if (skipped.has(watch.tenantId)) continue;
      if (run.found.length >= run.room) {
        notices.push({ kind: 'truncated', tenantId: null, message: `More than ${run.room} changes at once: the rest come with the next poll.` });
        break;
      }
      const key = watchKey(watch);
      const start = this.startOf();
      const entry = state.watches[key] ?? { cursor: start, emitFrom: start };
      try {
        const outcome = 'watch' in watch ? await this.pollChanges(watch, entry, run) : await this.pollNamed(watch, entry, run);
        if (outcome.calls > 0) polled.add(watch.tenantId);
        if (outcome.refused) skipped.add(watch.tenantId);
        state.watches[key] = outcome.entry;
      } catch (error) {
        notices.push({ kind: 'poll_failed', tenantId: watch.tenantId, message: `Polling ${describe(watch)} failed: ${messageOf(error)}` });
      }
    }
    notices.push(...budgetNotices(state, skipped, polled));
    const changed = run.found.length > 0;
    if (this.options.schedule) state.schedule = afterPoll(state.schedule, changed, now, this.options.schedule);
    run.found.sort((a, b) => a.at - b.at);
    const claims = run.claims.filter((c) => c.keys.length > 0);
    return { due: true, items: run.found.map((f) => f.item), notices, state, pending: claims.length > 0 ? { claims } : null, changed };
  }

  /** After emitting: the items' identities are marked emitted (for every process sharing the store). */
  async complete(pending: PendingClaims | null): Promise<void> {
    for (const { token, keys } of pending?.claims ?? []) {
      if (keys.length > 0) await this.options.store.completeKeys(this.scope, token, keys, this.clock.now(), this.retention);
    }
  }

  /** Emitting failed: give the identities back so the next poll (here or elsewhere) emits them at once. */
  async release(pending: PendingClaims | null): Promise<void> {
    for (const { token, keys } of pending?.claims ?? []) {
      if (keys.length > 0) await this.options.store.releaseKeys(this.scope, token, keys);
    }
  }

  private pollChanges(watch: Extract<PollWatch, { watch: WatchName }>, entry: WatchEntry, run: Run): Promise<WatchOutcome> {
    const spec = WATCHES[watch.watch];
    const query: Query = { ...('query' in spec ? spec.query : {}), order: 'UpdatedDateUTC ASC' };
    if ('where' in spec) query.where = spec.where;
    return this.readChanges(watch.tenantId, spec.path, spec.idField, query, entry, run, (_record, id, at) => ({
      kind: 'change',
      watch: watch.watch,
      key: `${watch.tenantId}:${watch.watch}:${id}:${at}`,
    }));
  }

  private async pollNamed(watch: Extract<PollWatch, { named: NamedEventName }>, entry: WatchEntry, run: Run): Promise<WatchOutcome> {
    const spec = NAMED_EVENT_SPECS[watch.named];
    const context = this.contextAt(run.now);
    const identify: Identify = (record, id) =>
      spec.matches(record, context) ? { kind: watch.named, watch: null, key: `${watch.tenantId}:${watch.named}:${spec.key(record, id)}` } : null;
    const query: Query = { ...spec.query(context), order: 'UpdatedDateUTC ASC' };
    if (spec.mode === 'changes') return this.readChanges(watch.tenantId, spec.path, spec.idField, query, entry, run, identify);
    if (entry.lastDay === context.today) return { entry, calls: 0, refused: false };
    // First activation from now: what is overdue (or due) today is the baseline, remembered and not emitted.
    const baseline = entry.lastDay === undefined && this.startOf() >= run.now - MINUTE;
    const read = await this.readPages(watch.tenantId, spec.path, query, null, async (records) => {
      const found = await this.claim(watch.tenantId, spec.idField, records, identify, run.now);
      if (baseline) await this.complete({ claims: [found.claim] });
      else {
        run.found.push(...found.found);
        run.claims.push(found.claim);
      }
      return false;
    });
    return { entry: read.complete ? { ...entry, lastDay: context.today } : entry, calls: read.calls, refused: read.refused };
  }

  /**
   * If-Modified-Since from the cursor less the overlap, oldest first, page by page; each page's
   * records are claimed before the next is read. The cursor moves to the newest record read, never
   * past one another process claimed and has not yet emitted (so a process that dies mid-emit is
   * read again, and its claim taken over once it expires).
   */
  private async readChanges(
    tenantId: string,
    path: string,
    idField: string,
    query: Query,
    entry: WatchEntry,
    run: Run,
    identify: Identify,
  ): Promise<WatchOutcome> {
    let newest = entry.cursor;
    let heldBack: number | null = null;
    const read = await this.readPages(tenantId, path, query, Math.max(0, entry.cursor - this.overlapMs), async (records) => {
      for (const r of records) newest = Math.max(newest, r.at);
      const found = await this.claim(
        tenantId,
        idField,
        records.filter((r) => r.at >= entry.emitFrom),
        identify,
        run.now,
      );
      run.found.push(...found.found);
      run.claims.push(found.claim);
      if (found.heldBack !== null) heldBack = Math.min(heldBack ?? found.heldBack, found.heldBack);
      return run.found.length >= run.room;
    });
    const cursor = heldBack === null ? newest : Math.min(newest, heldBack);
    return { entry: { ...entry, cursor }, calls: read.calls, refused: read.refused };
  }

  /** Pages in order, asking the budget before each call; `onPage` returns true to stop. */
  private async readPages(tenantId: string, path: string, query: Query, since: number | null, onPage: (records: Read[]) => Promise<boolean>) {
    const { reader, budget } = this.options;
    let calls = 0;
    let refused = false;
    let complete = false;
    const pages = reader.pages({
      path,
      tenantId,
      query: { ...query, pageSize: this.options.pageSize ?? 500 },
      ...(since !== null ? { ifModifiedSince: since } : {}),
    });
    try {
      for (;;) {
        if (budget && !budget.mayUseForHousekeeping(tenantId)) {
          refused = true;
          break;
        }
        let next: IteratorResult<XeroPage>;
        try {
          next = await pages.next();
        } catch (error) {
          recordFailure(budget, tenantId, error);
          throw error;
        }
        if (next.done) {
          complete = true;
          break;
        }
        calls++;
        budget?.record(tenantId, next.value.limits);
        const records: Read[] = [];
        for (const record of next.value.records) {
          const at = updatedAt(record);
          if (isObject(record) && at !== null) records.push({ record, at });
        }
        if (await onPage(records)) break;
      }
    } finally {
      await pages.return(undefined).catch(() => undefined);
    }
    return { calls, refused, complete };
  }

  /** Claims each record's identity; returns the ones this poll emits, and the oldest held by another process. */
  private async claim(tenantId: string, idField: string, records: Read[], identify: Identify, now: number) {
    const candidates = records.flatMap(({ record, at }) => {
      const id = recordId(record, idField);
      const identity = id ? identify(record, id, at) : null;
      return id && identity ? [{ record, id, at, ...identity }] : [];
    });
    if (candidates.length === 0) return { found: [] as Found[], claim: { token: '', keys: [] as string[] }, heldBack: null as number | null };
    const { token, states } = await this.options.store.claimKeys(
      this.scope,
      candidates.map((c) => c.key),
      { owner: this.owner, ttlMs: this.options.claimTtlMs ?? 10 * MINUTE, now },
    );
    const found: Found[] = [];
    const taken = new Set<string>();
    let heldBack: number | null = null;
    for (const c of candidates) {
      const state = states[c.key];
      if (state === 'busy') heldBack = Math.min(heldBack ?? c.at, c.at);
      if ((state !== 'claimed' && state !== 'reclaimed') || taken.has(c.key)) continue;
      taken.add(c.key);
      found.push({
        at: c.at,
        item: {
          kind: c.kind,
          watch: c.watch,
          tenantId,
          recordId: c.id,
          record: c.record,
          updatedDateUtc: new Date(c.at).toISOString(),
          key: c.key,
          redelivered: state === 'reclaimed',
        },
      });
    }
    return { found, claim: { token, keys: [...taken] }, heldBack };
  }

  private contextAt(now: number): NamedEventContext {
    const today = dayIn(now, this.options.timeZone ?? 'UTC');
    return { today, dueInDays: this.options.dueInDays ?? 0, paidSince: addDays(today, -Math.ceil(this.retention.retentionMs / DAY)) };
  }

  private startOf(): number {
    const from = this.options.backfillFrom;
    if (from === undefined || from === null || from === '') return this.clock.now();
    const ms = typeof from === 'number' ? from : Date.parse(from);
    if (!Number.isFinite(ms)) throw new EventsConfigError(`Backfill date ${JSON.stringify(from)} is not a date; use ISO 8601 such as 2026-01-01.`);
    return ms;
  }
}

type Query = Record<string, string | number | boolean>;
type WatchEntry = PollState['watches'][string];
type Read = { record: Record<string, unknown>; at: number };
type Identify = (record: Record<string, unknown>, id: string, at: number) => { kind: ChangeItem['kind']; watch: WatchName | null; key: string } | null;
interface WatchOutcome {
  entry: WatchEntry;
  calls: number;
  refused: boolean;
}
/** What one poll gathers across its watches. */
interface Run {
  found: Found[];
  claims: Array<{ token: string; keys: string[] }>;
  now: number;
  room: number;
}

/** Said once per organisation: when its polls start being skipped for the budget, and when they resume. */
function budgetNotices(state: PollState, skipped: ReadonlySet<string>, polled: ReadonlySet<string>): PollNotice[] {
  const notices: PollNotice[] = [];
  for (const tenantId of skipped) {
    if (state.budgetSkipping.includes(tenantId)) continue;
    state.budgetSkipping.push(tenantId);
    notices.push({
      kind: 'budget_skip',
      tenantId,
      message: `Polling of organisation ${tenantId} is paused: it is down to the calls it keeps in reserve for your own work. Nothing is lost; polling goes on where it stopped once Xero's daily budget allows.`,
    });
  }
  for (const tenantId of [...state.budgetSkipping]) {
    if (skipped.has(tenantId) || !polled.has(tenantId)) continue;
    state.budgetSkipping = state.budgetSkipping.filter((t) => t !== tenantId);
    notices.push({ kind: 'budget_resumed', tenantId, message: `Polling of organisation ${tenantId} resumed: its call budget allows it again.` });
  }
  return notices;
}

function watchKey(watch: PollWatch): string {
  return 'watch' in watch ? `${watch.tenantId}:${watch.watch}` : `${watch.tenantId}:${watch.named}`;
}

function describe(watch: PollWatch): string {
  return 'watch' in watch ? `${watch.watch.replace(/_/g, ' ')} of ${watch.tenantId}` : `${watch.named.replace(/_/g, ' ')} of ${watch.tenantId}`;
}

function checkWatches(watches: readonly PollWatch[]): void {
  if (!Array.isArray(watches) || watches.length === 0)
    throw new EventsConfigError('Nothing to poll: choose at least one resource or named event, and an organisation.');
  for (const w of watches) {
    if (!isObject(w) || typeof w.tenantId !== 'string' || w.tenantId === '')
      throw new EventsConfigError('Every polled item needs the organisation (tenant ID) it is about.');
    if ('watch' in w && !(WATCH_NAMES as readonly unknown[]).includes(w.watch))
      throw new EventsConfigError(`"${String(w.watch)}" cannot be polled; choose from ${WATCH_NAMES.join(', ')}.`);
    if ('named' in w && !isNamedEvent(w.named))
      throw new EventsConfigError(`"${String(w.named)}" is not a named event; choose invoice_paid, invoice_overdue, bill_due or quote_accepted.`);
  }
}

function readState(previous: PollState | null | undefined): PollState {
  const fresh: PollState = { version: 1, watches: {}, schedule: null, budgetSkipping: [] };
  if (!isObject(previous) || previous.version !== 1) return fresh;
  const watches: PollState['watches'] = {};
  for (const [key, value] of Object.entries(isObject(previous.watches) ? previous.watches : {})) {
    if (isObject(value) && typeof value.cursor === 'number' && typeof value.emitFrom === 'number') {
      watches[key] = { cursor: value.cursor, emitFrom: value.emitFrom, ...(typeof value.lastDay === 'string' ? { lastDay: value.lastDay } : {}) };
    }
  }
  const schedule =
    isObject(previous.schedule) && typeof previous.schedule.nextPollAt === 'number' && typeof previous.schedule.waitMs === 'number'
      ? { waitMs: previous.schedule.waitMs, nextPollAt: previous.schedule.nextPollAt }
      : null;
  const skipping = Array.isArray(previous.budgetSkipping) ? previous.budgetSkipping.filter((t): t is string => typeof t === 'string') : [];
  return { version: 1, watches, schedule, budgetSkipping: skipping };
}
