import type { Clock } from '../clock';
import { LedgerCorruptError } from '../errors';
import type { Sealer } from '../secrets/sealer';
import type { ChainImporter } from './chain-import';
import {
  connectionKeyBase,
  consoleLogger,
  redisScript,
  validateKeyPrefix,
  RedisLink,
  type LedgerLogger,
  type RedisConnectionOptions,
} from './redis-connection';
import type { EventStore, EventStoreProvider } from './event-store';
import { RedisEventStore } from './redis-event-store';
import { DEFAULT_KEY_PREFIX, RedisLeases } from './redis-leases';
import { decodeRecord, encodeRecord } from './record-codec';
import type { ChainNotes, ConnectionRecord, Lease, LeaseOptions, Ledger, WriteResult } from './types';

export interface RedisLedgerOptions extends RedisConnectionOptions {
  sealer: Sealer;
  clock?: Clock;
  /** Default "xero-guard:". */
  keyPrefix?: string;
  /** Receives the missing-persistence warning. Default: console.warn. */
  logger?: LedgerLogger;
}

const RESTORE_HINT = 'restore Redis from a backup or delete the key to reconnect';

// Compare-and-set on the version, in one script so nothing can run between the check and the set.
// KEYS: data hash, key index set. ARGV: expected version, new version, key, state, document, sealed.
const STORE = redisScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'key', ARGV[3], 'state', ARGV[4], 'document', ARGV[5], 'sealed', ARGV[6])
redis.call('SADD', KEYS[2], ARGV[3])
return 1`);

/**
 * Redis as both lease and data store, for deployments that persist Redis (AOF). Each connection is
 * a hash: version, key and state in clear, the metadata document, and the tokens only in the
 * AES-256-GCM `sealed` field. Without persistence a Redis restart forgets every rotated refresh
 * token, so the first use checks INFO persistence and warns; CompositeLedger (Redis leases,
 * PostgreSQL data) is the safer combination.
 */
export class RedisLedger implements Ledger, ChainImporter, ChainNotes, EventStoreProvider {
  readonly description: string;
  private readonly link: RedisLink;
  private readonly leases: RedisLeases;
  private readonly keyPrefix: string;
  private readonly sealer: Sealer;
  private readonly logger: LedgerLogger;
  private persistenceChecked: Promise<void> | null = null;
  private events: RedisEventStore | null = null;

  constructor(options: RedisLedgerOptions) {
    this.keyPrefix = validateKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.sealer = options.sealer;
    this.logger = options.logger ?? consoleLogger;
    this.link = new RedisLink(options);
    this.leases = new RedisLeases({ keyPrefix: this.keyPrefix, clock: options.clock, link: this.link });
    this.description = `Redis ledger ${this.keyPrefix}* at ${this.link.endpoint}`;
  }

  /** Connects and checks persistence; runs on first use, and can be awaited at startup to fail early. */
  async open(): Promise<void> {
    if (!this.persistenceChecked) {
      this.persistenceChecked = this.checkPersistence().catch((error: unknown) => {
        this.persistenceChecked = null;
        throw error;
      });
    }
    await this.persistenceChecked;
  }

  dataKey(key: string): string {
    return `${connectionKeyBase(this.keyPrefix, key)}:data`;
  }

  notesKey(key: string): string {
    return `${connectionKeyBase(this.keyPrefix, key)}:notes`;
  }

  leaseKey(key: string): string {
    return this.leases.leaseKey(key);
  }

  async read(key: string): Promise<ConnectionRecord | null> {
    await this.open();
    const fields = await this.link.run('read a connection', (client) => client.hgetall(this.dataKey(key)));
    if (!fields.version) return null;
    const where = `Ledger key ${this.dataKey(key)} in Redis at ${this.link.endpoint}`;
    let document: unknown;
    try {
      document = JSON.parse(fields.document ?? '');
    } catch {
      throw new LedgerCorruptError(`${where} has no valid document field (kept untouched; ${RESTORE_HINT})`);
    }
    if (fields.key !== key) throw new LedgerCorruptError(`${where} does not match its key field (kept untouched; ${RESTORE_HINT})`);
    const record = await decodeRecord({ ...(document as object), sealed: fields.sealed }, this.sealer, {
      key,
      version: Number(fields.version),
      where,
      restoreHint: RESTORE_HINT,
    });
    // The state field is for operators; the sealed document decides, and a disagreement means an edit.
    if (fields.state !== record.state) {
      throw new LedgerCorruptError(
        `${where} says state "${fields.state}" in its state field but "${record.state}" in its sealed document (kept untouched; ${RESTORE_HINT})`,
      );
    }
    return record;
  }

  write(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    return this.store(record, expectedVersion, expectedVersion + 1);
  }

  importChain(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    if (record.version <= expectedVersion) return Promise.resolve({ ok: false, current: null });
    return this.store(record, expectedVersion, record.version);
  }

  async acquireLease(key: string, options: LeaseOptions): Promise<Lease | null> {
    await this.open();
    return this.leases.acquireLease(key, options);
  }

  renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    return this.leases.renewLease(lease, ttlMs);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.leases.releaseLease(lease);
  }

  async keys(): Promise<string[]> {
    await this.open();
    const keys = await this.link.run('list connections', (client) => client.smembers(this.indexKey()));
    return keys.sort();
  }

  /** One hash per connection, one field per note: HSET is atomic per field and never touches the data hash. */
  async readNotes(key: string): Promise<Record<string, unknown>> {
    await this.open();
    const fields = await this.link.run('read connection notes', (client) => client.hgetall(this.notesKey(key)));
    const notes: Record<string, unknown> = {};
    for (const [field, text] of Object.entries(fields)) {
      try {
        notes[field] = JSON.parse(text);
      } catch {
        // A damaged note is only a lost observation; the next one replaces it.
      }
    }
    return notes;
  }

  async writeNotes(key: string, fields: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(fields).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    if (entries.length === 0) return;
    await this.open();
    await this.link.run('write connection notes', (client) => client.hset(this.notesKey(key), ...entries));
  }

  /** Xero events in <keyPrefix>ev* keys on this ledger's connection. */
  eventStore(): EventStore {
    this.events ??= new RedisEventStore(this.link, this.keyPrefix, () => this.open());
    return this.events;
  }

  async close(): Promise<void> {
    await this.leases.close();
    await this.link.close();
  }

  private indexKey(): string {
    return `${this.keyPrefix}keys`;
  }

  private async store(record: ConnectionRecord, expectedVersion: number, version: number): Promise<WriteResult> {
    await this.open();
    const { sealed, ...document } = await encodeRecord({ ...record, version }, this.sealer);
    const stored = await this.link.script(
      'write a connection',
      STORE,
      [this.dataKey(record.key), this.indexKey()],
      [expectedVersion, version, record.key, record.state, JSON.stringify(document), sealed],
    );
    if (stored === 1) return { ok: true, version };
    return { ok: false, current: await this.read(record.key) };
  }

  private async checkPersistence(): Promise<void> {
    const info = await this.link.run('check persistence', (client) => client.info('persistence'));
    const aof = /^aof_enabled:(\d+)/m.exec(info)?.[1] === '1';
    if (aof) return;
    // CONFIG may be disabled on managed Redis; then we cannot tell whether RDB snapshots run.
    const save = await this.link
      .run('check persistence', (client) => client.config('GET', 'save'))
      .then((reply) => (Array.isArray(reply) ? String(reply[1] ?? '') : null))
      .catch(() => null);
    if (save === '') {
      this.logger.warn(
        `Xero Guard: Redis at ${this.link.endpoint} has no persistence (aof_enabled:0 and no RDB save points), and it is the data store of the Xero Guard ledger. A Redis restart will lose every rotated Xero refresh token and each connection will have to be reconnected by hand. Turn on AOF (appendonly yes) or use the "redis+postgres" ledger (Redis for leases, PostgreSQL for the tokens). See docs/queue-mode.md.`,
      );
    } else if (save !== null) {
      this.logger.warn(
        `Xero Guard: Redis at ${this.link.endpoint} persists only by RDB snapshots (save "${save}"), and it is the data store of the Xero Guard ledger. A restart can lose the refresh tokens rotated since the last snapshot, and those connections would need reconnecting. Turn on AOF (appendonly yes) or use the "redis+postgres" ledger. See docs/queue-mode.md.`,
      );
    }
  }
}
