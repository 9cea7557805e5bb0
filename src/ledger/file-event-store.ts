import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { LedgerUnavailableError } from '../errors';
import * as ev from './event-store';
import { codeOf, folderUnavailable, fsyncDirectory, listFolder, writeTempFile } from './file-kit';
import type { Lease, Ledger } from './types';

export interface FileEventStoreOptions {
  /** The events folder (the file ledger passes `<ledger folder>/events`). */
  directory: string;
  /** Serialises appends to one inbox across processes (the file ledger's own leases). */
  leases: Pick<Ledger, 'acquireLease' | 'renewLease' | 'releaseLease'>;
}

interface InboxState {
  format: 'xero-guard-inbox';
  seq: number;
  trimmedUpTo: number;
  seen: Record<string, number>;
  marks: Record<string, ev.ResourceMark & { touchedAt: number }>;
}

interface StoredConsumer extends ev.ConsumerRow {
  consumer: string;
}

const ENTRY = /^e\.(\d{12})\.json$/;
const GENERATION = /\.(\d{12})\.json$/;
const LOCK_TTL_MS = 10_000;
const LOCK_WAIT_MS = 15_000;
const KEEP_GENERATIONS = 3;

/**
 * Events in the file ledger's folder, for any number of processes on one host.
 * - Inbox: one file per entry, published by link() (never replaced) after fsync; appends to one
 *   inbox run under a lease and end by replacing `state.json` (sequence, ids seen, per-resource
 *   change times). Entry files are the truth: an append that died before its state write is folded
 *   back in by the next one, so a crash never loses an appended entry nor lets its id in twice.
 * - Consumers: numbered generation files, each published by link(), so a claim or a commit is a
 *   compare-and-set on the generation (two processes cannot both claim a batch).
 * - Key claims: a claim file published by link(), which never replaces (`k.<key>.p<n>`; a takeover
 *   of an expired claim publishes the next n), and a `done` file once emitted.
 * - Marks: generation files, raised by compare-and-set.
 */
export class FileEventStore implements ev.EventStore {
  readonly description: string;
  private readonly directory: string;
  private readonly leases: FileEventStoreOptions['leases'];
  /** Appends to one inbox from this process queue here, so they never contend for the lease with each other. */
  private readonly appending = new Map<string, Promise<unknown>>();

  constructor(options: FileEventStoreOptions) {
    this.directory = options.directory;
    this.leases = options.leases;
    this.description = `file event store at ${options.directory}`;
  }

  append(inbox: string, inputs: ev.InboxEntryInput[], now: number, limits: ev.InboxLimits): Promise<ev.AppendResult> {
    const previous = this.appending.get(inbox) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.appendLocked(inbox, inputs, now, limits));
    this.appending.set(inbox, run);
    void run
      .finally(() => {
        if (this.appending.get(inbox) === run) this.appending.delete(inbox);
      })
      .catch(() => undefined);
    return run;
  }

  async openConsumer(inbox: string, consumer: string, from: 'head' | 'oldest', now: number): Promise<ev.ConsumerOpened> {
    const dir = this.inboxDir(inbox);
    for (;;) {
      const state = await this.readState(dir);
      const head = Math.max(state.seq, await this.highestEntry(dir));
      const current = await this.readConsumer(dir, consumer);
      if (current) {
        if (await this.writeConsumer(dir, consumer, current.generation, { ...current.row, seenAt: now }))
          return { position: current.row.position, head, created: false };
        continue;
      }
      const position = from === 'head' ? head : state.trimmedUpTo;
      if (await this.writeConsumer(dir, consumer, 0, { position, claim: null, seenAt: now })) return { position, head, created: true };
    }
  }

  async claimBatch(inbox: string, consumer: string, options: { owner: string; max: number; ttlMs: number; now: number }): Promise<ev.BatchClaim> {
    const dir = this.inboxDir(inbox);
    for (;;) {
      const current = await this.readConsumer(dir, consumer);
      if (!current) return { status: 'unknown' };
      const state = await this.readState(dir);
      const plan = ev.planClaim(current.row, state.trimmedUpTo, options.now);
      if (plan.kind === 'busy') return { status: 'busy', owner: plan.owner, expiresAt: plan.expiresAt };
      const entries = await this.readEntries(dir, plan.from, Math.max(1, options.max));
      const { row, result } = ev.applyClaim(plan, entries, { ...options, token: randomUUID() });
      if (await this.writeConsumer(dir, consumer, current.generation, row)) return result;
    }
  }

  async commitBatch(inbox: string, consumer: string, token: string, now: number, limits: ev.InboxLimits): Promise<boolean> {
    const dir = this.inboxDir(inbox);
    for (;;) {
      const current = await this.readConsumer(dir, consumer);
      if (!current?.row.claim || current.row.claim.token !== token) return false;
      if (await this.writeConsumer(dir, consumer, current.generation, { position: current.row.claim.upTo, claim: null, seenAt: now })) break;
    }
    // What every live consumer has passed goes now; the cap and the trim point move only under the append lease.
    const state = await this.readState(dir);
    const trim = ev.planTrim(state.seq, state.trimmedUpTo, await this.readConsumers(dir), now, { ...limits, maxEntries: Infinity });
    for (const idle of trim.idle) await fs.rm(this.consumerDir(dir, idle), { recursive: true, force: true });
    await this.removeEntries(dir, trim.upTo);
    return true;
  }

  async abandonBatch(inbox: string, consumer: string, token: string): Promise<void> {
    const dir = this.inboxDir(inbox);
    for (;;) {
      const current = await this.readConsumer(dir, consumer);
      if (!current?.row.claim || current.row.claim.token !== token) return;
      if (await this.writeConsumer(dir, consumer, current.generation, { ...current.row, claim: null })) return;
    }
  }

  async claimKeys(scope: string, keys: string[], options: { owner: string; ttlMs: number; now: number }): Promise<ev.KeyClaims> {
    const dir = this.scopeDir('claims', scope);
    await this.ensureDir(dir);
    const token = randomUUID();
    const states: Record<string, ev.KeyState> = {};
    for (const key of ev.distinctKeys(keys)) states[key] = await this.claimKey(dir, key, token, options);
    return { token, states };
  }

  async completeKeys(scope: string, token: string, keys: string[], now: number, retention: ev.KeyRetention): Promise<number> {
    const dir = this.scopeDir('claims', scope);
    let completed = 0;
    for (const key of ev.distinctKeys(keys)) {
      const base = keyBase(key);
      const held = await this.currentClaim(dir, base);
      if (!held || held.row.token !== token) continue;
      // The done file first, then the claim files: a claimer that finds no claim file finds the done file.
      await this.writeFile(dir, `${base}.done`, JSON.stringify({ key, token }), now, false);
      await this.removeClaimFiles(dir, base, held.generation);
      completed++;
    }
    // Claims are completed once per poll (minutes apart), so listing the folder each time is affordable.
    await this.sweepKeys(dir, now, retention);
    return completed;
  }

  async releaseKeys(scope: string, token: string, keys: string[]): Promise<void> {
    const dir = this.scopeDir('claims', scope);
    for (const key of ev.distinctKeys(keys)) {
      const base = keyBase(key);
      const held = await this.currentClaim(dir, base);
      // Marked released in place rather than removed: claim numbers must never go back.
      if (held && held.row.token === token && !held.row.done)
        await this.writeFile(dir, claimName(base, held.generation), JSON.stringify({ ...held.row, released: true }), held.row.touchedAt, false);
    }
  }

  async readMarks(scope: string): Promise<Record<string, number>> {
    const dir = this.scopeDir('marks', scope);
    const latest = new Map<string, { generation: number; name: string }>();
    for (const file of await this.list(dir)) {
      const m = /^(m\.[0-9a-f]{32})\.(\d{12})\.json$/.exec(file);
      if (!m) continue;
      const generation = Number(m[2]);
      if ((latest.get(m[1])?.generation ?? 0) < generation) latest.set(m[1], { generation, name: file });
    }
    const marks: Record<string, number> = {};
    for (const { name } of latest.values()) {
      const mark = await this.readJson<{ name: string; value: number }>(join(dir, name));
      if (mark && typeof mark.name === 'string' && typeof mark.value === 'number') marks[mark.name] = mark.value;
    }
    return marks;
  }

  async raiseMarks(scope: string, marks: Record<string, number>): Promise<void> {
    const dir = this.scopeDir('marks', scope);
    await this.ensureDir(dir);
    for (const [name, value] of Object.entries(marks)) {
      const base = `m.${hash(name)}`;
      for (;;) {
        const generation = highestGeneration(await this.list(dir), base);
        const stored = generation > 0 ? await this.readJson<{ value: number }>(join(dir, `${base}.${pad(generation)}.json`)) : null;
        if (stored && stored.value >= value) break;
        if (await this.publish(dir, `${base}.${pad(generation + 1)}.json`, JSON.stringify({ name, value }))) break;
      }
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.appending.values()]);
  }

  // --- inbox ---------------------------------------------------------------------------------

  private async appendLocked(inbox: string, inputs: ev.InboxEntryInput[], now: number, limits: ev.InboxLimits): Promise<ev.AppendResult> {
    const dir = this.inboxDir(inbox);
    await this.ensureDir(dir);
    const lease = await this.leases.acquireLease(`xero-guard-events:${inbox}`, { owner: `events:${process.pid}`, ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS });
    if (!lease) {
      throw new LedgerUnavailableError(
        `Another process held the lock of Xero event inbox "${inbox}" in the ${this.description} for over ${LOCK_WAIT_MS / 1000} s; the delivery was not stored. It is retried by Xero or found by the catch-up sweep.`,
        true,
      );
    }
    try {
      const state = await this.recoveredState(dir);
      for (const [id, at] of Object.entries(state.seen)) if (now - at >= limits.memoryMs) delete state.seen[id];
      for (const [resource, mark] of Object.entries(state.marks)) if (now - mark.touchedAt >= limits.memoryMs) delete state.marks[resource];
      const plan = ev.planAppend(inputs, new Set(Object.keys(state.seen)), new Map(Object.entries(state.marks)), state.seq, now, limits.coverMs);
      await this.assertHeld(lease, inbox);
      for (const entry of plan.entries) {
        if (!(await this.publish(dir, entryName(entry.position), JSON.stringify(entry), true))) {
          throw new LedgerUnavailableError(
            `Entry ${entry.position} of Xero event inbox "${inbox}" in the ${this.description} was written by another process meanwhile; retry.`,
            true,
          );
        }
      }
      for (const id of plan.seen) state.seen[id] = now;
      for (const [resource, mark] of plan.marks) state.marks[resource] = { ...mark, touchedAt: now };
      state.seq = plan.seq;
      const consumers = await this.readConsumers(dir);
      const trim = ev.planTrim(state.seq, state.trimmedUpTo, consumers, now, limits);
      state.trimmedUpTo = trim.upTo;
      // The state (with its new trim point) before any removal, so a crash in between leaves only files a later trim removes.
      await this.writeFile(dir, 'state.json', JSON.stringify(state), now, true);
      for (const consumer of trim.idle) await fs.rm(this.consumerDir(dir, consumer), { recursive: true, force: true });
      await this.removeEntries(dir, trim.upTo);
      return { appended: plan.entries, duplicates: plan.duplicates, covered: plan.covered, dropped: trim.dropped };
    } finally {
      await this.leases.releaseLease(lease).catch(() => undefined);
    }
  }

  /** The stored state with any entries a crashed append published after it folded back in. */
  private async recoveredState(dir: string): Promise<InboxState> {
    const state = await this.readState(dir);
    const names = (await this.list(dir)).filter((n) => ENTRY.test(n)).sort();
    for (const name of names) {
      const position = Number(ENTRY.exec(name)?.[1]);
      if (position <= state.seq) continue;
      const entry = await this.readJson<ev.InboxEntry>(join(dir, name));
      if (!entry) continue;
      state.seen[entry.id] = entry.receivedAt;
      const mark = state.marks[entry.resource] ?? { xeroAt: null, sweepAt: null, touchedAt: entry.receivedAt };
      if (entry.source === 'xero') mark.xeroAt = Math.max(mark.xeroAt ?? entry.at, entry.at);
      else mark.sweepAt = Math.max(mark.sweepAt ?? entry.at, entry.at);
      state.marks[entry.resource] = mark;
      state.seq = position;
    }
    return state;
  }

  private async readState(dir: string): Promise<InboxState> {
    const state = await this.readJson<InboxState>(join(dir, 'state.json'));
    if (state && state.format === 'xero-guard-inbox') return state;
    return { format: 'xero-guard-inbox', seq: 0, trimmedUpTo: 0, seen: {}, marks: {} };
  }

  private async highestEntry(dir: string): Promise<number> {
    let max = 0;
    for (const name of await this.list(dir)) max = Math.max(max, Number(ENTRY.exec(name)?.[1] ?? 0));
    return max;
  }

  private async readEntries(dir: string, after: number, max: number): Promise<ev.InboxEntry[]> {
    const positions = (await this.list(dir))
      .map((name) => Number(ENTRY.exec(name)?.[1] ?? 0))
      .filter((p) => p > after)
      .sort((a, b) => a - b);
    const entries: ev.InboxEntry[] = [];
    for (const position of positions) {
      // Positions are published in order; a hole means the entry was trimmed meanwhile: stop there.
      if (position !== (entries.at(-1)?.position ?? after) + 1 && entries.length > 0) break;
      const entry = await this.readJson<ev.InboxEntry>(join(dir, entryName(position)));
      if (!entry) break;
      entries.push(entry);
      if (entries.length >= max) break;
    }
    return entries;
  }

  private async removeEntries(dir: string, upTo: number): Promise<void> {
    if (!Number.isFinite(upTo) || upTo <= 0) return;
    for (const name of await this.list(dir)) {
      const position = Number(ENTRY.exec(name)?.[1] ?? 0);
      if (position > 0 && position <= upTo) await fs.unlink(join(dir, name)).catch(() => undefined);
    }
  }

  private async assertHeld(lease: Lease, inbox: string): Promise<void> {
    if (await this.leases.renewLease(lease, LOCK_TTL_MS)) return;
    throw new LedgerUnavailableError(
      `The lock of Xero event inbox "${inbox}" in the ${this.description} expired before its write (a paused process); retry.`,
      true,
    );
  }

  // --- consumers -----------------------------------------------------------------------------

  private consumerDir(dir: string, consumer: string): string {
    return join(dir, 'consumers', hash(consumer));
  }

  private async readConsumer(dir: string, consumer: string): Promise<{ generation: number; row: ev.ConsumerRow } | null> {
    const cdir = this.consumerDir(dir, consumer);
    for (let attempt = 0; attempt < 5; attempt++) {
      const generation = highestGeneration(await this.list(cdir), 'c');
      if (generation === 0) return null;
      const stored = await this.readJson<StoredConsumer>(join(cdir, `c.${pad(generation)}.json`));
      if (stored) return { generation, row: { position: stored.position, claim: stored.claim, seenAt: stored.seenAt } };
    }
    return null;
  }

  private async readConsumers(dir: string): Promise<Array<{ consumer: string; position: number; seenAt: number }>> {
    const root = join(dir, 'consumers');
    const found: Array<{ consumer: string; position: number; seenAt: number }> = [];
    for (const folder of await this.list(root)) {
      const generation = highestGeneration(await this.list(join(root, folder)), 'c');
      const stored = generation > 0 ? await this.readJson<StoredConsumer>(join(root, folder, `c.${pad(generation)}.json`)) : null;
      if (stored) found.push({ consumer: stored.consumer, position: stored.position, seenAt: stored.seenAt });
    }
    return found;
  }

  /** Compare-and-set: publishes generation `expected + 1`, false if another writer published it first. */
  private async writeConsumer(dir: string, consumer: string, expected: number, row: ev.ConsumerRow): Promise<boolean> {
    const cdir = this.consumerDir(dir, consumer);
    await this.ensureDir(cdir);
    const stored: StoredConsumer = { consumer, ...row };
    const name = `c.${pad(expected + 1)}.json`;
    if (!(await this.publish(cdir, name, JSON.stringify(stored)))) return false;
    const names = await this.list(cdir);
    if (highestGeneration(names, 'c') > expected + 1) {
      // Our base was older than generations since collected, so link found the name free: we never were the latest.
      await fs.unlink(join(cdir, name)).catch(() => undefined);
      return false;
    }
    for (const name of names) {
      const generation = Number(GENERATION.exec(name)?.[1] ?? 0);
      if (generation > 0 && generation <= expected + 1 - KEEP_GENERATIONS) void fs.unlink(join(cdir, name)).catch(() => undefined);
    }
    return true;
  }

  // --- key claims ----------------------------------------------------------------------------

  private async claimKey(dir: string, key: string, token: string, options: { owner: string; ttlMs: number; now: number }): Promise<ev.KeyState> {
    const base = keyBase(key);
    const done = join(dir, `${base}.done`);
    if (await exists(done)) {
      await touch(done, options.now);
      return 'done';
    }
    const held = await this.currentClaim(dir, base);
    const state = ev.planKey(held?.row, options.now);
    if (state !== 'claimed' && state !== 'reclaimed') return state;
    const row: ev.KeyRow = { token, done: false, expiresAt: options.now + options.ttlMs, touchedAt: options.now };
    const generation = (held?.generation ?? 0) + 1;
    if (!(await this.publish(dir, claimName(base, generation), JSON.stringify({ key, ...row }), false, options.now))) return 'busy';
    // A completer writes its done file before removing claim files: look again, so a key done meanwhile is not claimed twice.
    if (await exists(done)) {
      await fs.unlink(join(dir, claimName(base, generation))).catch(() => undefined);
      return 'done';
    }
    return state;
  }

  /**
   * The newest claim file of a key. Claim numbers are tried upwards (a key rarely has more than one
   * or two); one missing number is stepped over, since a completer removes the files from the first.
   */
  private async currentClaim(dir: string, base: string): Promise<{ generation: number; row: ev.KeyRow } | null> {
    let found: { generation: number; row: ev.KeyRow } | null = null;
    for (let generation = 1; ; generation++) {
      const row = await this.readJson<ev.KeyRow>(join(dir, claimName(base, generation)));
      if (row) found = { generation, row };
      else if (!(await exists(join(dir, claimName(base, generation + 1))))) return found;
    }
  }

  private async removeClaimFiles(dir: string, base: string, upTo: number): Promise<void> {
    for (let generation = 1; generation <= upTo; generation++) await fs.unlink(join(dir, claimName(base, generation))).catch(() => undefined);
  }

  private async sweepKeys(dir: string, now: number, retention: ev.KeyRetention): Promise<void> {
    const rows: Array<{ key: string; touchedAt: number; done: boolean; expiresAt: number; files: string[] }> = [];
    const byBase = new Map<string, string[]>();
    for (const name of await this.list(dir)) {
      const m = /^(k\.[0-9a-f]{32})\.(done|p\d+\.json)$/.exec(name);
      if (m) byBase.set(m[1], [...(byBase.get(m[1]) ?? []), name]);
    }
    for (const [base, files] of byBase) {
      const doneFile = files.find((f) => f.endsWith('.done'));
      const stat = await fs.stat(join(dir, doneFile ?? files.sort().at(-1) ?? '')).catch(() => null);
      if (!stat) continue;
      const claim = doneFile ? null : await this.currentClaim(dir, base);
      rows.push({ key: base, touchedAt: stat.mtimeMs, done: !!doneFile, expiresAt: claim?.row.expiresAt ?? 0, files });
    }
    const gone = new Set(ev.planKeyTrim(rows, now, retention));
    for (const row of rows) if (gone.has(row.key)) for (const file of row.files) await fs.unlink(join(dir, file)).catch(() => undefined);
  }

  // --- files ---------------------------------------------------------------------------------

  private inboxDir(inbox: string): string {
    return join(this.directory, `inbox-${hash(inbox)}`);
  }

  private scopeDir(kind: 'claims' | 'marks', scope: string): string {
    return join(this.directory, `${kind}-${hash(scope)}`);
  }

  private async ensureDir(dir: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.unavailable(error, `create ${dir}`);
    }
  }

  /** Temp file then link(): the name appears whole or not at all, and never replaces what is there. */
  private async publish(dir: string, name: string, content: string, durable = false, mtime?: number): Promise<boolean> {
    const tmp = await this.temp(dir, content, durable, mtime);
    try {
      await fs.link(tmp, join(dir, name));
      if (durable) await fsyncDirectory(dir);
      return true;
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return false;
      throw this.unavailable(error, `write ${join(dir, name)}`);
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
  }

  /** Temp file then rename(): replaces the name whole. */
  private async writeFile(dir: string, name: string, content: string, mtime: number, durable: boolean): Promise<void> {
    const tmp = await this.temp(dir, content, durable, mtime);
    try {
      await fs.rename(tmp, join(dir, name));
      if (durable) await fsyncDirectory(dir);
    } catch (error) {
      await fs.unlink(tmp).catch(() => undefined);
      throw this.unavailable(error, `write ${join(dir, name)}`);
    }
  }

  private async temp(dir: string, content: string, durable: boolean, mtime?: number): Promise<string> {
    try {
      // Retention runs on the injected clock, so a file's age is the time it was written on that clock.
      return await writeTempFile(dir, content, { durable, mtime });
    } catch (error) {
      throw this.unavailable(error, `write ${dir}`);
    }
  }

  private async readJson<T>(path: string): Promise<T | null> {
    try {
      return JSON.parse(await fs.readFile(path, 'utf8')) as T;
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || error instanceof SyntaxError) return null;
      throw this.unavailable(error, `read ${path}`);
    }
  }

  private async list(dir: string): Promise<string[]> {
    try {
      return await listFolder(dir);
    } catch (error) {
      throw this.unavailable(error, `list ${dir}`);
    }
  }

  private unavailable(error: unknown, action: string): LedgerUnavailableError {
    return folderUnavailable(this.description, this.directory, error, action);
  }
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
const pad = (n: number) => String(n).padStart(12, '0');
const entryName = (position: number) => `e.${pad(position)}.json`;
const keyBase = (key: string) => `k.${hash(key)}`;
const claimName = (base: string, generation: number) => `${base}.p${generation}.json`;

function highestGeneration(names: string[], prefix: string): number {
  let max = 0;
  for (const name of names) {
    if (!name.startsWith(`${prefix}.`)) continue;
    const m = GENERATION.exec(name);
    if (m && name === `${prefix}.${m[1]}.json`) max = Math.max(max, Number(m[1]));
  }
  return max;
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

async function touch(path: string, at: number): Promise<void> {
  await fs.utimes(path, at / 1000, at / 1000).catch(() => undefined);
}
