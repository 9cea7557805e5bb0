/**
 * The README's first quick-start command, as a user runs it: `npm start` reaches "ready", the n8n
 * editor and the simulator answer, and Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../../tools/free-port';
import { waitFor } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';

jest.setTimeout(15 * 60_000);

let demo: ChildProcess | undefined;
let output = '';

afterAll(() => {
  // Whatever happened, leave nothing of the demo's group running (n8n has its own group and is stopped by the demo).
  if (demo?.pid) {
    try {
      process.kill(-demo.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return undefined;
  }
}

test('npm start reaches ready, the editor and the simulator answer, and Ctrl-C stops everything', async () => {
  const n8nPort = await freePort();
  const simPort = await freePort();
  // Its own process group, as in a terminal, so Ctrl-C can reach npm, tsx and the demo alike.
  demo = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...process.env, N8N_PORT: String(n8nPort), XERO_GUARD_SIM_PORT: String(simPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));

  const state = await waitFor(
    'the demo to print "ready"',
    () => (output.includes('Xero Guard demo ready.') ? 'ready' : demo!.exitCode !== null ? 'exited' : undefined),
    12 * 60_000,
    1000,
  );
  if (state !== 'ready') throw new Error(`npm start exited before it was ready:\n${output.slice(-4000)}`);
  expect(output).toContain(`http://127.0.0.1:${n8nPort}`);
  expect(output).toMatch(/login +\S+@\S+ \/ \S+/);
  expect(output).toMatch(/Three things to try/);
  expect(await answers(`http://127.0.0.1:${n8nPort}/healthz`)).toBe(200);
  expect(await answers(`http://127.0.0.1:${simPort}/__admin/stats`)).toBe(200);

  // Ctrl-C: a terminal sends SIGINT to the whole foreground process group.
  process.kill(-demo.pid!, 'SIGINT');
  await exited;
  // npm itself dies of the signal, as in a terminal; the demo must still shut everything down.
  await waitFor('every process of the demo to exit', () => (groupAlive(demo!.pid!) ? undefined : true), 90_000, 500);
  expect(output).toMatch(/stopping/);
  expect(output).not.toMatch(/could not start/);
  expect(await answers(`http://127.0.0.1:${n8nPort}/healthz`)).toBeUndefined();
  expect(await answers(`http://127.0.0.1:${simPort}/__admin/stats`)).toBeUndefined();
});
