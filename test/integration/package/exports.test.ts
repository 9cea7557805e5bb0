/**
 * The package's entry points as a consumer's Node resolves them through package.json "exports":
 * the root API without the simulator, the simulator as `n8n-nodes-xero-guard/simulator`, and the
 * files n8n and Node-RED load by path from package.json still reachable (exports must not hide them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  n8n: { credentials: string[]; nodes: string[] };
  'node-red': { nodes: Record<string, string> };
};

let consumer: string;

/** Runs `script` in a plain Node process whose node_modules holds this package (a symlink to the work tree). */
function inConsumer(script: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: consumer, encoding: 'utf8' }));
}

beforeAll(() => {
  // `npm test` has just built; any other run builds here, so a stale dist/ cannot pass or fail this.
  if (process.env.npm_lifecycle_event !== 'test' || !existsSync(join(ROOT, 'dist', 'index.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
  consumer = mkdtempSync(join(tmpdir(), 'xero-guard-consumer-'));
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(ROOT, join(consumer, 'node_modules', pkg.name), 'dir');
}, 180_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

test('the root entry is the core API, without the simulator', () => {
  const root = inConsumer(
    `const m = require('${pkg.name}'); process.stdout.write(JSON.stringify({ engine: typeof m.TokenEngine, classify: typeof m.classifyXeroError, sim: typeof m.startSimulator, demo: typeof m.DEMO_CLIENT_ID }))`,
  );
  expect(root).toEqual({ engine: 'function', classify: 'function', sim: 'undefined', demo: 'undefined' });
});

test('the simulator is the subpath export n8n-nodes-xero-guard/simulator, with its types beside it', () => {
  const sim = inConsumer(
    `const m = require('${pkg.name}/simulator'); process.stdout.write(JSON.stringify({ start: typeof m.startSimulator, demo: typeof m.DEMO_CLIENT_ID, modes: m.GRACE_MODES }))`,
  );
  expect(sim).toEqual({ start: 'function', demo: 'string', modes: ['same-pair', 'fresh-pair', 'fresh-pair-revokes'] });
  expect(existsSync(join(ROOT, 'dist', 'src', 'simulator', 'index.d.ts'))).toBe(true);
});

test('every file n8n and Node-RED load from package.json resolves, by file path and through the package name', () => {
  const entries = [...pkg.n8n.credentials, ...pkg.n8n.nodes, ...Object.values(pkg['node-red'].nodes), 'package.json'];
  const resolved = inConsumer(`
    const { join } = require('node:path');
    const dir = join(require.resolve('${pkg.name}/package.json'), '..');
    const out = {};
    for (const entry of ${JSON.stringify(entries)}) {
      const byPath = require.resolve(join(dir, entry));
      const byName = require.resolve('${pkg.name}/' + entry);
      out[entry] = byPath === byName;
    }
    process.stdout.write(JSON.stringify(out));`);
  expect(resolved).toEqual(Object.fromEntries(entries.map((entry) => [entry, true])));
});

test('an n8n node module loads through the package name, as n8n requires it', () => {
  const loaded = inConsumer(`const m = require('${pkg.name}/${pkg.n8n.nodes[0]}'); process.stdout.write(JSON.stringify(Object.keys(m)))`) as string[];
  expect(loaded.length).toBeGreaterThan(0);
});
