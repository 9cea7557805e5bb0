import { resolve } from 'node:path';
import type { Clock } from '../clock';
import { TokenEngine, type EngineEvent, type EnginePolicy } from '../engine';
import type { CreateLedgerOptions, Ledger } from '../ledger';
import { fingerprint, processLocalId } from '../secrets';
import { resolveEndpoints, XeroApiClient, XeroIdentityClient, type XeroEndpoints, type XeroTrust } from '../xero';

/** What a host says about the engine it needs, in plain values: no host object crosses into the core. */
export interface EngineSpec {
  /** The ledger the engine keeps its chains in, as createLedger/buildLedger take it. */
  ledger: CreateLedgerOptions;
  /** Opens the ledger those options describe: the host picks buildLedger (lazy) or createLedger (connects now). */
  openLedger(options: CreateLedgerOptions): Ledger | Promise<Ledger>;
  endpoints?: Partial<XeroEndpoints>;
  clock?: Clock;
  policy?: Partial<EnginePolicy>;
  /** Who counts as Xero for supersede evidence; tests only (the engine's default is Xero's own identity server). */
  xeroTrust?: XeroTrust;
  /** Why this ledger (n8n: "n8n keeps its data in PostgreSQL"), appended to its description for messages. */
  reason?: string;
}

/** One engine of the registry, shared by every user of the same ledger, key and Xero endpoints. */
export interface SharedEngine {
  readonly id: string;
  readonly engine: TokenEngine;
  readonly identity: XeroIdentityClient;
  readonly api: XeroApiClient;
  readonly ledger: Ledger;
  /** The ledger in the user's words, for messages ("file ledger at /data/xero-guard"). */
  readonly where: string;
  /** Counts `work` as work under way, so the last release closes the ledger only after it. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Engine events of this engine to `listener` until the returned function is called. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Runs `work` once per name on this engine, sharing the promise; a failure is forgotten, so the next call tries again. */
  once(name: string, work: () => Promise<void>): Promise<void>;
}

interface Entry {
  refs: number;
  held: boolean;
  ready: Promise<SharedEngine>;
  shared?: SharedEngine;
}

/**
 * Secret-free identity of an engine: its ledger (paths and hosts as they are, passwords and URLs
 * fingerprinted), a process-local id of the encryption key (no help to a guesser) and the Xero endpoints. Two users with the same
 * identity must share one engine, or their refreshes would not be serialized in this process.
 */
export function engineIdentity(spec: Pick<EngineSpec, 'ledger' | 'endpoints'>): string {
  const o = spec.ledger;
  const endpoints = resolveEndpoints(spec.endpoints);
  const pg = o.postgres ? `${o.postgres.host}:${o.postgres.port}/${o.postgres.database}@${o.postgres.user}` : '';
  const redis = o.redis ? `${o.redis.host}:${o.redis.port}/${o.redis.db ?? 0}` : '';
  const secretFree = (v: string | undefined) => (v ? fingerprint(v) : '');
  const ledger = [
    o.kind,
    o.directory ? resolve(o.directory) : '',
    pg,
    secretFree(o.connectionString),
    o.schema ?? '',
    o.tablePrefix ?? '',
    redis,
    secretFree(o.redisUrl),
    o.keyPrefix ?? '',
  ];
  return [...ledger, processLocalId(String(o.encryptionKey)), endpoints.tokenUrl, endpoints.apiUrl].join('|');
}

/**
 * The engines of one host process: one per ledger, key and endpoints, with a count of users. The
 * last release closes the ledger (database pools too) once the work under way is done, so a host
 * that stops every node leaves nothing open. A failed open is forgotten: fixing the database is
 * enough, no restart needed.
 */
export class EngineRegistry {
  private readonly entries = new Map<string, Entry>();

  /**
   * The registry of one host, kept on globalThis under `name`, so a second copy of the package
   * (a host reloading it) still shares one engine per ledger.
   */
  static shared(name: string): EngineRegistry {
    const holder = globalThis as unknown as Record<symbol, EngineRegistry | undefined>;
    const symbol = Symbol.for(name);
    holder[symbol] ??= new EngineRegistry();
    return holder[symbol];
  }

  /** The shared engine for `spec`, counted as one more user until `release`. */
  async acquire(spec: EngineSpec): Promise<SharedEngine> {
    const entry = this.entryFor(spec);
    entry.refs += 1;
    try {
      return await entry.ready;
    } catch (error) {
      entry.refs -= 1;
      throw error;
    }
  }

  /** The shared engine for `spec`, held for the life of the process (a host with no close hook, like n8n). */
  async hold(spec: EngineSpec): Promise<SharedEngine> {
    const entry = this.entryFor(spec);
    if (!entry.held) {
      entry.held = true;
      entry.refs += 1;
    }
    try {
      return await entry.ready;
    } catch (error) {
      entry.held = false;
      entry.refs -= 1;
      throw error;
    }
  }

  /** Gives an engine back; the last user closes its ledger once the work under way is done. */
  async release(shared: SharedEngine): Promise<void> {
    const entry = this.entries.get(shared.id);
    if (!entry || entry.shared !== shared) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.entries.delete(shared.id);
    await closeShared(shared);
  }

  /** Closes every engine, held or not (tests, and a host shutting down). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map(async (entry) => closeShared(await entry.ready)));
  }

  private entryFor(spec: EngineSpec): Entry {
    const id = engineIdentity(spec);
    const existing = this.entries.get(id);
    if (existing) return existing;
    const entry: Entry = { refs: 0, held: false, ready: Promise.resolve(undefined as never) };
    entry.ready = openShared(id, spec).then((shared) => {
      entry.shared = shared;
      return shared;
    });
    entry.ready.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    this.entries.set(id, entry);
    return entry;
  }
}

const busyOf = new WeakMap<SharedEngine, Set<Promise<unknown>>>();

async function openShared(id: string, spec: EngineSpec): Promise<SharedEngine> {
  const ledger = await spec.openLedger(spec.ledger);
  const endpoints = spec.endpoints ?? {};
  const listeners = new Set<(event: EngineEvent) => void>();
  const busy = new Set<Promise<unknown>>();
  const first = new Map<string, Promise<void>>();
  const identity = new XeroIdentityClient({ endpoints, clock: spec.clock, clientAuth: 'basic' });
  const engine = new TokenEngine({
    ledger,
    identity,
    clock: spec.clock,
    policy: spec.policy,
    xeroTrust: spec.xeroTrust,
    onEvent: (event) => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // a listener's trouble is not the engine's
        }
      }
    },
  });
  const shared: SharedEngine = {
    id,
    engine,
    identity,
    api: new XeroApiClient({ endpoints }),
    ledger,
    where: spec.reason ? `${ledger.description} (${spec.reason})` : ledger.description,
    track<T>(work: Promise<T>): Promise<T> {
      busy.add(work);
      const forget = () => busy.delete(work);
      work.then(forget, forget);
      return work;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    once(name, work) {
      let running = first.get(name);
      if (!running) {
        running = work().catch((error: unknown) => {
          first.delete(name);
          throw error;
        });
        first.set(name, running);
      }
      return running;
    },
  };
  busyOf.set(shared, busy);
  return shared;
}

async function closeShared(shared: SharedEngine): Promise<void> {
  await Promise.allSettled([...(busyOf.get(shared) ?? [])]);
  await shared.ledger.close().catch(() => undefined);
}
