/**
 * n8n in queue mode for one test file or benchmark run: a private PostgreSQL database (n8n's tables
 * and Xero Guard's ledger tables, dropped afterwards), a Bull queue under its own prefix on a Redis
 * (the shared one, or a private one), a main process (the harness's startN8n) and `n8n worker`
 * processes, each with its own task-runner broker port, all loading the packed package from the
 * same N8N_USER_FOLDER/.n8n/nodes. Every process is stopped and checked gone in stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DEFAULT_N8N_VERSION, ensureN8n, progress, tail, type N8nInstall } from '../n8n/install';
import { freePort } from '../free-port';
import { E2E_ENCRYPTION_KEY, killLeftovers, processesOf, startN8n, waitFor, type N8nHandle } from '../n8n/n8n';

export const PG = { host: '127.0.0.1', port: 5432, user: 'root', password: '', adminDatabase: 'test' };

export interface PrivateDatabase {
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE xg_e2e_<random> on the machine's PostgreSQL; drop() ends its sessions and drops it. */
export async function createPrivateDatabase(label = 'e2e'): Promise<PrivateDatabase> {
  const name = `xg_${label}_${randomBytes(4).toString('hex')}`;
  const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ host: PG.host, port: PG.port, user: PG.user, password: PG.password, database: PG.adminDatabase });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    drop: () =>
      admin(async (c) => {
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}

/** n8n's settings for keeping its data in `database` on the machine's PostgreSQL. */
export function postgresEnv(database: string): Record<string, string> {
  return {
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: PG.host,
    DB_POSTGRESDB_PORT: String(PG.port),
    DB_POSTGRESDB_DATABASE: database,
    DB_POSTGRESDB_USER: PG.user,
    DB_POSTGRESDB_PASSWORD: PG.password,
  };
}

/** Deletes every key of a Bull prefix (the queue's jobs) so runs leave nothing in a shared Redis. */
export async function deleteRedisPrefix(redis: { host: string; port: number }, prefix: string): Promise<number> {
  const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

/** The environment the harness gives n8n (see RunningN8n.env in ../n8n/n8n.ts), for a worker. */
function workerEnv(
  install: N8nInstall,
  userFolder: string,
  mainUrl: string,
  extra: Record<string, string>,
  marker: string,
  brokerPort: number,
  healthPort: number,
): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const key of ['HOME', 'LANG', 'TZ', 'NODE_EXTRA_CA_CERTS', 'TMPDIR', 'XERO_GUARD_CACHE']) {
    if (process.env[key] !== undefined) base[key] = process.env[key];
  }
  return {
    ...base,
    PATH: `${install.node.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NODE_ENV: 'production',
    NO_PROXY: '127.0.0.1,localhost',
    N8N_USER_FOLDER: userFolder,
    N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
    WEBHOOK_URL: `${mainUrl}/`,
    N8N_EDITOR_BASE_URL: `${mainUrl}/`,
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    QUEUE_HEALTH_CHECK_ACTIVE: 'true',
    QUEUE_HEALTH_CHECK_PORT: String(healthPort),
    N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '3',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
    N8N_REINSTALL_MISSING_PACKAGES: 'false',
    N8N_LOG_LEVEL: 'debug',
    N8N_LOG_OUTPUT: 'console',
    [marker.split('=')[0] as string]: marker.split('=')[1] as string,
    ...extra,
  };
}

/** One `n8n worker` process (and the task runner it spawns), in its own process group. */
export class Worker {
  readonly marker = `XERO_GUARD_E2E_ID=${randomUUID()}`;
  readonly logs: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitCode: number | null | undefined;
  healthPort = 0;

  /** A webhook process's own HTTP port (production webhooks), 0 for a worker. */
  port = 0;

  constructor(
    readonly name: string,
    private readonly install: N8nInstall,
    private readonly userFolder: string,
    private readonly mainUrl: string,
    private readonly env: Record<string, string>,
    private readonly concurrency: number,
    /** `worker` runs executions; `webhook` answers production webhooks (n8n's webhook processes). */
    private readonly command: 'worker' | 'webhook' = 'worker',
  ) {}

  /** Where a webhook process answers (its /webhook/... URLs). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 180_000): Promise<void> {
    const started = Date.now();
    this.healthPort = await freePort();
    const logFile = join(this.userFolder, `${this.name}-${Date.now()}.log`);
    this.logs.push(logFile);
    const fd = openSync(logFile, 'a');
    const env = workerEnv(this.install, this.userFolder, this.mainUrl, this.env, this.marker, await freePort(), this.healthPort);
    if (this.command === 'webhook') {
      this.port ||= await freePort();
      Object.assign(env, { N8N_PORT: String(this.port), N8N_LISTEN_ADDRESS: '127.0.0.1' });
    }
    const args = this.command === 'webhook' ? ['webhook'] : ['worker', `--concurrency=${this.concurrency}`];
    const child = spawn(this.install.node.node, [this.install.bin, ...args], {
      cwd: this.userFolder,
      env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    this.child = child;
    this.exitCode = undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      });
      child.once('error', () => {
        this.exitCode = -1;
        resolve();
      });
    });
    try {
      await waitFor(
        `${this.name} to answer /healthz/readiness`,
        async () => {
          if (this.exitCode !== undefined) throw new Error(`${this.name} exited with ${this.exitCode} while booting`);
          const port = this.command === 'webhook' ? this.port : this.healthPort;
          const health = await fetch(`http://127.0.0.1:${port}/healthz/readiness`).catch(() => undefined);
          return health?.status === 200 ? true : undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      const log = this.logTail(60);
      await this.stop().catch(() => undefined);
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${this.name} log (tail) ---\n${log}`);
    }
    progress(`${this.name} up (pid ${child.pid}) in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  /** SIGKILL to the whole group at once: a crash, not a shutdown. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async stop(first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const pgid = child.pid;
    const signal = (sig: NodeJS.Signals): void => {
      if (pgid === undefined) return;
      try {
        process.kill(-pgid, sig);
      } catch {
        /* group gone */
      }
    };
    if (this.exitCode === undefined) {
      signal(first);
      if (first !== 'SIGKILL') await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    }
    signal('SIGKILL');
    await this.exited;
    await killLeftovers(pgid, this.marker, `every process of ${this.name}`);
    this.child = undefined;
  }

  /** Every execution id this worker (in any of its boots) logged as started. */
  executionsStarted(): Set<string> {
    const ids = new Set<string>();
    for (const file of this.logs) {
      if (!existsSync(file)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/Worker started execution (\d+)/g)) ids.add(m[1] as string);
    }
    return ids;
  }

  logTail(lines = 80): string {
    const file = this.logs.at(-1);
    return file && existsSync(file) ? tail(readFileSync(file, 'utf8'), lines) : '(no log)';
  }

  processesLeft(): Array<{ pid: number; cmd: string }> {
    return processesOf(undefined, this.marker);
  }
}

/** Activates a workflow (public API), naming the workflow and n8n's answer when it refuses. */
export async function activateInQueueMode(main: N8nHandle, workflowId: string): Promise<void> {
  const answer = await main.api('POST', `/workflows/${workflowId}/activate`);
  if (answer.status !== 200) throw new Error(`activating ${workflowId} answered ${answer.status} ${answer.text.slice(0, 300)}`);
}

export interface QueueStackOptions {
  workers?: number;
  redis?: { host: string; port: number };
  version?: string;
  /** Extra environment for every process (main and workers). */
  env?: Record<string, string>;
  concurrency?: number;
  label?: string;
  /** n8n webhook processes (`n8n webhook`) beside main, default none. */
  webhookProcesses?: number;
}

export interface QueueStack {
  main: N8nHandle;
  workers: Worker[];
  /** The webhook processes (their `url`), in the order started. */
  webhooks: Worker[];
  database: PrivateDatabase;
  prefix: string;
  userFolder: string;
  /** Stops main and workers, starts them again (workers after main: main runs the migrations). */
  restartAll(): Promise<void>;
  /** Which worker logged each execution id. */
  workerOf(executionId: string): string | undefined;
  /** Every n8n process of this stack still alive (should be empty after stop()). */
  processesLeft(): Array<{ pid: number; cmd: string }>;
  diagnostics(): string;
  stop(): Promise<void>;
}

export async function startQueueStack(options: QueueStackOptions = {}): Promise<QueueStack> {
  const redis = options.redis ?? { host: '127.0.0.1', port: 6379 };
  const install = await ensureN8n(options.version ?? DEFAULT_N8N_VERSION);
  const database = await createPrivateDatabase(options.label ?? 'e2e');
  const prefix = `xg-${options.label ?? 'e2e'}-${randomBytes(4).toString('hex')}`;
  const userFolder = mkdtempSync(join(tmpdir(), 'xero-guard-queue-'));
  const env: Record<string, string> = {
    EXECUTIONS_MODE: 'queue',
    ...postgresEnv(database.name),
    QUEUE_BULL_REDIS_HOST: redis.host,
    QUEUE_BULL_REDIS_PORT: String(redis.port),
    QUEUE_BULL_PREFIX: prefix,
    // n8n's cache lives in the queue Redis in queue mode (webhook registrations included): under a key
    // prefix of this run, or a later run finds this run's webhooks there and refuses to activate (409).
    N8N_CACHE_REDIS_KEY_PREFIX: `${prefix}-cache`,
    // n8n removes a finished job from Redis at once by default; the main process then misses the end of
    // an execution that finished before it subscribed to Bull's completion events (its first job, seen
    // in CI: the Xero Guard Trigger waited on it, and a webhook never answered). Kept jobs are found by
    // Bull's own check after subscribing. docs/n8n.md says the same to users.
    N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '100',
    N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '100',
    ...options.env,
  };
  let main: N8nHandle | undefined;
  const workers: Worker[] = [];
  const webhooks: Worker[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const w of [...webhooks, ...workers]) await w.stop().catch(() => undefined);
    await main?.stop().catch(() => undefined);
    await database.drop().catch((error: unknown) => progress(`could not drop ${database.name}: ${String(error)}`));
    await deleteRedisPrefix(redis, prefix).catch(() => undefined);
    await deleteRedisPrefix(redis, `n8n:${prefix}-cache`).catch(() => undefined);
    await deleteRedisPrefix(redis, `${prefix}-cache`).catch(() => undefined);
    if (process.env.XERO_GUARD_KEEP_N8N !== '1') rmSync(userFolder, { recursive: true, force: true });
  };
  try {
    main = await startN8n({ userFolder, env, version: install.version });
    for (let i = 0; i < (options.workers ?? 2); i++) {
      const worker = new Worker(`worker-${i + 1}`, install, userFolder, main.url, env, options.concurrency ?? 10);
      workers.push(worker);
      await worker.start();
    }
    for (let i = 0; i < (options.webhookProcesses ?? 0); i++) {
      const process = new Worker(`webhook-${i + 1}`, install, userFolder, main.url, env, 1, 'webhook');
      webhooks.push(process);
      await process.start();
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const theMain = main;
  const stack: QueueStack = {
    main: theMain,
    workers,
    webhooks,
    database,
    prefix,
    userFolder,
    async restartAll() {
      for (const w of workers) await w.stop();
      await theMain.restart();
      for (const w of workers) await w.start();
    },
    workerOf(executionId: string) {
      return workers.find((w) => w.executionsStarted().has(executionId))?.name;
    },
    processesLeft() {
      return [...processesOf(undefined, theMain.marker), ...[...workers, ...webhooks].flatMap((w) => w.processesLeft())];
    },
    diagnostics() {
      return [...workers, ...webhooks].map((w) => `--- ${w.name} log (tail) ---\n${w.logTail(40)}`).join('\n');
    },
    stop: cleanUp,
  };
  return stack;
}
