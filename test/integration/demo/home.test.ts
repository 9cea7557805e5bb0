/**
 * The demo's folder (tools/demo/home.ts) with real files and processes: one demo at a time, a killed
 * demo's leftovers found by their marker and stopped, `--reset` deleting everything but the lock and
 * saying what, a kept demo this version cannot read refused with the way out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../../../tools/n8n/install';
import { claim, DEMO_MARKER_VARIABLE, demoHome, demoProcesses, pruneLogs, readKept, reset, writeKept, type DemoHome } from '../../../tools/demo/home';

let root: string;
let home: DemoHome;
const children: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'xero-guard-demo-home-'));
  home = demoHome({ XERO_GUARD_DEMO_DIR: join(root, 'demo') });
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function sleeper(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn('sleep', ['300'], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

it('lives in XERO_GUARD_DEMO_DIR, else in the cache', () => {
  expect(home.dir).toBe(join(root, 'demo'));
  expect(home.n8nFolder).toBe(join(root, 'demo', 'n8n'));
  expect(demoHome({}).dir).toBe(join(cacheRoot(), 'demo'));
});

it('lets one demo at a time run from a folder, and takes over the lock of one that died', async () => {
  const release = await claim(home);
  expect(readFileSync(home.lockFile, 'utf8').trim()).toBe(String(process.pid));
  release();
  expect(existsSync(home.lockFile)).toBe(false);

  const other = sleeper({});
  writeFileSync(home.lockFile, `${other.pid}\n`);
  await expect(claim(home)).rejects.toThrow(`Another demo (pid ${other.pid}) is running from ${home.dir}: stop it first`);
  other.kill('SIGKILL');
  await exited(other);
  const again = await claim(home);
  expect(readFileSync(home.lockFile, 'utf8').trim()).toBe(String(process.pid));
  again();
});

it("stops what a killed demo of this folder left running, and nothing of another folder's", async () => {
  const left = sleeper({ [DEMO_MARKER_VARIABLE]: home.dir });
  const neighbour = sleeper({ [DEMO_MARKER_VARIABLE]: `${home.dir}-other` });
  // /proc shows the child's environment once it has exec'd sleep.
  await new Promise<void>((resolve) => left.once('spawn', () => resolve()));
  expect(demoProcesses(home).map((p) => p.pid)).toEqual([left.pid]);
  const release = await claim(home);
  await exited(left);
  expect(left.signalCode).toBe('SIGKILL');
  expect(neighbour.exitCode === null && neighbour.signalCode === null).toBe(true);
  release();
});

it('--reset deletes everything the folder holds but the lock, and says what by path', async () => {
  const release = await claim(home);
  mkdirSync(join(home.n8nFolder, '.n8n'), { recursive: true });
  writeFileSync(home.simulatorState, 'state');
  writeKept(home, { version: 1, simulatorPort: 4010, slackPort: 40001, credential: { id: 'c', name: 'n' }, createdAt: '2026-01-01T00:00:00.000Z' });
  writeFileSync(join(home.dir, 'stray.tmp'), '');
  const said = reset(home);
  expect(said).toEqual([
    `${home.n8nFolder} (n8n's data: the workflows, credentials and executions, and the Xero Guard token ledger)`,
    `${home.simulatorState} (the simulator's Xero: its connections, tokens and records)`,
    `${home.keptFile} (the ports the workflows point at)`,
    join(home.dir, 'stray.tmp'),
  ]);
  expect(readdirSync(home.dir)).toEqual(['demo.pid']);
  expect(reset(home)).toEqual([]);
  release();
});

it('reads back what it kept, and refuses a kept demo it cannot read with the way out', () => {
  mkdirSync(home.dir, { recursive: true });
  expect(readKept(home)).toBeUndefined();
  const kept = { version: 1 as const, simulatorPort: 4010, slackPort: 40001, credential: { id: 'c', name: 'n' }, createdAt: '2026-01-01T00:00:00.000Z' };
  writeKept(home, kept);
  expect(readKept(home)).toEqual(kept);
  writeFileSync(home.keptFile, '{"version":2}');
  expect(() => readKept(home)).toThrow(`${home.keptFile} is not a demo this version can keep using: start afresh with \`npm start -- --reset\``);
});

it("keeps n8n's newest three logs", () => {
  mkdirSync(home.n8nFolder, { recursive: true });
  for (const at of [5, 40, 300, 1000, 20]) writeFileSync(join(home.n8nFolder, `n8n-${at}.log`), '');
  pruneLogs(home);
  expect(readdirSync(home.n8nFolder).sort()).toEqual(['n8n-1000.log', 'n8n-300.log', 'n8n-40.log']);
});
