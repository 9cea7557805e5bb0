import { importChain, type ChainImporter } from './chain-import';
import { LedgerConfigError } from './config-error';
import { hasEventStore, type EventStore, type EventStoreProvider } from './event-store';
import { openLedger } from './open-ledger';
import type { LeaseStore } from './redis-leases';
import { hasChainNotes, type ChainNotes, type ConnectionRecord, type Lease, type LeaseOptions, type Ledger, type WriteResult } from './types';

export interface CompositeLedgerOptions {
  /** Where refresh leases are taken (e.g. RedisLeases). */
  leases: LeaseStore;
  /** Where the token chains live, with their version compare-and-set (e.g. PostgresLedger). */
  data: Ledger;
}

/**
 * Leases from one backend, data from another: Redis's fast, server-timed leases with PostgreSQL's
 * durable rows. Safe whatever Redis persists, because the lease is only an efficiency device:
 * if Redis restarts and forgets a lease, two holders may both call Xero, but the data backend's
 * version check still lets only one of them write, and the other keeps its set as a candidate.
 */
export class CompositeLedger implements Ledger, ChainImporter, ChainNotes, EventStoreProvider {
  readonly description: string;
  private readonly leases: LeaseStore;
  private readonly data: Ledger;

  constructor(options: CompositeLedgerOptions) {
    this.leases = options.leases;
    this.data = options.data;
    this.description = `${options.data.description} with ${options.leases.description}`;
  }

  /** Connects both halves now, so either being down fails at startup. */
  async open(): Promise<void> {
    await Promise.all([openLedger(this.leases), openLedger(this.data)]);
  }

  read(key: string): Promise<ConnectionRecord | null> {
    return this.data.read(key);
  }

  write(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    return this.data.write(record, expectedVersion);
  }

  importChain(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    return importChain(this.data, record, expectedVersion);
  }

  acquireLease(key: string, options: LeaseOptions): Promise<Lease | null> {
    return this.leases.acquireLease(key, options);
  }

  renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    return this.leases.renewLease(lease, ttlMs);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.leases.releaseLease(lease);
  }

  keys(): Promise<string[]> {
    return this.data.keys();
  }

  /** Notes live with the data, so they survive whatever Redis forgets. */
  async readNotes(key: string): Promise<Record<string, unknown>> {
    return hasChainNotes(this.data) ? this.data.readNotes(key) : {};
  }

  async writeNotes(key: string, fields: Record<string, unknown>): Promise<void> {
    if (hasChainNotes(this.data)) await this.data.writeNotes(key, fields);
  }

  /** Events live with the data, durable whatever Redis forgets. */
  eventStore(): EventStore {
    if (hasEventStore(this.data)) return this.data.eventStore();
    throw new LedgerConfigError(`The ${this.data.description} keeps no Xero events; use PostgreSQL as the data half of a combined ledger.`);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.leases.close(), this.data.close()]);
  }
}
