import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import { waitForLease } from './lease-wait';
import { connectionKeyBase, redisScript, validateKeyPrefix, RedisLink, type RedisConnectionOptions } from './redis-connection';
import type { Lease, LeaseOptions, Ledger } from './types';

/** The lease half of a ledger: what CompositeLedger takes from one backend while the data lives in another. */
export type LeaseStore = Pick<Ledger, 'description' | 'acquireLease' | 'renewLease' | 'releaseLease' | 'close'>;

export interface RedisLeasesOptions extends RedisConnectionOptions {
  /** Default "xero-guard:". */
  keyPrefix?: string;
  /** Waits for a held lease on this clock; the lease's own expiry is Redis's (PX), real time. */
  clock?: Clock;
  /** Share an existing link (RedisLedger passes its own) instead of opening one. */
  link?: RedisLink;
}

export const DEFAULT_KEY_PREFIX = 'xero-guard:';

// Only the holder that set the value may extend or delete it: a holder whose lease expired and was
// taken by another must not extend or release the new holder's lease.
const EXTEND = redisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`);
const RELEASE = redisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`);

/**
 * Refresh leases in Redis: SET key value NX PX ttl, where the value carries a token unique to the
 * acquisition. Expiry is kept by the Redis server, one clock for every host. While a lease is held
 * a watchdog extends it every third of its ttl, so a slow token call does not lose it; if the
 * process stalls or dies the watchdog stops with it and the lease runs out on its own.
 */
export class RedisLeases implements LeaseStore {
  readonly description: string;
  private readonly link: RedisLink;
  private readonly ownsLink: boolean;
  private readonly keyPrefix: string;
  private readonly clock: Clock;
  private readonly watchdogs = new Map<string, NodeJS.Timeout>();

  constructor(options: RedisLeasesOptions) {
    this.keyPrefix = validateKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.clock = options.clock ?? systemClock;
    this.ownsLink = !options.link;
    this.link = options.link ?? new RedisLink(options);
    this.description = `Redis leases ${this.keyPrefix}* at ${this.link.endpoint}`;
  }

  /** Connects now, so an unreachable Redis fails at startup. */
  async open(): Promise<void> {
    await this.link.run('connect', (client) => client.ping());
  }

  leaseKey(key: string): string {
    return `${connectionKeyBase(this.keyPrefix, key)}:lease`;
  }

  acquireLease(key: string, options: LeaseOptions): Promise<Lease | null> {
    const ttlMs = Math.max(1, Math.round(options.ttlMs));
    return waitForLease(this.clock, options.waitMs, async () => {
      const token = randomUUID();
      const taken = await this.link.run('take the refresh lease', (client) =>
        client.set(this.leaseKey(key), leaseValue(token, options.owner), 'PX', ttlMs, 'NX'),
      );
      if (taken !== 'OK') return null;
      const lease: Lease = { key, owner: options.owner, token, expiresAt: this.clock.now() + ttlMs };
      this.startWatchdog(lease, ttlMs);
      return lease;
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const extended = await this.extend(lease, ttlMs);
    if (extended) lease.expiresAt = this.clock.now() + ttlMs;
    else this.stopWatchdog(lease.token);
    return extended;
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.stopWatchdog(lease.token);
    await this.link.script('release the refresh lease', RELEASE, [this.leaseKey(lease.key)], [leaseValue(lease.token, lease.owner)]);
  }

  async close(): Promise<void> {
    for (const token of [...this.watchdogs.keys()]) this.stopWatchdog(token);
    if (this.ownsLink) await this.link.close();
  }

  private async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    const result = await this.link.script(
      'extend the refresh lease',
      EXTEND,
      [this.leaseKey(lease.key)],
      [leaseValue(lease.token, lease.owner), Math.max(1, Math.round(ttlMs))],
    );
    return result === 1;
  }

  /** Real timers on purpose: the lease runs out in Redis's real time whatever clock the engine uses. */
  private startWatchdog(lease: Lease, ttlMs: number): void {
    const every = Math.max(1, Math.floor(ttlMs / 3));
    const tick = () => {
      this.extend(lease, ttlMs).then(
        (held) => {
          if (!this.watchdogs.has(lease.token)) return;
          if (held) schedule();
          else this.stopWatchdog(lease.token);
        },
        // Redis unreachable: keep trying; if it stays away past the ttl the lease is gone anyway
        // and the next extend reports that.
        () => {
          if (this.watchdogs.has(lease.token)) schedule();
        },
      );
    };
    const schedule = () => {
      const timer = setTimeout(tick, every);
      // Never keep a process alive just to extend a lease.
      timer.unref();
      this.watchdogs.set(lease.token, timer);
    };
    schedule();
  }

  private stopWatchdog(token: string): void {
    const timer = this.watchdogs.get(token);
    if (timer) clearTimeout(timer);
    this.watchdogs.delete(token);
  }
}

function leaseValue(token: string, owner: string): string {
  return `${token} ${owner}`;
}
