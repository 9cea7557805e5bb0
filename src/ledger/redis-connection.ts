import { createHash } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';
import { LedgerError, LedgerUnavailableError } from '../errors';
import { LedgerConfigError } from './config-error';

export interface RedisConnectionOptions {
  /** redis://[user:password@]host:port/db or rediss:// for TLS; the separate fields below override its parts. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: boolean;
}

/** Where a message should point the user: "Warn" goes to the host's log. */
export interface LedgerLogger {
  warn(message: string): void;
}

export const consoleLogger: LedgerLogger = { warn: (message) => console.warn(message) };

/** A Lua script run by EVALSHA, falling back to EVAL the first time a server has not seen it. */
export interface RedisScript {
  lua: string;
  sha: string;
}

export function redisScript(lua: string): RedisScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * One ioredis client with the settings a ledger needs: commands fail at once while Redis is
 * unreachable (no offline queue, no silent re-send of a write whose answer was lost), so callers
 * get a retryable error instead of hanging, while the client keeps reconnecting in the background.
 */
export class RedisLink {
  readonly client: Redis;
  /** host:port, for messages. */
  readonly endpoint: string;
  private lastErrorCode: string | undefined;
  private connecting: Promise<void> | null = null;

  constructor(options: RedisConnectionOptions) {
    const settings: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
      connectionName: 'xero-guard-ledger',
    };
    if (options.host !== undefined) settings.host = options.host;
    if (options.port !== undefined) settings.port = options.port;
    if (options.username !== undefined) settings.username = options.username;
    if (options.password !== undefined) settings.password = options.password;
    if (options.db !== undefined) settings.db = options.db;
    if (options.tls) settings.tls = {};
    if (options.url !== undefined && !/^rediss?:\/\//.test(options.url)) {
      throw new LedgerConfigError('Option "url" for Redis must start with redis:// or rediss:// (e.g. redis://:password@redis.example.com:6379/0).');
    }
    this.client = options.url ? new Redis(options.url, settings) : new Redis(settings);
    this.endpoint = `${this.client.options.host ?? 'localhost'}:${this.client.options.port ?? 6379}`;
    // ioredis reports every failed reconnect here; without a listener it would log each one.
    this.client.on('error', (error: unknown) => {
      this.lastErrorCode = codeOf(error) ?? this.lastErrorCode;
    });
    this.client.on('ready', () => {
      this.lastErrorCode = undefined;
    });
  }

  /** Runs `command`, turning a connection failure into a retryable error that names the server. */
  async run<T>(action: string, command: (client: Redis) => Promise<T>): Promise<T> {
    await this.connect(action);
    try {
      return await command(this.client);
    } catch (error) {
      throw this.unavailable(error, action);
    }
  }

  async script(action: string, script: RedisScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.run(action, async (client) => {
      try {
        return await client.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        return client.eval(script.lua, keys.length, ...keys, ...args);
      }
    });
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    // Not connected (never, or Redis is down): quit would wait for a connection; stop reconnecting instead.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** The first use connects; later, ioredis reconnects by itself and commands fail fast meanwhile. */
  private async connect(action: string): Promise<void> {
    if (this.client.status !== 'wait') return;
    if (!this.connecting) {
      this.connecting = this.client.connect().catch((error: unknown) => {
        this.connecting = null;
        throw this.unavailable(error, action);
      });
    }
    await this.connecting;
  }

  private unavailable(error: unknown, action: string): LedgerError {
    if (error instanceof LedgerError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
      return new LedgerUnavailableError(
        `Redis at ${this.endpoint} refused the Xero Guard ledger's credentials: fix QUEUE_BULL_REDIS_USERNAME/PASSWORD (or the ledger's Redis settings).`,
      );
    }
    if (/^(ERR|WRONGTYPE|NOPERM)/.test(message)) {
      return new LedgerUnavailableError(`Redis at ${this.endpoint} failed to ${action} for the Xero Guard ledger: ${message}`);
    }
    const code = codeOf(error) ?? this.lastErrorCode ?? 'connection lost';
    return new LedgerUnavailableError(
      `Cannot reach Redis at ${this.endpoint} for the Xero Guard ledger (${code}) while trying to ${action}: start it or fix QUEUE_BULL_REDIS_HOST/PORT (or the ledger's Redis settings). The Xero connection is not broken; retry when Redis is back.`,
      true,
    );
  }
}

function codeOf(error: unknown): string | undefined {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function validateKeyPrefix(keyPrefix: string): string {
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 100 || /\s/.test(keyPrefix)) {
    throw new LedgerConfigError(
      `Option "keyPrefix" must be a string of at most 100 characters without spaces (got ${JSON.stringify(keyPrefix)}); the default is "xero-guard:".`,
    );
  }
  return keyPrefix;
}

/** Keys of one connection share a hash tag, so they live in one slot should the server be a cluster. */
export function connectionKeyBase(keyPrefix: string, key: string): string {
  return `${keyPrefix}conn:{${createHash('sha256').update(key).digest('hex').slice(0, 32)}}`;
}
