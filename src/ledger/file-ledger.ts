import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock';
import { LedgerCorruptError, LedgerUnavailableError } from '../errors';
import type { Sealer } from '../secrets/sealer';
import type { EventStore, EventStoreProvider } from './event-store';
import { codeOf, folderUnavailable, fsyncDirectory, listFolder, writeTempFile } from './file-kit';
import { FileEventStore } from './file-event-store';
import { decodeRecord, encodeRecord } from './record-codec';
import { waitForLease } from './lease-wait';
import { FileSpool, type TokenSpool } from './spool';
import type { ChainNotes, ConnectionRecord, Lease, LeaseOptions, Ledger, WriteResult } from './types';

export interface FileLedgerOptions {
  directory: string;
  sealer: Sealer;
  clock?: Clock;
  /** Default: the folder "spool" inside `directory` (never a connection folder: those are 32 hex digits). */
  spoolDirectory?: string;
}

const DOC = /^doc\.(\d{12})\.json$/;
const LEASE = /^lease\.(\d{12})\.json$/;
const NOTE = /^note\.[0-9a-f]{16}\.json$/;
const KEEP_VERSIONS = 3;
const RESTORE_HINT = 'restore it or delete it to reconnect';

interface LeaseFile {
  owner: string;
  token: string;
  expiresAt: number;
}

/**
 * The embedded default: one folder per connection holding its document as numbered versions.
 * A version is published by writing a temp file, fsyncing it, then link()ing it to `doc.<n+1>`:
 * link is the no-replace form of rename, so of two writers that read version n exactly one can
 * publish n+1. That is the compare-and-set that fences a holder whose lease expired mid-refresh.
 * Leases are numbered the same way, so taking over a stale lease is also a race only one can win.
 */
export class FileLedger implements Ledger, ChainNotes, EventStoreProvider {
  readonly description: string;
  spool?: TokenSpool;
  private readonly directory: string;
  private readonly sealer: Sealer;
  private readonly clock: Clock;
  private events: FileEventStore | null = null;

  constructor(options: FileLedgerOptions) {
    if (!options.directory) throw new LedgerUnavailableError('No folder was given for the Xero Guard file ledger');
    this.directory = options.directory;
    this.sealer = options.sealer;
    this.clock = options.clock ?? systemClock;
    this.description = `file ledger at ${options.directory}`;
    this.spool = new FileSpool({ directory: options.spoolDirectory ?? join(options.directory, 'spool'), sealer: options.sealer });
  }

  async read(key: string): Promise<ConnectionRecord | null> {
    const dir = this.connectionDir(key);
    for (let attempt = 0; ; attempt++) {
      const latest = highest(await this.list(dir), DOC);
      if (latest === 0) return null;
      const path = join(dir, docName(latest));
      let text: string;
      try {
        text = await fs.readFile(path, 'utf8');
      } catch (error) {
        // Collected by a writer between our listing and our read: list again.
        if (codeOf(error) === 'ENOENT' && attempt < 5) continue;
        throw this.unavailable(error, `read ${path}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new LedgerCorruptError(`Ledger file ${path} is not valid JSON (kept untouched; ${RESTORE_HINT})`);
      }
      return await decodeRecord(json, this.sealer, { key, version: latest, where: `Ledger file ${path}`, restoreHint: RESTORE_HINT });
    }
  }

  async write(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
    const dir = await this.ensureDir(record.key);
    const version = expectedVersion + 1;
    const target = join(dir, docName(version));
    const document = await encodeRecord({ ...record, version }, this.sealer);
    const tmp = await this.writeTemp(dir, JSON.stringify(document, null, 2), true);
    try {
      await fs.link(tmp, target);
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return { ok: false, current: await this.read(record.key) };
      throw this.unavailable(error, `write ${target}`);
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
    const names = await this.list(dir);
    if (highest(names, DOC) > version) {
      // Our base was older than versions since collected: we never were the latest, so withdraw.
      await fs.unlink(target).catch(() => undefined);
      return { ok: false, current: await this.read(record.key) };
    }
    await fsyncDirectory(dir);
    this.collect(dir, names, DOC, version - KEEP_VERSIONS);
    return { ok: true, version };
  }

  async acquireLease(key: string, options: LeaseOptions): Promise<Lease | null> {
    const dir = await this.ensureDir(key);
    return waitForLease(this.clock, options.waitMs, async () => {
      const names = await this.list(dir);
      const generation = highest(names, LEASE);
      if (generation > 0) {
        const held = await this.readLease(dir, generation);
        // Missing means our listing is stale (never "free"): generations only grow, the newest is never removed.
        if (held === 'missing' || (held !== 'unreadable' && held.expiresAt > this.clock.now())) return null;
      }
      const next = generation + 1;
      const lease: Lease = { key, owner: options.owner, token: `${next}:${randomUUID()}`, expiresAt: this.clock.now() + options.ttlMs };
      const content: LeaseFile = { owner: lease.owner, token: lease.token, expiresAt: lease.expiresAt };
      const tmp = await this.writeTemp(dir, JSON.stringify(content), false);
      try {
        await fs.link(tmp, join(dir, leaseName(next)));
      } catch (error) {
        if (codeOf(error) === 'EEXIST') return null;
        throw this.unavailable(error, `take the refresh lease in ${dir}`);
      } finally {
        await fs.unlink(tmp).catch(() => undefined);
      }
      this.collect(dir, names, LEASE, generation - 1);
      return lease;
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const expiresAt = this.clock.now() + ttlMs;
    const ok = await this.rewriteOwnLease(lease, (held) => (held.expiresAt > this.clock.now() ? { ...held, expiresAt } : null));
    if (ok) lease.expiresAt = expiresAt;
    return ok;
  }

  async releaseLease(lease: Lease): Promise<void> {
    // Expire it in place rather than delete it: removing the newest generation would let numbers go back and two takers win.
    await this.rewriteOwnLease(lease, (held) => ({ ...held, expiresAt: 0 }));
  }

  async keys(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.directory);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return [];
      throw this.unavailable(error, `list ${this.directory}`);
    }
    const keys: string[] = [];
    for (const entry of entries) {
      const dir = join(this.directory, entry);
      const latest = highest(await this.list(dir).catch(() => []), DOC);
      if (latest === 0) continue;
      try {
        const doc = JSON.parse(await fs.readFile(join(dir, docName(latest)), 'utf8')) as { key?: unknown };
        if (typeof doc.key === 'string') keys.push(doc.key);
      } catch {
        // A damaged document is reported when its connection is used, by read().
      }
    }
    return keys;
  }

  /** One small file per note, replaced whole by rename: atomic per field, no fsync (an observation may be lost, never torn). */
  async readNotes(key: string): Promise<Record<string, unknown>> {
    const dir = this.connectionDir(key);
    const notes: Record<string, unknown> = {};
    for (const name of (await this.list(dir)).filter((n) => NOTE.test(n))) {
      try {
        const note = JSON.parse(await fs.readFile(join(dir, name), 'utf8')) as { field?: unknown; value?: unknown };
        if (typeof note.field === 'string') notes[note.field] = note.value;
      } catch {
        // Gone or damaged: a lost observation, replaced by the next one.
      }
    }
    return notes;
  }

  async writeNotes(key: string, fields: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const dir = await this.ensureDir(key);
    for (const [field, value] of entries) {
      const tmp = await this.writeTemp(dir, JSON.stringify({ field, value }), false);
      const target = join(dir, `note.${createHash('sha256').update(field).digest('hex').slice(0, 16)}.json`);
      try {
        await fs.rename(tmp, target);
      } catch (error) {
        await fs.unlink(tmp).catch(() => undefined);
        throw this.unavailable(error, `write ${target}`);
      }
    }
  }

  /** Xero events in `<folder>/events` (never a connection folder: those are 32 hex digits); appends lock with this ledger's leases. */
  eventStore(): EventStore {
    this.events ??= new FileEventStore({ directory: join(this.directory, 'events'), leases: this });
    return this.events;
  }

  async close(): Promise<void> {
    await this.events?.close();
  }

  /** Rewrites our lease file in place, but only while it is still the newest generation and still ours. */
  private async rewriteOwnLease(lease: Lease, change: (held: LeaseFile) => LeaseFile | null): Promise<boolean> {
    const dir = this.connectionDir(lease.key);
    const generation = Number(lease.token.split(':')[0]);
    const names = await this.list(dir).catch(() => []);
    if (highest(names, LEASE) !== generation) return false;
    const held = await this.readLease(dir, generation);
    if (typeof held === 'string' || held.token !== lease.token) return false;
    const next = change(held);
    if (!next) return false;
    const tmp = await this.writeTemp(dir, JSON.stringify(next), false);
    await fs.rename(tmp, join(dir, leaseName(generation)));
    return true;
  }

  /** A lease file is published whole by link(), so unreadable content means damage, not a write in progress. */
  private async readLease(dir: string, generation: number): Promise<LeaseFile | 'missing' | 'unreadable'> {
    let text: string;
    try {
      text = await fs.readFile(join(dir, leaseName(generation)), 'utf8');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return 'missing';
      throw this.unavailable(error, `read the refresh lease in ${dir}`);
    }
    try {
      const lease = JSON.parse(text) as LeaseFile;
      return typeof lease.expiresAt === 'number' && typeof lease.token === 'string' ? lease : 'unreadable';
    } catch {
      return 'unreadable';
    }
  }

  private connectionDir(key: string): string {
    return join(this.directory, createHash('sha256').update(key).digest('hex').slice(0, 32));
  }

  private async ensureDir(key: string): Promise<string> {
    const dir = this.connectionDir(key);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.unavailable(error, `create ${dir}`);
    }
    return dir;
  }

  private async writeTemp(dir: string, content: string, durable: boolean): Promise<string> {
    try {
      return await writeTempFile(dir, content, { durable });
    } catch (error) {
      throw this.unavailable(error, `write ${dir}`);
    }
  }

  private async list(dir: string): Promise<string[]> {
    try {
      return await listFolder(dir);
    } catch (error) {
      throw this.unavailable(error, `list ${dir}`);
    }
  }

  /** Off the critical path: old versions are kept for inspection only, and losing a collection is harmless. */
  private collect(dir: string, names: string[], pattern: RegExp, upTo: number): void {
    for (const name of names) {
      const match = pattern.exec(name);
      if (match !== null && Number(match[1]) <= upTo) void fs.unlink(join(dir, name)).catch(() => undefined);
    }
  }

  private unavailable(error: unknown, action: string): LedgerUnavailableError {
    return folderUnavailable(this.description, this.directory, error, action);
  }
}

function highest(names: string[], pattern: RegExp): number {
  let max = 0;
  for (const name of names) {
    const match = pattern.exec(name);
    if (match) max = Math.max(max, Number(match[1]));
  }
  return max;
}

const docName = (version: number) => `doc.${String(version).padStart(12, '0')}.json`;
const leaseName = (generation: number) => `lease.${String(generation).padStart(12, '0')}.json`;
