/**
 * Private PostgreSQL and Redis servers for the fault tests: the same server binaries as the
 * machine's services, on ports of their own, so stopping and restarting them cannot break the
 * suites that run beside these tests (jest runs two files at once) against 5432 and 6379.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freePort } from '../free-port';

const exec = promisify(execFile);

export interface PrivateService {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes it; safe to call twice. */
  destroy(): Promise<void>;
}

/** Polls `answers` until it resolves true, at most `attempts` times (a bounded wait for a condition, not for time). */
async function until(what: string, answers: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await answers().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not answer`);
}

export async function startPrivatePostgres(): Promise<PrivateService> {
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (!version) throw new Error('PostgreSQL server is not installed (/etc/postgresql is empty): install postgresql');
  const name = `xgfaults${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const port = await freePort();
  const ctl = (action: string) => exec('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action]);
  await exec('pg_createcluster', [version, name, '-p', String(port), '--start', '--', '--auth=trust']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const answers = async () => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await until(`PostgreSQL on port ${port}`, answers);
  let destroyed = false;
  return {
    port,
    url,
    stop: async () => {
      await ctl('stop');
    },
    start: async () => {
      await ctl('start');
      await until(`PostgreSQL on port ${port}`, answers);
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await exec('pg_dropcluster', ['--stop', version, name]);
    },
  };
}

export async function startPrivateRedis(): Promise<PrivateService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'xg-redis-'));
  // The machine's Redis runs like this too: no RDB, no AOF.
  const start = async () => {
    await exec('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      join(dir, 'redis.log'),
      '--pidfile',
      join(dir, 'redis.pid'),
    ]);
    await until(`Redis on port ${port}`, async () => (await exec('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG');
  };
  const stop = async () => {
    await exec('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    await until(`Redis on port ${port} to stop`, async () => {
      const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return false;
      } catch {
        return true;
      } finally {
        probe.disconnect();
      }
    });
  };
  await start();
  let destroyed = false;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
