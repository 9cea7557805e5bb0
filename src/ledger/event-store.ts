/**
 * The storage behind Xero events (docs/design/events.md), beside the token ledger and in the same
 * backend, never inside a token record:
 * - an **inbox** per Xero app: verified events, each stored once whatever the retries, at a
 *   position that only grows;
 * - **consumers** (one per trigger node) that read from their own position, claim a batch before
 *   the host emits it and advance past it after, so each consumer emits each entry once across
 *   processes (at least once if a process dies between emitting and advancing);
 * - **key claims**: "emit this once" for polling (record id + UpdatedDateUTC) and named events,
 *   with bounded retention;
 * - **marks**: monotonic numbers (the catch-up sweep's cursor).
 * It holds IDs, times and positions only: no token, no webhook key, no record contents, so
 * nothing here is sealed. The rules every backend applies are the plan functions below, so the
 * memory, file and PostgreSQL stores share one implementation of them and the Redis store's Lua
 * mirrors it (one contract test runs against all of them).
 */

export type EntrySource = 'xero' | 'sweep';

export interface InboxEntryInput {
  /** Stable identity: appending the same id again (a Xero retry, a replay) is a duplicate. */
  id: string;
  /** What changed, as `tenantId:category:resourceId`: what a catch-up entry is matched on. */
  resource: string;
  /** When it changed (epoch ms): Xero's eventDateUtc, or the record's UpdatedDateUTC for a catch-up entry. */
  at: number;
  /** 'xero': delivered by Xero's webhook; 'sweep': found by the catch-up sweep. */
  source: EntrySource;
  /** The event itself, small JSON (IDs only). */
  payload: unknown;
}

export interface InboxEntry extends InboxEntryInput {
  position: number;
  receivedAt: number;
}

/** Bounds of an inbox, passed with each call that changes it (the store keeps no policy of its own). */
export interface InboxLimits {
  /** At most this many entries are kept; beyond it the oldest go and consumers behind them are told. */
  maxEntries: number;
  /** How long appended ids and per-resource change times are remembered (duplicates and catch-up matching). */
  memoryMs: number;
  /** A catch-up entry and a Xero event of the same resource this close in time are the same change. */
  coverMs: number;
  /** A consumer not seen for this long is dropped and stops holding entries back. */
  consumerIdleMs: number;
}

export interface AppendResult {
  appended: InboxEntry[];
  /** Ids already appended (within memoryMs). */
  duplicates: number;
  /** Catch-up entries whose change Xero had delivered, or Xero events for a change the sweep had already added. */
  covered: number;
  /** Entries removed by the maxEntries cap before every consumer had read them. */
  dropped: number;
}

export interface ConsumerOpened {
  position: number;
  /** The inbox's newest position. */
  head: number;
  /** False when the consumer was already there (its position is kept). */
  created: boolean;
}

export type BatchClaim =
  /** Another process holds this consumer's claim until expiresAt. */
  | { status: 'busy'; owner: string; expiresAt: number }
  /** The consumer is not registered (never opened, or dropped as idle): open it again. */
  | { status: 'unknown' }
  /** Nothing new; `missed` entries were removed by the cap before this consumer read them. */
  | { status: 'empty'; missed: number }
  /**
   * A batch, claimed until the claim's ttl: emit it, then commit. Entries at or below
   * redeliveredUpTo were claimed before by a holder whose claim expired: it may have emitted them.
   */
  | { status: 'claimed'; token: string; entries: InboxEntry[]; redeliveredUpTo: number; missed: number };

export type KeyState = 'claimed' | 'reclaimed' | 'busy' | 'done';

export interface KeyClaims {
  token: string;
  /**
   * Per key: 'claimed' (yours, first time), 'reclaimed' (yours; an earlier claimer's claim expired
   * unfinished, so it may have emitted), 'busy' (another claimer holds it), 'done' (emitted).
   */
  states: Record<string, KeyState>;
}

export interface KeyRetention {
  /** A done key not seen again for this long is forgotten. */
  retentionMs: number;
  /** At most this many keys per scope; the least recently seen go first. */
  maxKeys: number;
}

export interface EventStore {
  /** Where it lives, for messages. */
  readonly description: string;
  append(inbox: string, entries: InboxEntryInput[], now: number, limits: InboxLimits): Promise<AppendResult>;
  /** Registers a consumer (at the head, or at the oldest entry kept) or finds it; marks it seen. */
  openConsumer(inbox: string, consumer: string, from: 'head' | 'oldest', now: number): Promise<ConsumerOpened>;
  claimBatch(inbox: string, consumer: string, options: { owner: string; max: number; ttlMs: number; now: number }): Promise<BatchClaim>;
  /** Advances past the claimed batch; false when the claim was lost (it expired and another took it). */
  commitBatch(inbox: string, consumer: string, token: string, now: number, limits: InboxLimits): Promise<boolean>;
  /** Gives a claim back unfinished (nothing emitted), so the batch is offered again at once. */
  abandonBatch(inbox: string, consumer: string, token: string): Promise<void>;
  claimKeys(scope: string, keys: string[], options: { owner: string; ttlMs: number; now: number }): Promise<KeyClaims>;
  /** Marks the keys emitted (only those still claimed with `token`); returns how many were. */
  completeKeys(scope: string, token: string, keys: string[], now: number, retention: KeyRetention): Promise<number>;
  /** Gives keys back unfinished, so the next claimer gets them at once. */
  releaseKeys(scope: string, token: string, keys: string[]): Promise<void>;
  readMarks(scope: string): Promise<Record<string, number>>;
  /** Each mark becomes the larger of its stored value and the one given. */
  raiseMarks(scope: string, marks: Record<string, number>): Promise<void>;
  close(): Promise<void>;
}

/** A ledger that keeps events beside its chains (every built-in ledger does). */
export interface EventStoreProvider {
  eventStore(): EventStore;
}

export function hasEventStore(ledger: unknown): ledger is EventStoreProvider {
  return !!ledger && typeof (ledger as Partial<EventStoreProvider>).eventStore === 'function';
}

// ---------------------------------------------------------------------------------------------
// The rules, as pure functions over what a backend read.

/** The latest change time per source the inbox has seen for one resource. */
export interface ResourceMark {
  xeroAt: number | null;
  sweepAt: number | null;
}

export interface AppendPlan {
  entries: InboxEntry[];
  /** Ids to remember (new ones, in order). */
  seen: string[];
  /** Resource marks changed by this append. */
  marks: Map<string, ResourceMark>;
  seq: number;
  duplicates: number;
  covered: number;
}

/**
 * Which inputs become entries. An id already seen is a duplicate. A catch-up entry is covered when
 * Xero delivered an event for the same resource at or after its change time (less coverMs), or a
 * sweep already added the same or a later change; a Xero event is covered when a sweep already added
 * a change of that resource within coverMs of it. Xero events never cover each other except by id:
 * two real changes a second apart are two events.
 */
export function planAppend(
  inputs: InboxEntryInput[],
  seen: ReadonlySet<string>,
  marks: ReadonlyMap<string, ResourceMark>,
  seq: number,
  now: number,
  coverMs: number,
): AppendPlan {
  const seenNow = new Set(seen);
  const changed = new Map<string, ResourceMark>();
  const markOf = (resource: string): ResourceMark => changed.get(resource) ?? marks.get(resource) ?? { xeroAt: null, sweepAt: null };
  const plan: AppendPlan = { entries: [], seen: [], marks: changed, seq, duplicates: 0, covered: 0 };
  for (const input of inputs) {
    if (seenNow.has(input.id)) {
      plan.duplicates++;
      continue;
    }
    seenNow.add(input.id);
    plan.seen.push(input.id);
    const mark = markOf(input.resource);
    const covered =
      input.source === 'sweep'
        ? (mark.xeroAt !== null && mark.xeroAt >= input.at - coverMs) || (mark.sweepAt !== null && mark.sweepAt >= input.at)
        : mark.sweepAt !== null && mark.sweepAt >= input.at - coverMs;
    changed.set(
      input.resource,
      input.source === 'xero'
        ? { ...mark, xeroAt: Math.max(mark.xeroAt ?? input.at, input.at) }
        : { ...mark, sweepAt: Math.max(mark.sweepAt ?? input.at, input.at) },
    );
    if (covered) {
      plan.covered++;
      continue;
    }
    plan.seq++;
    plan.entries.push({ ...input, position: plan.seq, receivedAt: now });
  }
  return plan;
}

export interface ConsumerClaimState {
  token: string;
  owner: string;
  upTo: number;
  expiresAt: number;
}

/** One consumer as stored. */
export interface ConsumerRow {
  position: number;
  claim: ConsumerClaimState | null;
  seenAt: number;
}

export type ClaimPlan =
  | { kind: 'busy'; owner: string; expiresAt: number }
  /** Read entries after `from` (at most max); `from` becomes the position (past what the cap removed). */
  | { kind: 'read'; from: number; missed: number; redeliveredUpTo: number };

/** Whether a consumer may claim now, and from where. */
export function planClaim(row: ConsumerRow, trimmedUpTo: number, now: number): ClaimPlan {
  if (row.claim && row.claim.expiresAt > now) return { kind: 'busy', owner: row.claim.owner, expiresAt: row.claim.expiresAt };
  const missed = Math.max(0, trimmedUpTo - row.position);
  return { kind: 'read', from: row.position + missed, missed, redeliveredUpTo: row.claim ? row.claim.upTo : 0 };
}

/**
 * What the consumer row becomes after reading `entries` under `plan`, and the answer. An empty read
 * writes no claim (only the position past what the cap removed, and the time it was seen).
 */
export function applyClaim(
  plan: Extract<ClaimPlan, { kind: 'read' }>,
  entries: InboxEntry[],
  options: { owner: string; ttlMs: number; now: number; token: string },
): { row: ConsumerRow; result: BatchClaim } {
  if (entries.length === 0) return { row: { position: plan.from, claim: null, seenAt: options.now }, result: { status: 'empty', missed: plan.missed } };
  const upTo = entries[entries.length - 1].position;
  return {
    row: { position: plan.from, claim: { token: options.token, owner: options.owner, upTo, expiresAt: options.now + options.ttlMs }, seenAt: options.now },
    result: { status: 'claimed', token: options.token, entries, redeliveredUpTo: Math.min(plan.redeliveredUpTo, upTo), missed: plan.missed },
  };
}

/**
 * What may go: entries every live consumer has passed (all of them when no consumer is live), and
 * the oldest beyond maxEntries. Returns the highest position to delete, the consumers to drop as
 * idle, and how many of the deleted entries some live consumer had not read yet.
 */
export function planTrim(
  seq: number,
  trimmedUpTo: number,
  consumers: ReadonlyArray<{ consumer: string; position: number; seenAt: number }>,
  now: number,
  limits: Pick<InboxLimits, 'maxEntries' | 'consumerIdleMs'>,
): { upTo: number; idle: string[]; dropped: number } {
  const live = consumers.filter((c) => now - c.seenAt < limits.consumerIdleMs);
  const idle = consumers.filter((c) => now - c.seenAt >= limits.consumerIdleMs).map((c) => c.consumer);
  const passed = live.length === 0 ? seq : Math.min(...live.map((c) => c.position));
  const capped = seq - limits.maxEntries;
  const upTo = Math.max(trimmedUpTo, passed, capped);
  const dropped = Math.max(0, capped - Math.max(trimmedUpTo, passed));
  return { upTo, idle, dropped };
}

/** One claimed key as stored. */
export interface KeyRow {
  token: string;
  done: boolean;
  expiresAt: number;
  touchedAt: number;
  /** Given back unfinished (a store that cannot delete the row marks it). */
  released?: boolean;
}

export function planKey(row: KeyRow | undefined, now: number): KeyState {
  if (!row || row.released) return 'claimed';
  if (row.done) return 'done';
  return row.expiresAt > now ? 'busy' : 'reclaimed';
}

/**
 * Keys to forget: finished ones (done, or claims that expired unfinished) not seen for the
 * retention, then the least recently seen finished ones beyond maxKeys. A live claim is never forgotten.
 */
export function planKeyTrim(
  rows: ReadonlyArray<{ key: string; touchedAt: number; done: boolean; expiresAt: number }>,
  now: number,
  retention: KeyRetention,
): string[] {
  const finished = rows.filter((r) => r.done || r.expiresAt <= now).sort((a, b) => a.touchedAt - b.touchedAt);
  const gone = new Set(finished.filter((r) => now - r.touchedAt >= retention.retentionMs).map((r) => r.key));
  const over = rows.length - gone.size - retention.maxKeys;
  for (const r of finished.filter((f) => !gone.has(f.key)).slice(0, Math.max(0, over))) gone.add(r.key);
  return [...gone];
}

/** Distinct keys in order (a key given twice is claimed once). */
export function distinctKeys(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}
