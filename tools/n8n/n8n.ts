/**
 * A real n8n, booted headless for one test file: a fresh user folder with our packed tarball
 * installed as a community package, an owner, an API key, and helpers to import, activate, run
 * and inspect. `stop()` kills the whole process group and proves nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port';
import { DEFAULT_N8N_VERSION, ensureN8n, progress, run, tail, type N8nInstall } from './install';
import { packPackage } from './pack';

/** Fixed, so a restarted n8n (and the CLI) decrypts what the first boot stored. Test-only. */
export const E2E_ENCRYPTION_KEY = 'xero-guard-e2e-encryption-key-0123456789';
export const OWNER = { email: 'owner@xero-guard.test', firstName: 'Test', lastName: 'Owner', password: 'E2e-Passw0rd!' };
const BROWSER_ID = 'xero-guard-e2e-browser';

/**
 * fetch, with one more try of a GET when the socket it reused had just been closed by n8n (a
 * keep-alive race that shows on a loaded machine). Anything else fails at once.
 */
async function harnessFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const idempotent = (init.method ?? 'GET').toUpperCase() === 'GET';
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const code = cause?.code;
      if (!idempotent || attempt >= 3 || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) {
        throw new Error(`${init.method ?? 'GET'} ${url} failed: ${code ?? cause?.message ?? String(error)} (attempt ${attempt})`, { cause: error });
      }
    }
  }
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: last error ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs)); // poll interval, not a wait for time
  }
}

/** Every live process whose process group is `pgid`, or whose environment carries `marker` (with its own group, `pgrp`). */
export function processesOf(pgid: number | undefined, marker: string): Array<{ pid: number; pgrp: number; cmd: string }> {
  const found: Array<{ pid: number; pgrp: number; cmd: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp ...
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z') continue; // a zombie is already dead; its parent reaps it
      const pgrp = Number(after[2]);
      let hit = pgid !== undefined && pgrp === pgid;
      if (!hit) {
        try {
          hit = readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker);
        } catch {
          hit = false;
        }
      }
      if (hit) found.push({ pid, pgrp, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Kills whatever is left of a process group or carries `marker`, and waits until nothing is. */
export async function killLeftovers(pgid: number | undefined, marker: string, what: string): Promise<void> {
  await waitFor(
    `${what} to end`,
    () => {
      const left = processesOf(pgid, marker);
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      return left.length === 0 ? true : undefined;
    },
    10_000,
    100,
  );
}

export interface StartN8nOptions {
  /** Reuse a user folder (the parent of `.n8n`); a fresh temp dir when absent. */
  userFolder?: string;
  env?: Record<string, string>;
  port?: number;
  version?: string;
  /** Install our packed tarball into .n8n/nodes (default true). */
  installPackage?: boolean;
  /** Bound for boot until the REST API answers. */
  bootTimeoutMs?: number;
  /** The API key's label; one of this label made by an earlier boot of the same folder is replaced. Default: a new `e2e-…` key each boot. */
  apiKeyLabel?: string;
}

export interface RestAnswer {
  status: number;
  /** The body parsed as JSON (undefined when it was not JSON): the caller says what shape it expects. */
  json: unknown;
  text: string;
}

/** n8n's internal REST API wraps what it answers: `{ data: ... }`. */
interface Wrapped<T> {
  data: T;
}

/** One item a node put out (n8n's INodeExecutionData), as the public API shows it. */
export interface N8nItem {
  json: Record<string, unknown>;
}

/** The error an execution failed with (n8n's serialised NodeApiError/NodeOperationError): the fields the tests read. */
export interface N8nExecutionError {
  message: string;
  description?: string | null;
  /** Set by n8n when the node says why it failed (e.g. `{ cause: 'credential-invalid' }`). */
  failure?: unknown;
  [field: string]: unknown;
}

/**
 * One execution as GET /api/v1/executions answers it (n8n's public API, openapi.yml): the fields the
 * tests and benches read. `data` and `workflowData` come with includeData=true, which executions() always asks for.
 */
export interface N8nExecution {
  id: string;
  status: 'canceled' | 'crashed' | 'error' | 'new' | 'running' | 'success' | 'unknown' | 'waiting';
  workflowId: string;
  /** When n8n started and ended the run (ISO 8601, n8n's clock); stoppedAt is null while it runs. */
  startedAt: string | null;
  stoppedAt: string | null;
  workflowData?: { name: string };
  data: {
    resultData: {
      /** Per node name, each run of that node; `main` holds the items of each output. */
      runData: Record<string, Array<{ data: { main: N8nItem[][] } }>>;
      error?: N8nExecutionError;
    };
  };
}

/** The items a node put out in an execution (its first run, first output); none when it did not run. */
export function nodeOutput(execution: N8nExecution, node: string): N8nItem[] {
  return execution.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? [];
}

/** One credential as `n8n export:credentials --decrypted` writes it; `data` is the decrypted fields (a JSON string in some versions). */
export interface N8nExportedCredential {
  id: string;
  name: string;
  type: string;
  data: string | Record<string, unknown>;
}

export interface N8nHandle {
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  readonly userFolder: string;
  readonly version: string;
  /** The unique env marker every n8n process of this handle carries. */
  readonly marker: string;
  readonly pid: number | undefined;
  /** Public API call with the API key (`path` under /api/v1). */
  api(method: string, path: string, body?: unknown): Promise<RestAnswer>;
  /** Internal REST call with the owner's session (`path` under /rest). */
  rest(method: string, path: string, body?: unknown): Promise<RestAnswer>;
  /**
   * A member of the instance (n8n's global:member role, with a personal project of their own):
   * invited by the owner, signed up through the invitation link, logged in, with an API key.
   */
  createMember(email: string): Promise<N8nMember>;
  /** `n8n import:credentials`: plain `data` is encrypted on import. Returns the ids. */
  importCredentials(credentials: unknown[] | Record<string, unknown>): Promise<string[]>;
  /** Public API POST /workflows (only the fields the API accepts are sent). Returns the id. */
  importWorkflow(workflow: Record<string, unknown>): Promise<string>;
  /** `n8n import:workflow --input file`: the path a user's exported file takes. Returns the ids. */
  importWorkflowFile(file: string): Promise<string[]>;
  activate(workflowId: string): Promise<void>;
  deactivate(workflowId: string): Promise<void>;
  /** `n8n execute --id` in its own process (own broker port). The workflow needs a Manual Trigger. */
  runWorkflow(workflowId: string): Promise<{ ok: boolean; output: string; data: unknown }>;
  /** POST to a production webhook of an active workflow (retried while n8n has not registered it yet). */
  webhook(path: string, body?: unknown): Promise<RestAnswer>;
  /** The node types n8n loaded (the editor's /types/nodes.json). */
  nodeTypes(): Promise<Array<{ name: string; displayName: string; version: number | number[] }>>;
  credentialTypes(): Promise<Array<{ name: string; displayName: string }>>;
  /** Executions, newest first, with data. */
  executions(query?: { workflowId?: string; status?: string; limit?: number }): Promise<N8nExecution[]>;
  /** `n8n export:credentials --decrypted` of one credential. */
  exportCredential(id: string): Promise<N8nExportedCredential>;
  /** Runs an n8n CLI command against this user folder with Node 24. */
  cli(args: string[], opts?: { allowFailure?: boolean }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  logTail(lines?: number): string;
  /** The whole log of the running n8n process (since its last start). */
  currentLog(): string;
  /** Stops and boots again on the same user folder (same database, ledger, port); `env` adds or overrides variables from now on. */
  restart(opts?: { env?: Record<string, string> }): Promise<void>;
  /** Stops the n8n process and keeps its folder: `restart()` boots it again (a test changes things while n8n is down). */
  stopProcess(): Promise<void>;
  stop(): Promise<void>;
}

/** One member of the instance, acting with their own session and API key, as they would in the editor. */
export interface N8nMember {
  readonly id: string;
  readonly email: string;
  /** Internal REST call with the member's session (`path` under /rest). */
  rest(method: string, path: string, body?: unknown): Promise<RestAnswer>;
  /** Public API call with the member's API key (`path` under /api/v1). */
  api(method: string, path: string, body?: unknown): Promise<RestAnswer>;
  /** POST /rest/credentials, as the editor's "Save": the credential lands in the member's personal project. */
  createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<{ id: string; name: string }>;
  /** Public API POST /workflows with the member's key (their personal project). Returns the id. */
  importWorkflow(workflow: Record<string, unknown>): Promise<string>;
  activate(workflowId: string): Promise<void>;
}

/** What POST /rest/api-keys answers: the new key, as rawApiKey or apiKey depending on n8n's version. */
interface CreatedApiKey {
  rawApiKey?: unknown;
  apiKey?: unknown;
}

type Requester = (method: string, path: string, body?: unknown) => Promise<RestAnswer>;

/** The fields of a workflow the public API accepts, POSTed with whoever's key `api` carries. */
async function postWorkflow(api: Requester, workflow: Record<string, unknown>): Promise<string> {
  const { name, nodes, connections, settings, staticData } = workflow;
  const answer = await api('POST', '/workflows', {
    name,
    nodes,
    connections,
    settings: settings ?? { executionOrder: 'v1' },
    ...(staticData ? { staticData } : {}),
  });
  if (answer.status !== 200) throw new Error(`POST /api/v1/workflows answered ${answer.status} ${answer.text.slice(0, 500)}`);
  return (answer.json as { id: string }).id;
}

async function activateWith(api: Requester, workflowId: string): Promise<void> {
  const answer = await api('POST', `/workflows/${workflowId}/activate`);
  if (answer.status !== 200) throw new Error(`activating ${workflowId} answered ${answer.status} ${answer.text.slice(0, 500)}`);
}

interface Runtime {
  child: ChildProcess;
  exited: Promise<void>;
  exitCode: number | null | undefined;
  logFile: string;
}

class RunningN8n implements N8nHandle {
  apiKey = '';
  port: number;
  private runtime: Runtime | undefined;
  private cookie = '';
  private logs: string[] = [];
  readonly marker = `XERO_GUARD_E2E_ID=${randomUUID()}`;

  constructor(
    private readonly install: N8nInstall,
    readonly userFolder: string,
    port: number,
    private readonly extraEnv: Record<string, string>,
    private readonly ownsFolder: boolean,
    private readonly apiKeyLabel?: string,
  ) {
    this.port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get version(): string {
    return this.install.version;
  }

  get pid(): number | undefined {
    return this.runtime?.child.pid;
  }

  env(brokerPort: number): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {};
    // A clean environment: nothing from jest (NODE_ENV=test changes n8n's behaviour) or npm.
    for (const key of ['HOME', 'LANG', 'TZ', 'NODE_EXTRA_CA_CERTS', 'TMPDIR', 'XERO_GUARD_CACHE']) {
      if (process.env[key] !== undefined) base[key] = process.env[key];
    }
    return {
      ...base,
      PATH: `${this.install.node.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      NODE_ENV: 'production',
      NO_PROXY: '127.0.0.1,localhost',
      N8N_USER_FOLDER: this.userFolder,
      N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
      N8N_PORT: String(this.port),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_HOST: '127.0.0.1',
      N8N_PROTOCOL: 'http',
      WEBHOOK_URL: `${this.url}/`,
      N8N_EDITOR_BASE_URL: `${this.url}/`,
      N8N_SECURE_COOKIE: 'false',
      N8N_RUNNERS_BROKER_PORT: String(brokerPort),
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '3',
      N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
      N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
      N8N_REINSTALL_MISSING_PACKAGES: 'false',
      N8N_PUBLIC_API_DISABLED: 'false',
      N8N_LOG_LEVEL: 'debug', // poll runs and package loading are logged at debug only
      N8N_LOG_OUTPUT: 'console',
      DB_TYPE: 'sqlite',
      EXECUTIONS_MODE: 'regular',
      [this.marker.split('=')[0] as string]: this.marker.split('=')[1] as string,
      ...this.extraEnv,
    };
  }

  async cli(args: string[], opts: { allowFailure?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const brokerPort = await freePort();
    return run(this.install.node.node, [this.install.bin, ...args], {
      cwd: this.userFolder,
      env: this.env(brokerPort),
      label: `n8n ${args.join(' ')}`,
      allowFailure: opts.allowFailure,
      timeoutMs: 180_000,
    });
  }

  async boot(timeoutMs: number): Promise<void> {
    const brokerPort = await freePort();
    const logFile = join(this.userFolder, `n8n-${Date.now()}.log`);
    this.logs.push(logFile);
    const fd = openSync(logFile, 'a');
    const started = Date.now();
    // detached: n8n leads its own process group, so stop() reaches the task runner it spawns too.
    const child = spawn(this.install.node.node, [this.install.bin, 'start'], {
      cwd: this.userFolder,
      env: this.env(brokerPort),
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const runtime: Runtime = { child, logFile, exitCode: undefined, exited: Promise.resolve() };
    runtime.exited = new Promise<void>((resolve) => {
      child.once('exit', (code) => {
        runtime.exitCode = code;
        resolve();
      });
      child.once('error', () => {
        runtime.exitCode = -1;
        resolve();
      });
    });
    this.runtime = runtime;
    try {
      await waitFor(
        'n8n to answer /healthz/readiness and its REST API',
        async () => {
          if (runtime.exitCode !== undefined) throw new ExitedEarly(`n8n exited with ${runtime.exitCode} while booting`);
          const health = await fetch(`${this.url}/healthz/readiness`).catch(() => undefined);
          if (health?.status !== 200) return undefined;
          const settings = await fetch(`${this.url}/rest/settings`).catch(() => undefined);
          return settings?.status === 200 ? true : undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const logTail = this.logTail(80); // before anything is cleaned up
      await this.stopProcess().catch(() => undefined);
      throw new Error(`n8n ${this.version} did not start: ${message}\n--- n8n log (tail) ---\n${logTail}`);
    }
    progress(`n8n ${this.version} up on ${this.url} in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  private async request(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<RestAnswer & { headers: Headers }> {
    const res = await harnessFetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  async rest(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    return this.request(`${this.url}/rest${path}`, method, { cookie: this.cookie, 'browser-id': BROWSER_ID }, body);
  }

  async api(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    return this.request(`${this.url}/api/v1${path}`, method, { 'X-N8N-API-KEY': this.apiKey, accept: 'application/json' }, body);
  }

  /** The owner (set up on the first boot of a folder, logged in afterwards) and an API key. */
  async setUpOwner(): Promise<void> {
    const setup = await this.request(`${this.url}/rest/owner/setup`, 'POST', { 'browser-id': BROWSER_ID }, OWNER);
    let answer = setup;
    if (setup.status !== 200) {
      answer = await this.request(
        `${this.url}/rest/login`,
        'POST',
        { 'browser-id': BROWSER_ID },
        { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
      );
      if (answer.status !== 200)
        throw new Error(`owner setup answered ${setup.status} ${setup.text.slice(0, 300)}; login answered ${answer.status} ${answer.text.slice(0, 300)}`);
    }
    const cookies = answer.headers.getSetCookie().map((c) => c.split(';')[0]);
    this.cookie = cookies.join('; ');
    if (!this.cookie.includes('n8n-auth=')) throw new Error(`no n8n-auth cookie after owner setup/login: ${JSON.stringify(answer.headers.getSetCookie())}`);
    if (this.apiKey) return; // keys live in the database: a restart keeps them
    const scopes = await this.rest('GET', '/api-keys/scopes');
    if (scopes.status !== 200) throw new Error(`GET /rest/api-keys/scopes answered ${scopes.status} ${scopes.text.slice(0, 300)}`);
    // A folder kept across runs (the demo's) would gather a key per boot: the one of its label is replaced instead.
    const label = this.apiKeyLabel ?? `e2e-${randomBytes(3).toString('hex')}`;
    if (this.apiKeyLabel !== undefined) await this.deleteApiKeys(this.apiKeyLabel);
    const created = await this.rest('POST', '/api-keys', { label, expiresAt: null, scopes: (scopes.json as Wrapped<unknown>).data });
    const createdKey = (created.json as Partial<Wrapped<CreatedApiKey>> | undefined)?.data;
    const key = createdKey?.rawApiKey ?? createdKey?.apiKey;
    if (created.status !== 200 || typeof key !== 'string') throw new Error(`POST /rest/api-keys answered ${created.status} ${created.text.slice(0, 300)}`);
    this.apiKey = key;
  }

  private async deleteApiKeys(label: string): Promise<void> {
    const listed = await this.rest('GET', `/api-keys?label=${encodeURIComponent(label)}`);
    if (listed.status !== 200) throw new Error(`GET /rest/api-keys answered ${listed.status} ${listed.text.slice(0, 300)}`);
    // n8n 2.41 answers a page ({ items, counts }); older ones the bare list.
    const data = (listed.json as Partial<Wrapped<{ items?: unknown } | unknown[]>> | undefined)?.data;
    const keys = (Array.isArray(data) ? data : (data?.items ?? [])) as Array<{ id: string; label: string }>;
    for (const key of keys) {
      if (key.label !== label) continue;
      const deleted = await this.rest('DELETE', `/api-keys/${key.id}`);
      if (deleted.status !== 200) throw new Error(`DELETE /rest/api-keys/${key.id} answered ${deleted.status} ${deleted.text.slice(0, 300)}`);
    }
  }

  async createMember(email: string): Promise<N8nMember> {
    const invited = await this.rest('POST', '/invitations', [{ email, role: 'global:member' }]);
    const link = (invited.json as Partial<Wrapped<Array<{ user?: { inviteAcceptUrl?: unknown } } | undefined>>> | undefined)?.data?.[0]?.user?.inviteAcceptUrl;
    if (invited.status !== 200 || typeof link !== 'string') throw new Error(`inviting ${email} answered ${invited.status} ${invited.text.slice(0, 300)}`);
    const token = new URL(link).searchParams.get('token');
    const accepted = await this.request(
      `${this.url}/rest/invitations/accept`,
      'POST',
      { 'browser-id': BROWSER_ID },
      { token, firstName: email.split('@')[0], lastName: 'Member', password: OWNER.password },
    );
    if (accepted.status !== 200) throw new Error(`accepting the invitation of ${email} answered ${accepted.status} ${accepted.text.slice(0, 300)}`);
    const cookie = accepted.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (!cookie.includes('n8n-auth=')) throw new Error(`no n8n-auth cookie after ${email} signed up`);
    const rest: Requester = (method, path, body) => this.request(`${this.url}/rest${path}`, method, { cookie, 'browser-id': BROWSER_ID }, body);
    const scopes = await rest('GET', '/api-keys/scopes');
    const created = await rest('POST', '/api-keys', {
      label: `e2e-${randomBytes(3).toString('hex')}`,
      expiresAt: null,
      scopes: (scopes.json as Partial<Wrapped<unknown>> | undefined)?.data,
    });
    const createdKey = (created.json as Partial<Wrapped<CreatedApiKey>> | undefined)?.data;
    const apiKey = createdKey?.rawApiKey ?? createdKey?.apiKey;
    if (created.status !== 200 || typeof apiKey !== 'string')
      throw new Error(`${email}: POST /rest/api-keys answered ${created.status} ${created.text.slice(0, 300)}`);
    const api: Requester = (method, path, body) =>
      this.request(`${this.url}/api/v1${path}`, method, { 'X-N8N-API-KEY': apiKey, accept: 'application/json' }, body);
    return {
      id: String((accepted.json as Partial<Wrapped<{ id?: unknown }>> | undefined)?.data?.id),
      email,
      rest,
      api,
      async createCredential(credential) {
        const answer = await rest('POST', '/credentials', credential);
        if (answer.status !== 200) throw new Error(`${email}: POST /rest/credentials answered ${answer.status} ${answer.text.slice(0, 300)}`);
        const saved = (answer.json as Wrapped<{ id: unknown; name: unknown }>).data;
        return { id: String(saved.id), name: String(saved.name) };
      },
      importWorkflow: (workflow) => postWorkflow(api, workflow),
      activate: (workflowId) => activateWith(api, workflowId),
    };
  }

  async importCredentials(credentials: unknown[] | Record<string, unknown>): Promise<string[]> {
    const list = (Array.isArray(credentials) ? credentials : [credentials]) as Array<Record<string, unknown>>;
    const withIds = list.map((c) => ({ ...c, id: typeof c.id === 'string' ? c.id : randomId() }));
    const file = join(this.userFolder, `credentials-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(file, JSON.stringify(withIds));
    try {
      await this.cli(['import:credentials', `--input=${file}`]);
    } finally {
      rmSync(file, { force: true }); // it holds plain secrets
    }
    return withIds.map((c) => c.id as string);
  }

  async importWorkflow(workflow: Record<string, unknown>): Promise<string> {
    return postWorkflow((method, path, body) => this.api(method, path, body), workflow);
  }

  async importWorkflowFile(file: string): Promise<string[]> {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> | Array<Record<string, unknown>>;
    const list = (Array.isArray(parsed) ? parsed : [parsed]).map((w) => ({ ...w, id: typeof w.id === 'string' ? w.id : randomId() }));
    const copy = join(this.userFolder, `workflow-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(copy, JSON.stringify(list));
    try {
      await this.cli(['import:workflow', `--input=${copy}`]);
    } finally {
      rmSync(copy, { force: true });
    }
    return list.map((w) => w.id as string);
  }

  async activate(workflowId: string): Promise<void> {
    await activateWith((method, path, body) => this.api(method, path, body), workflowId);
  }

  async deactivate(workflowId: string): Promise<void> {
    const answer = await this.api('POST', `/workflows/${workflowId}/deactivate`);
    if (answer.status !== 200) throw new Error(`deactivating ${workflowId} answered ${answer.status} ${answer.text.slice(0, 500)}`);
  }

  async runWorkflow(workflowId: string): Promise<{ ok: boolean; output: string; data: unknown }> {
    const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { allowFailure: true });
    const output = `${result.stdout}\n${result.stderr}`;
    let data: unknown;
    const start = result.stdout.indexOf('{');
    if (start >= 0) {
      try {
        data = JSON.parse(result.stdout.slice(start));
      } catch {
        data = undefined;
      }
    }
    return { ok: result.code === 0, output, data };
  }

  async webhook(path: string, body: unknown = {}): Promise<RestAnswer> {
    // n8n answers the activation before it has registered the webhook: an unregistered path runs
    // nothing and answers 404 "... is not registered", so retrying that (bounded) is safe.
    return waitFor(
      `webhook POST ${path} to be registered`,
      async () => {
        const answer = await this.request(`${this.url}/webhook/${path}`, 'POST', {}, body);
        return isUnregisteredWebhook(answer) ? undefined : answer;
      },
      90_000, // generous: on a loaded 2-core machine registration lags activation by seconds
    );
  }

  async nodeTypes(): Promise<Array<{ name: string; displayName: string; version: number | number[] }>> {
    const res = await harnessFetch(`${this.url}/types/nodes.json`, { headers: { cookie: this.cookie, 'browser-id': BROWSER_ID } });
    if (res.status !== 200) throw new Error(`GET /types/nodes.json answered ${res.status}`);
    return (await res.json()) as Array<{ name: string; displayName: string; version: number | number[] }>;
  }

  async credentialTypes(): Promise<Array<{ name: string; displayName: string }>> {
    const res = await harnessFetch(`${this.url}/types/credentials.json`, { headers: { cookie: this.cookie, 'browser-id': BROWSER_ID } });
    if (res.status !== 200) throw new Error(`GET /types/credentials.json answered ${res.status}`);
    return (await res.json()) as Array<{ name: string; displayName: string }>;
  }

  async executions(query: { workflowId?: string; status?: string; limit?: number } = {}): Promise<N8nExecution[]> {
    const params = new URLSearchParams({ includeData: 'true', limit: String(query.limit ?? 250) });
    if (query.workflowId) params.set('workflowId', query.workflowId);
    if (query.status) params.set('status', query.status);
    const answer = await this.api('GET', `/executions?${params.toString()}`);
    if (answer.status !== 200) throw new Error(`GET /api/v1/executions answered ${answer.status} ${answer.text.slice(0, 300)}`);
    return (answer.json as Wrapped<N8nExecution[]>).data;
  }

  async exportCredential(id: string): Promise<N8nExportedCredential> {
    const file = join(this.userFolder, `export-${randomBytes(4).toString('hex')}.json`);
    try {
      await this.cli(['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`]);
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as N8nExportedCredential[];
      return parsed[0];
    } finally {
      rmSync(file, { force: true });
    }
  }

  currentLog(): string {
    const file = this.logs.at(-1);
    return file && existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  logTail(lines = 60): string {
    const parts: string[] = [];
    for (const file of this.logs.slice(-2)) {
      if (!existsSync(file)) continue;
      parts.push(`== ${file} ==\n${tail(readFileSync(file, 'utf8'), lines)}`);
    }
    return parts.join('\n');
  }

  async restart(opts: { env?: Record<string, string> } = {}): Promise<void> {
    await this.stopProcess();
    Object.assign(this.extraEnv, opts.env ?? {});
    await this.boot(180_000);
    await this.setUpOwner();
  }

  async stopProcess(): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) return;
    const pgid = runtime.child.pid;
    const signal = (sig: NodeJS.Signals): void => {
      if (pgid === undefined) return;
      try {
        process.kill(-pgid, sig);
      } catch {
        /* group already gone */
      }
    };
    if (runtime.exitCode === undefined) {
      signal('SIGTERM');
      // N8N_GRACEFUL_SHUTDOWN_TIMEOUT is 3 s; allow for a loaded machine, then force.
      const graceful = await Promise.race([
        runtime.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000).unref()),
      ]);
      if (!graceful) progress(`n8n ${pgid} ignored SIGTERM for 15 s: SIGKILL`);
    }
    // Whatever is left in the group (a task runner, a stuck child) goes now.
    signal('SIGKILL');
    await runtime.exited;
    await killLeftovers(pgid, this.marker, 'every n8n process of this handle');
    this.runtime = undefined;
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    if (this.ownsFolder && process.env.XERO_GUARD_KEEP_N8N !== '1') rmSync(this.userFolder, { recursive: true, force: true });
  }
}

class ExitedEarly extends Error {}

function randomId(): string {
  // n8n's ids: 16 characters of [0-9a-zA-Z].
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Installs the packed tarball into `<userFolder>/.n8n/nodes` exactly as n8n 2.41's community-package
 * installer does (CommunityPackagesService.downloadPackage): unpack into nodes/node_modules/<name>,
 * drop dev, peer and optional dependencies from its package.json, `npm install` there with scripts
 * off, and record the package in nodes/package.json.
 */
export async function installPackageInto(userFolder: string, tarball: string): Promise<void> {
  const nodesDir = join(userFolder, '.n8n', 'nodes');
  const staging = join(nodesDir, '.staging');
  mkdirSync(staging, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1'], { label: 'unpack tarball' });
  const manifest = JSON.parse(readFileSync(join(staging, 'package.json'), 'utf8')) as Record<string, unknown> & { name: string; version: string };
  const { devDependencies: _dev, peerDependencies: _peer, optionalDependencies: _optional, ...kept } = manifest;
  writeFileSync(join(staging, 'package.json'), JSON.stringify(kept, null, 2));
  const packageDir = join(nodesDir, 'node_modules', ...manifest.name.split('/'));
  mkdirSync(join(packageDir, '..'), { recursive: true });
  rmSync(packageDir, { recursive: true, force: true });
  renameSync(staging, packageDir);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  await run(
    'npm',
    [
      'install',
      '--audit=false',
      '--fund=false',
      '--bin-links=false',
      '--install-strategy=shallow',
      '--ignore-scripts=true',
      '--package-lock=false',
      '--loglevel=error',
    ],
    {
      cwd: packageDir,
      env,
      label: `npm install (in .n8n/nodes/node_modules/${manifest.name})`,
    },
  );
  const nodesManifest = join(nodesDir, 'package.json');
  const existing = existsSync(nodesManifest) ? (JSON.parse(readFileSync(nodesManifest, 'utf8')) as { dependencies?: Record<string, string> }) : {};
  writeFileSync(
    nodesManifest,
    JSON.stringify(
      { name: 'installed-nodes', private: true, ...existing, dependencies: { ...existing.dependencies, [manifest.name]: manifest.version } },
      null,
      2,
    ),
  );
}

/** n8n's answer to a production webhook it has not registered yet (activation answers first): nothing ran. */
export function isUnregisteredWebhook(answer: { status: number; text: string }): boolean {
  return answer.status === 404 && answer.text.includes('is not registered');
}

export async function startN8n(options: StartN8nOptions = {}): Promise<N8nHandle> {
  // XERO_GUARD_E2E_N8N_VERSION runs the same suite on another n8n (issue 9: 2.20.x, 2.19.x).
  const install = await ensureN8n(options.version ?? (process.env.XERO_GUARD_E2E_N8N_VERSION || DEFAULT_N8N_VERSION));
  const ownsFolder = options.userFolder === undefined;
  const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), 'xero-guard-n8n-'));
  if (options.installPackage !== false) {
    const started = Date.now();
    try {
      await installPackageInto(userFolder, await packPackage());
    } catch (error) {
      if (ownsFolder) rmSync(userFolder, { recursive: true, force: true });
      throw error;
    }
    progress(`installed the package into ${userFolder}/.n8n/nodes in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const n8n = new RunningN8n(install, userFolder, options.port ?? (await freePort()), { ...(options.env ?? {}) }, ownsFolder, options.apiKeyLabel);
  try {
    await n8n.boot(options.bootTimeoutMs ?? 180_000);
    await n8n.setUpOwner();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const full = message.includes('n8n log (tail)') ? message : `${message}\n--- n8n log (tail) ---\n${n8n.logTail(80)}`;
    await n8n.stop().catch(() => undefined);
    throw new Error(full);
  }
  return n8n;
}
