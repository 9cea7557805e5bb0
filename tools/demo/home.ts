/**
 * Where the demo keeps what the user builds in it, so a second `npm start` brings it back: one folder,
 * ~/.cache/xero-guard/demo unless XERO_GUARD_DEMO_DIR names another, with n8n's user folder (workflows,
 * credentials, executions, the Xero Guard token ledger), the simulator's Xero (its connections, tokens
 * and records) and the ports the kept workflows point at. One demo at a time per folder; `--reset`
 * deletes what it holds. Every process a demo starts carries the folder in its environment, so what a
 * killed demo left running is found and stopped by the next one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot, pidAlive } from '../n8n/install';
import { processesOf, waitFor } from '../n8n/n8n';

/** The environment variable that marks every process of a demo with its folder. */
export const DEMO_MARKER_VARIABLE = 'XERO_GUARD_DEMO';

export interface DemoHome {
  dir: string;
  /** n8n's N8N_USER_FOLDER (n8n keeps its data in `.n8n` below it). */
  n8nFolder: string;
  simulatorState: string;
  keptFile: string;
  lockFile: string;
}

/** What the kept workflows and credential point at: a later start must serve them on the same ports. */
export interface KeptDemo {
  version: 1;
  simulatorPort: number;
  slackPort: number;
  credential: { id: string; name: string };
  createdAt: string;
}

export function demoHome(env: NodeJS.ProcessEnv = process.env): DemoHome {
  const dir = resolve(env.XERO_GUARD_DEMO_DIR || join(cacheRoot(), 'demo'));
  return {
    dir,
    n8nFolder: join(dir, 'n8n'),
    simulatorState: join(dir, 'xero-simulator.state'),
    keptFile: join(dir, 'demo.json'),
    lockFile: join(dir, 'demo.pid'),
  };
}

/** What `/proc/<pid>/environ` holds for a process of this demo (NUL-terminated, so /tmp/a does not match /tmp/ab). */
export const demoMarker = (home: DemoHome): string => `${DEMO_MARKER_VARIABLE}=${home.dir}\0`;

export function readKept(home: DemoHome): KeptDemo | undefined {
  if (!existsSync(home.keptFile)) return undefined;
  let kept: Partial<KeptDemo> | undefined;
  try {
    kept = JSON.parse(readFileSync(home.keptFile, 'utf8')) as Partial<KeptDemo>;
  } catch {
    kept = undefined;
  }
  if (kept?.version !== 1 || !Number.isInteger(kept.simulatorPort) || !Number.isInteger(kept.slackPort) || typeof kept.credential?.id !== 'string') {
    throw new Error(`${home.keptFile} is not a demo this version can keep using: start afresh with \`npm start -- --reset\` (it deletes the kept demo).`);
  }
  return kept as KeptDemo;
}

export function writeKept(home: DemoHome, kept: KeptDemo): void {
  writeFileSync(home.keptFile, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Takes the folder for this process: refuses while another demo runs from it; stops whatever a demo
 * that died (killed, not stopped) left running from it. Returns the release.
 */
export async function claim(home: DemoHome): Promise<() => void> {
  mkdirSync(home.dir, { recursive: true, mode: 0o700 });
  const holder = Number(existsSync(home.lockFile) ? readFileSync(home.lockFile, 'utf8').trim() : NaN);
  if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder)) {
    throw new Error(
      `Another demo (pid ${holder}) is running from ${home.dir}: stop it first (Ctrl-C in its terminal, or kill ${holder}), or give this one another folder with XERO_GUARD_DEMO_DIR.`,
    );
  }
  await stopLeftovers(home);
  rmSync(home.lockFile, { force: true });
  try {
    writeFileSync(home.lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`Another demo started from ${home.dir} at the same moment: stop it, or wait for it.`);
    throw error;
  }
  return () => {
    if (existsSync(home.lockFile) && readFileSync(home.lockFile, 'utf8').trim() === String(process.pid)) rmSync(home.lockFile, { force: true });
  };
}

/** Every process that carries this demo's marker, but this one and its parent (npm): n8n, an install under way. */
export function demoProcesses(home: DemoHome): Array<{ pid: number; pgrp: number; cmd: string }> {
  // Found through /proc: on a system without it (macOS) leftovers are not looked for, and the demo still starts.
  if (!existsSync('/proc/self/environ')) return [];
  return processesOf(undefined, demoMarker(home)).filter((p) => p.pid !== process.pid && p.pid !== process.ppid);
}

/**
 * Kills them, with the process group each leads (n8n leads its own, with a task runner that does not
 * carry the marker), and waits until none is left.
 */
export async function stopLeftovers(home: DemoHome): Promise<void> {
  await waitFor(
    `the processes of the demo in ${home.dir} to end`,
    () => {
      const left = demoProcesses(home);
      for (const p of left) {
        try {
          process.kill(p.pgrp === p.pid ? -p.pid : p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      return left.length === 0 ? true : undefined;
    },
    10_000,
    100,
  );
}

const PARTS: Array<[name: (home: DemoHome) => string, what: string]> = [
  [(home) => home.n8nFolder, "n8n's data: the workflows, credentials and executions, and the Xero Guard token ledger"],
  [(home) => home.simulatorState, "the simulator's Xero: its connections, tokens and records"],
  [(home) => home.keptFile, 'the ports the workflows point at'],
];

/** Deletes everything the folder holds but the lock; says what that was, by path. */
export function reset(home: DemoHome): string[] {
  if (!existsSync(home.dir)) return [];
  const said = PARTS.filter(([path]) => existsSync(path(home))).map(([path, what]) => `${path(home)} (${what})`);
  for (const entry of readdirSync(home.dir)) {
    const path = join(home.dir, entry);
    if (path === home.lockFile) continue;
    if (!PARTS.some(([known]) => known(home) === path)) said.push(path);
    rmSync(path, { recursive: true, force: true });
  }
  return said;
}

/** n8n writes a log per boot into its user folder: the newest few are kept, for "what went wrong last time". */
export function pruneLogs(home: DemoHome, keep = 3): void {
  if (!existsSync(home.n8nFolder)) return;
  const logs = readdirSync(home.n8nFolder)
    .map((name) => ({ name, at: Number(/^n8n-(\d+)\.log$/.exec(name)?.[1] ?? NaN) }))
    .filter((log) => Number.isFinite(log.at))
    .sort((a, b) => b.at - a.at);
  for (const log of logs.slice(keep)) rmSync(join(home.n8nFolder, log.name), { force: true });
}
