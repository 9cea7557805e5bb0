import { randomUUID } from 'node:crypto';
import * as ev from './event-store';

interface MemoryInbox {
  seq: number;
  trimmedUpTo: number;
  entries: ev.InboxEntry[];
  seen: Map<string, number>;
  marks: Map<string, ev.ResourceMark & { touchedAt: number }>;
  consumers: Map<string, ev.ConsumerRow>;
}

/**
 * The event store of the memory ledger: one process, for tests and embedding. Every operation runs
 * without an await between its read and its write, so it is atomic within the process.
 */
export class MemoryEventStore implements ev.EventStore {
  readonly description = 'memory event store';
  private readonly inboxes = new Map<string, MemoryInbox>();
  private readonly claims = new Map<string, Map<string, ev.KeyRow>>();
  private readonly marks = new Map<string, Map<string, number>>();

  async append(inbox: string, inputs: ev.InboxEntryInput[], now: number, limits: ev.InboxLimits): Promise<ev.AppendResult> {
    const box = this.inbox(inbox);
    forgetOld(box, now, limits.memoryMs);
    const plan = ev.planAppend(inputs, new Set(box.seen.keys()), box.marks, box.seq, now, limits.coverMs);
    for (const id of plan.seen) box.seen.set(id, now);
    for (const [resource, mark] of plan.marks) box.marks.set(resource, { ...mark, touchedAt: now });
    box.entries.push(...structuredClone(plan.entries));
    box.seq = plan.seq;
    const { dropped } = this.trim(box, now, limits, true);
    return { appended: structuredClone(plan.entries), duplicates: plan.duplicates, covered: plan.covered, dropped };
  }

  async openConsumer(inbox: string, consumer: string, from: 'head' | 'oldest', now: number): Promise<ev.ConsumerOpened> {
    const box = this.inbox(inbox);
    const row = box.consumers.get(consumer);
    if (row) {
      row.seenAt = now;
      return { position: row.position, head: box.seq, created: false };
    }
    const position = from === 'head' ? box.seq : box.trimmedUpTo;
    box.consumers.set(consumer, { position, claim: null, seenAt: now });
    return { position, head: box.seq, created: true };
  }

  async claimBatch(inbox: string, consumer: string, options: { owner: string; max: number; ttlMs: number; now: number }): Promise<ev.BatchClaim> {
    const box = this.inbox(inbox);
    const row = box.consumers.get(consumer);
    if (!row) return { status: 'unknown' };
    const plan = ev.planClaim(row, box.trimmedUpTo, options.now);
    if (plan.kind === 'busy') return { status: 'busy', owner: plan.owner, expiresAt: plan.expiresAt };
    const entries = box.entries.filter((e) => e.position > plan.from).slice(0, Math.max(1, options.max));
    const { row: next, result } = ev.applyClaim(plan, structuredClone(entries), { ...options, token: randomUUID() });
    box.consumers.set(consumer, next);
    return result;
  }

  async commitBatch(inbox: string, consumer: string, token: string, now: number, limits: ev.InboxLimits): Promise<boolean> {
    const box = this.inbox(inbox);
    const row = box.consumers.get(consumer);
    if (!row?.claim || row.claim.token !== token) return false;
    box.consumers.set(consumer, { position: row.claim.upTo, claim: null, seenAt: now });
    this.trim(box, now, { ...limits, maxEntries: Infinity }, false);
    return true;
  }

  async abandonBatch(inbox: string, consumer: string, token: string): Promise<void> {
    const row = this.inbox(inbox).consumers.get(consumer);
    if (row?.claim?.token === token) row.claim = null;
  }

  async claimKeys(scope: string, keys: string[], options: { owner: string; ttlMs: number; now: number }): Promise<ev.KeyClaims> {
    const rows = this.scope(scope);
    const token = randomUUID();
    const states: Record<string, ev.KeyState> = {};
    for (const key of ev.distinctKeys(keys)) {
      const row = rows.get(key);
      const state = ev.planKey(row, options.now);
      states[key] = state;
      if (state === 'claimed' || state === 'reclaimed') rows.set(key, { token, done: false, expiresAt: options.now + options.ttlMs, touchedAt: options.now });
      else if (state === 'done' && row) row.touchedAt = options.now;
    }
    return { token, states };
  }

  async completeKeys(scope: string, token: string, keys: string[], now: number, retention: ev.KeyRetention): Promise<number> {
    const rows = this.scope(scope);
    let completed = 0;
    for (const key of ev.distinctKeys(keys)) {
      const row = rows.get(key);
      if (!row || row.done || row.token !== token) continue;
      rows.set(key, { token, done: true, expiresAt: 0, touchedAt: now });
      completed++;
    }
    for (const key of ev.planKeyTrim(
      [...rows].map(([key, row]) => ({ key, ...row })),
      now,
      retention,
    ))
      rows.delete(key);
    return completed;
  }

  async releaseKeys(scope: string, token: string, keys: string[]): Promise<void> {
    const rows = this.scope(scope);
    for (const key of keys) if (rows.get(key)?.token === token && !rows.get(key)?.done) rows.delete(key);
  }

  async readMarks(scope: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.marks.get(scope) ?? []);
  }

  async raiseMarks(scope: string, marks: Record<string, number>): Promise<void> {
    const stored = this.marks.get(scope) ?? new Map<string, number>();
    this.marks.set(scope, stored);
    for (const [name, value] of Object.entries(marks)) stored.set(name, Math.max(stored.get(name) ?? value, value));
  }

  async close(): Promise<void> {}

  private inbox(name: string): MemoryInbox {
    let box = this.inboxes.get(name);
    if (!box) {
      box = { seq: 0, trimmedUpTo: 0, entries: [], seen: new Map(), marks: new Map(), consumers: new Map() };
      this.inboxes.set(name, box);
    }
    return box;
  }

  private scope(name: string): Map<string, ev.KeyRow> {
    let rows = this.claims.get(name);
    if (!rows) {
      rows = new Map();
      this.claims.set(name, rows);
    }
    return rows;
  }

  /** Appends apply the cap and move the trim point; commits only remove what every live consumer passed. */
  private trim(box: MemoryInbox, now: number, limits: ev.InboxLimits, moveTrimPoint: boolean): { dropped: number } {
    const consumers = [...box.consumers].map(([consumer, row]) => ({ consumer, position: row.position, seenAt: row.seenAt }));
    const { upTo, idle, dropped } = ev.planTrim(box.seq, box.trimmedUpTo, consumers, now, limits);
    for (const consumer of idle) box.consumers.delete(consumer);
    box.entries = box.entries.filter((e) => e.position > upTo);
    if (moveTrimPoint) box.trimmedUpTo = upTo;
    return { dropped };
  }
}

function forgetOld(box: MemoryInbox, now: number, memoryMs: number): void {
  for (const [id, at] of box.seen) if (now - at >= memoryMs) box.seen.delete(id);
  for (const [resource, mark] of box.marks) if (now - mark.touchedAt >= memoryMs) box.marks.delete(resource);
}
