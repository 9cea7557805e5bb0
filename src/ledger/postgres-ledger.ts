import { randomUUID } from 'node:crypto';
import { Pool, type PoolConfig, type QueryResultRow } from 'pg';
import { systemClock, type Clock } from '../clock';
import { LedgerCorruptError, LedgerError } from '../errors';
import type { Sealer } from '../secrets/sealer';
import type { ChainImporter } from './chain-import';
import { LedgerConfigError } from './config-error';
import { waitForLease } from './lease-wait';
import type { EventStore, EventStoreProvider } from './event-store';
import { PostgresEventStore } from './postgres-event-store';
import { postgresUnavailable, type PostgresEndpoint } from './postgres-errors';
import { ensureNotesTable, ensureSchema, ledgerTableExists, postgresTables, type PostgresTables } from './postgres-schema';
import { decodeRecord, encodeRecord, type StoredDocument } from './record-codec';
import type { ChainNotes, ConnectionRecord, Lease, LeaseOptions, Ledger, WriteResult } from './types';

export interface PostgresConnectionOptions {
  /** postgres://user:password@host:port/database?sslmode=require; the separate fields below override its parts. */
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** true, or node TLS options (ca, cert, key, rejectUnauthorized). */
  ssl?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
}

/**
 * Which clock decides whether a lease has expired.
 * - 'database': PostgreSQL's clock_timestamp(). Right for several hosts: every holder compares
 *   against the one clock of the server, so a host whose clock runs ahead cannot decide early that
 *   another host's lease has expired and refresh beside it.
 * - 'clock': the injected Clock. For tests and simulations that move time (a ManualClock or an
 *   OffsetClock expiring a lease by advancing); every process sharing the table must then use
 *   clocks that agree.
 * Default: 'database', unless a clock other than the system clock was injected.
 */
export type LeaseTimeSource = 'database' | 'clock';

export interface PostgresLedgerOptions extends PostgresConnectionOptions {
  sealer: Sealer;
  clock?: Clock;
  /** Tables are <prefix>ledger, <prefix>lease and <prefix>schema. Default "xero_guard_". */
  tablePrefix?: string;
  /** PostgreSQL schema for the tables (n8n: DB_POSTGRESDB_SCHEMA). Default: the connection's search_path, usually public. */
  schema?: string;
  leaseTime?: LeaseTimeSource;
  /** Connections in the pool of this process. Each operation borrows one for one statement. */
  maxConnections?: number;
}

export const DEFAULT_TABLE_PREFIX = 'xero_guard_';
const RESTORE_HINT = 'restore the row from a backup or delete it to reconnect';
const DATABASE_NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

interface DataRow {
  key: string;
  version: string;
  state: string;
  document: Omit<StoredDocument, 'sealed'>;
  sealed: string;
}

/**
 * The ledger for n8n queue mode and several hosts. Every operation borrows a pooled connection
 * for one statement and gives it back, so no connection is held while the engine waits for Xero:
 * the lease is a row with an expiry, not a held transaction or an advisory lock, and a process
 * that dies holding it simply lets it expire. Correctness rests on the version compare-and-set
 * in `write`, which is a single UPDATE ... WHERE version = $expected (a committed transaction).
 */
export class PostgresLedger implements Ledger, ChainImporter, ChainNotes, EventStoreProvider {
  readonly description: string;
  private readonly pool: Pool;
  private readonly tables: PostgresTables;
  private readonly endpoint: PostgresEndpoint;
  private readonly sealer: Sealer;
  private readonly clock: Clock;
  private readonly leaseTime: LeaseTimeSource;
  private ready: Promise<void> | null = null;
  private notesReady: Promise<void> | null = null;
  private events: PostgresEventStore | null = null;
  private closed = false;

  constructor(options: PostgresLedgerOptions) {
    this.sealer = options.sealer;
    this.clock = options.clock ?? systemClock;
    this.leaseTime = options.leaseTime ?? (options.clock && options.clock !== systemClock ? 'clock' : 'database');
    this.tables = postgresTables(options.tablePrefix ?? DEFAULT_TABLE_PREFIX, options.schema);
    const config = poolConfig(options);
    this.endpoint = endpointOf(config);
    this.description = `PostgreSQL ledger ${this.tables.label} at ${this.endpoint.host}:${this.endpoint.port}/${this.endpoint.database}`;
    this.pool = new Pool(config);
    // An idle pooled connection dies when the server restarts; pg reports it here, and the pool
    // drops it. Without a listener that event would crash the process.
    this.pool.on('error', () => undefined);
  }

  /** Connects and creates or upgrades the tables; runs on first use, and can be awaited at startup to fail early. */
  async open(): Promise<void> {
    if (this.closed) throw new LedgerError(`The Xero Guard ${this.description} is closed`);
    if (!this.ready) {
      this.ready = ensureSchema(this.pool, this.tables).catch((error: unknown) => {
        this.ready = null;
        throw error instanceof LedgerError ? error : postgresUnavailable(error, this.endpoint, `set up ${this.tables.label}`);
      });
    }
    return this.ready;
  }

  async read(key: string): Promise<ConnectionRecord | null> {
    const result = await this.query<DataRow>('read a connection', `SELECT key, version, state, document, sealed FROM ${this.tables.data} WHERE key = $1`, [
      key,
    ]);
    const row = result.rows[0];
    return row ? await this.decode(row, key) : null;
  }

  write(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    return this.store(record, expectedVersion, expectedVersion + 1);
  }

  /** Migration: stores `record` with its own version if the row is still at `expectedVersion`. */
  importChain(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    if (record.version <= expectedVersion) return Promise.resolve({ ok: false, current: null });
    return this.store(record, expectedVersion, record.version);
  }

  async acquireLease(key: string, options: LeaseOptions): Promise<Lease | null> {
    await this.open();
    return waitForLease(this.clock, options.waitMs, async () => {
      const token = randomUUID();
      const params: unknown[] = [key, options.owner, token, options.ttlMs];
      const now = this.nowSql(params);
      // One statement: insert the lease row, or take it over only if the one there has expired.
      // Under READ COMMITTED the conflicting row is locked and the WHERE re-checked, so exactly one
      // of several racing takers gets a row back.
      const result = await this.query<{ expires_at: string }>(
        'take the refresh lease',
        `INSERT INTO ${this.tables.lease} AS l (key, owner, token, expires_at) VALUES ($1, $2, $3, ${now} + $4::bigint)
         ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at <= ${now}
         RETURNING expires_at`,
        params,
      );
      const row = result.rows[0];
      return row ? { key, owner: options.owner, token, expiresAt: this.leaseExpiry(Number(row.expires_at), options.ttlMs) } : null;
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const params: unknown[] = [lease.key, lease.token, ttlMs];
    const now = this.nowSql(params);
    const result = await this.query<{ expires_at: string }>(
      'renew the refresh lease',
      `UPDATE ${this.tables.lease} SET expires_at = ${now} + $3::bigint WHERE key = $1 AND token = $2 AND expires_at > ${now} RETURNING expires_at`,
      params,
    );
    const row = result.rows[0];
    if (!row) return false;
    lease.expiresAt = this.leaseExpiry(Number(row.expires_at), ttlMs);
    return true;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.query('release the refresh lease', `DELETE FROM ${this.tables.lease} WHERE key = $1 AND token = $2`, [lease.key, lease.token]);
  }

  async keys(): Promise<string[]> {
    const result = await this.query<{ key: string }>('list connections', `SELECT key FROM ${this.tables.data} ORDER BY key`, []);
    return result.rows.map((row) => row.key);
  }

  /** True when the ledger's table is there; creates nothing, so a read-only tool can tell "no ledger yet". */
  async exists(): Promise<boolean> {
    if (this.closed) throw new LedgerError(`The Xero Guard ${this.description} is closed`);
    try {
      return await ledgerTableExists(this.pool, this.tables);
    } catch (error) {
      throw postgresUnavailable(error, this.endpoint, `look for ${this.tables.label}`);
    }
  }

  async readNotes(key: string): Promise<Record<string, unknown>> {
    await this.open();
    let rows: Array<{ field: string; value: unknown }>;
    try {
      rows = (await this.pool.query<{ field: string; value: unknown }>(`SELECT field, value FROM ${this.tables.notes} WHERE key = $1`, [key])).rows;
    } catch (error) {
      // No note was ever written to this ledger: nothing to read, and a read must not create tables.
      if ((error as { code?: unknown }).code === '42P01') return {};
      throw postgresUnavailable(error, this.endpoint, 'read connection notes');
    }
    return Object.fromEntries(rows.map((row) => [row.field, row.value]));
  }

  async writeNotes(key: string, fields: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    await this.open();
    if (!this.notesReady) {
      this.notesReady = ensureNotesTable(this.pool, this.tables).catch((error: unknown) => {
        this.notesReady = null;
        throw postgresUnavailable(error, this.endpoint, `set up ${this.tables.label} notes`);
      });
    }
    await this.notesReady;
    // One statement for all fields: a single row lock per field, never the chain's row.
    await this.query(
      'write connection notes',
      `INSERT INTO ${this.tables.notes} (key, field, value) SELECT $1, f, v FROM unnest($2::text[], $3::jsonb[]) AS t(f, v)
       ON CONFLICT (key, field) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, entries.map(([field]) => field), entries.map(([, value]) => JSON.stringify(value))],
    );
  }

  /** Xero events in <prefix>event_* tables on this ledger's pool, created on first use. */
  eventStore(): EventStore {
    this.events ??= new PostgresEventStore(this.pool, this.tables, this.endpoint);
    return this.events;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }

  /** The compare-and-set behind write and importChain: one statement, so one committed transaction. */
  private async store(record: ConnectionRecord, expectedVersion: number, version: number): Promise<WriteResult> {
    const { sealed, ...document } = await encodeRecord({ ...record, version }, this.sealer);
    const params: unknown[] = [record.key, version, record.state, JSON.stringify(document), sealed];
    const result =
      expectedVersion === 0
        ? await this.query<{ version: string }>(
            'write a connection',
            `INSERT INTO ${this.tables.data} (key, version, state, document, sealed) VALUES ($1, $2, $3, $4::jsonb, $5)
             ON CONFLICT (key) DO NOTHING RETURNING version`,
            params,
          )
        : await this.query<{ version: string }>(
            'write a connection',
            `UPDATE ${this.tables.data} SET version = $2, state = $3, document = $4::jsonb, sealed = $5, updated_at = now()
             WHERE key = $1 AND version = $6 RETURNING version`,
            [...params, expectedVersion],
          );
    if (result.rows.length === 1) return { ok: true, version };
    return { ok: false, current: await this.read(record.key) };
  }

  private async decode(row: DataRow, key: string): Promise<ConnectionRecord> {
    const where = `Ledger row "${row.key}" in ${this.tables.label}`;
    const record = await decodeRecord({ ...row.document, sealed: row.sealed }, this.sealer, {
      key,
      version: Number(row.version),
      where,
      restoreHint: RESTORE_HINT,
    });
    // The state column is for queries and operators; the sealed document decides, and a disagreement means an edit.
    if (row.state !== record.state) {
      throw new LedgerCorruptError(
        `${where} says state "${row.state}" in its state column but "${record.state}" in its sealed document (kept untouched; ${RESTORE_HINT})`,
      );
    }
    return record;
  }

  /** The SQL for "now" in epoch milliseconds; with the injected clock it is appended to `params`. */
  private nowSql(params: unknown[]): string {
    if (this.leaseTime === 'database') return DATABASE_NOW_MS;
    params.push(this.clock.now());
    return `$${params.length}::bigint`;
  }

  /** Lease.expiresAt is informational for the caller; report it on the caller's clock. */
  private leaseExpiry(storedExpiresAt: number, ttlMs: number): number {
    return this.leaseTime === 'clock' ? storedExpiresAt : this.clock.now() + ttlMs;
  }

  private async query<Row extends QueryResultRow>(action: string, text: string, params: unknown[]) {
    await this.open();
    try {
      return await this.pool.query<Row>(text, params);
    } catch (error) {
      throw postgresUnavailable(error, this.endpoint, action);
    }
  }
}

function poolConfig(options: PostgresLedgerOptions): PoolConfig {
  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.maxConnections ?? 4,
    // Fail a borrow quickly when the server is down, so callers get a retryable error instead of hanging.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
    application_name: 'xero-guard-ledger',
  };
  if (options.host !== undefined) config.host = options.host;
  if (options.port !== undefined) config.port = options.port;
  if (options.database !== undefined) config.database = options.database;
  if (options.user !== undefined) config.user = options.user;
  if (options.password !== undefined) config.password = options.password;
  if (options.ssl !== undefined) config.ssl = options.ssl;
  if (!config.connectionString && !config.host) {
    throw new LedgerConfigError('The PostgreSQL ledger needs "connectionString" or "host" (n8n: DB_POSTGRESDB_HOST).');
  }
  return config;
}

/** Resolves host/port/database/user the way pg will, for messages. */
function endpointOf(config: PoolConfig): PostgresEndpoint {
  let fromUrl: Partial<PostgresEndpoint> = {};
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      fromUrl = {
        host: decodeURIComponent(url.hostname) || undefined,
        port: url.port ? Number(url.port) : undefined,
        database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
        user: decodeURIComponent(url.username) || undefined,
      };
    } catch {
      throw new LedgerConfigError('Option "connectionString" is not a valid postgres:// URL (e.g. postgres://user:password@db.example.com:5432/n8n).');
    }
  }
  const user = config.user ?? fromUrl.user ?? process.env.PGUSER ?? process.env.USER ?? 'postgres';
  return {
    host: config.host ?? fromUrl.host ?? process.env.PGHOST ?? 'localhost',
    port: config.port ?? fromUrl.port ?? (process.env.PGPORT ? Number(process.env.PGPORT) : 5432),
    database: config.database ?? fromUrl.database ?? process.env.PGDATABASE ?? user,
    user,
  };
}
