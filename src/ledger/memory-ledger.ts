import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import type { ChainNotes, ConnectionRecord, Lease, LeaseOptions, Ledger, WriteResult } from './types';
import { waitForLease } from './lease-wait';
import type { EventStore, EventStoreProvider } from './event-store';
import { MemoryEventStore } from './memory-event-store';

/** In-process ledger for unit tests and single-process embedding. Records are deep-copied so callers cannot alias them. */
export class MemoryLedger implements Ledger, ChainNotes, EventStoreProvider {
  readonly description = 'memory ledger';
  private readonly records = new Map<string, ConnectionRecord>();
  private readonly leases = new Map<string, Lease>();
  private readonly notes = new Map<string, Record<string, unknown>>();
  private readonly clock: Clock;
  private readonly events = new MemoryEventStore();

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async read(key: string): Promise<ConnectionRecord | null> {
    const record = this.records.get(key);
    return record ? structuredClone(record) : null;
  }

  async write(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    const stored = this.records.get(record.key);
    if ((stored?.version ?? 0) !== expectedVersion) return { ok: false, current: stored ? structuredClone(stored) : null };
    const version = expectedVersion + 1;
    this.records.set(record.key, structuredClone({ ...record, version }));
    return { ok: true, version };
  }

  acquireLease(key: string, options: LeaseOptions): Promise<Lease | null> {
    return waitForLease(this.clock, options.waitMs, async () => {
      const held = this.leases.get(key);
      if (held && held.expiresAt > this.clock.now()) return null;
      const lease: Lease = { key, owner: options.owner, token: randomUUID(), expiresAt: this.clock.now() + options.ttlMs };
      this.leases.set(key, lease);
      return { ...lease };
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const held = this.leases.get(lease.key);
    if (!held || held.token !== lease.token || held.expiresAt <= this.clock.now()) return false;
    held.expiresAt = this.clock.now() + ttlMs;
    lease.expiresAt = held.expiresAt;
    return true;
  }

  async releaseLease(lease: Lease): Promise<void> {
    if (this.leases.get(lease.key)?.token === lease.token) this.leases.delete(lease.key);
  }

  async keys(): Promise<string[]> {
    return [...this.records.keys()];
  }

  async readNotes(key: string): Promise<Record<string, unknown>> {
    return structuredClone(this.notes.get(key) ?? {});
  }

  async writeNotes(key: string, fields: Record<string, unknown>): Promise<void> {
    this.notes.set(key, { ...this.notes.get(key), ...structuredClone(fields) });
  }

  eventStore(): EventStore {
    return this.events;
  }

  async close(): Promise<void> {}
}
