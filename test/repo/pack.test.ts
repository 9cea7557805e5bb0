/**
 * What `npm pack` ships: everything n8n and Node-RED load (entry points, icons, codex files,
 * editor HTML, the commands), nothing they don't (sources, tests, benches, CI, secrets).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

const ROOT = join(__dirname, '..', '..');

interface PackEntry {
  path: string;
  size: number;
}

let files: PackEntry[];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  bin: Record<string, string>;
  n8n: { credentials: string[]; nodes: string[] };
  'node-red': { nodes: Record<string, string> };
};

beforeAll(() => {
  // `npm test` has just built; any other run builds here, so a stale dist/ cannot pass or fail this.
  if (process.env.npm_lifecycle_event !== 'test' || !existsSync(join(ROOT, 'dist', 'index.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  files = (JSON.parse(out) as Array<{ files: PackEntry[] }>)[0].files;
}, 180_000);

const paths = () => new Set(files.map((f) => f.path));

test('every entry point n8n, Node-RED and npm load is in the package', () => {
  const shipped = paths();
  const required = [
    pkg.main,
    'package.json',
    'README.md',
    'LICENSE',
    ...Object.values(pkg.bin),
    ...pkg.n8n.credentials,
    ...pkg.n8n.nodes,
    ...Object.values(pkg['node-red'].nodes),
    ...Object.values(pkg['node-red'].nodes).map((js) => js.replace(/\.js$/, '.html')),
  ];
  expect(required.filter((path) => !shipped.has(path))).toEqual([]);
});

test('each n8n node ships its codex file; every icon a node or the credential names resolves to a shipped file', () => {
  const shipped = paths();
  const iconsOf = (file: string): string[] => {
    const exported = require(join(ROOT, file)) as Record<string, new () => { description?: { icon?: unknown }; icon?: unknown }>;
    // n8n's convention: the class is named as its file (XeroGuardCheckConnection.node.js exports XeroGuardCheckConnection).
    const NodeClass = exported[posix.basename(file).replace(/\.(node|credentials)\.js$/, '')];
    if (typeof NodeClass !== 'function') throw new Error(`${file} does not export the class its name promises`);
    const instance = new NodeClass();
    const icon = (instance.description?.icon ?? instance.icon) as { light: string; dark: string };
    return [icon.light, icon.dark].map((ref) => posix.join(posix.dirname(file), ref.replace(/^file:/, '')));
  };
  for (const node of pkg.n8n.nodes) {
    expect(shipped).toContain(node.replace(/\.js$/, '.json'));
    const [light, dark] = iconsOf(node);
    expect(dark.endsWith('.dark.svg') && light.endsWith('.svg') && !light.endsWith('.dark.svg')).toBe(true);
    expect([light, dark].filter((icon) => !shipped.has(icon))).toEqual([]);
  }
  for (const credential of pkg.n8n.credentials) expect(iconsOf(credential).filter((icon) => !shipped.has(icon))).toEqual([]);
  // One icons folder for n8n: no copies beside the nodes. Node-RED's palette icons sit where Node-RED looks, beside its nodes.
  expect([...shipped].filter((p) => p.endsWith('.svg') && !p.startsWith('dist/icons/') && !p.startsWith('dist/node-red/icons/'))).toEqual([]);
  expect([...shipped].filter((p) => p.startsWith('dist/node-red/icons/')).length).toBeGreaterThan(0);
});

test('Node-RED examples ship; sources, tests, benches, CI files and local state do not', () => {
  const shipped = [...paths()];
  expect(shipped.some((p) => p.startsWith('examples/node-red/') && p.endsWith('.json'))).toBe(true);
  const unwanted = shipped.filter(
    (p) =>
      /^(src|test|bench|credentials|nodes|node-red|icons|\.ci|\.github|docs)\//.test(p) ||
      /^dist\/(test|bench)\//.test(p) ||
      (p.endsWith('.ts') && !p.endsWith('.d.ts')) ||
      /(^|\/)(\.env|\.npmrc|.*\.tgz|.*\.log)$/.test(p),
  );
  expect(unwanted).toEqual([]);
});

test('the package stays small: no file over 1 MB', () => {
  expect(files.filter((f) => f.size > 1024 * 1024).map((f) => f.path)).toEqual([]);
});
