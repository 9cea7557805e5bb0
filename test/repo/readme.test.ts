/**
 * The README is a promise: every command, npm script, environment variable, file and node it
 * names must exist, and the commands that are safe to run here do what it says.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

/** Text inside backticks and fenced blocks: where the README names things a reader types. */
const codeSpans = [...README.matchAll(/```[a-z]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map((m) => m[1] ?? m[2]);

function run(args: string[]): string {
  return execFileSync('npx', ['tsx', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('the quick start is the two commands at the top: the demo and the full tests', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)![1];
  const commands = firstBlock
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/\s+#.*$/, '').trim());
  expect(commands).toEqual(['npm install && npm start', 'npm test']);
  // exec: npm's SIGINT and SIGTERM go straight to the demo (a shell in between would keep them), see tools/demo.ts.
  expect(pkg.scripts.start).toBe('exec node --import tsx tools/demo.ts');
  expect(pkg.scripts.test).toMatch(/npm run lint && npm run build && jest/);
  expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/\nnpm test -- /);
});

test('every npm script the README names exists', () => {
  const named = new Set<string>();
  for (const span of codeSpans) {
    for (const m of span.matchAll(/\bnpm run ([a-z][a-z0-9:-]*)/g)) named.add(m[1]);
    for (const m of span.matchAll(/\bnpm (start|test)\b/g)) named.add(m[1]);
  }
  expect(named.size).toBeGreaterThanOrEqual(6);
  expect([...named].filter((name) => !pkg.scripts[name])).toEqual([]);
});

test('the commands it gives (npx xero-guard-sim, npx xero-guard-ledger migrate) exist and take the options shown', () => {
  expect(pkg.bin['xero-guard-sim']).toBeDefined();
  expect(pkg.bin['xero-guard-ledger']).toBeDefined();
  const simHelp = run(['cli/xero-guard-sim.ts', '--help']);
  expect(simHelp).toContain('--port');
  const ledgerHelp = run(['cli/xero-guard-ledger.ts', '--help']);
  const migrate = codeSpans.find((span) => span.includes('xero-guard-ledger migrate'))!;
  for (const option of migrate.match(/--[a-z-]+/g)!) expect(ledgerHelp).toContain(option);
  expect(ledgerHelp).toContain('file:');
  expect(ledgerHelp).toContain('postgres://');
});

test('the environment variables it names for the demo are read by the demo', () => {
  const demo = readFileSync(join(ROOT, 'tools', 'demo.ts'), 'utf8');
  for (const variable of ['N8N_PORT', 'XERO_GUARD_SIM_PORT']) {
    expect(README).toContain(variable);
    expect(demo).toContain(`'${variable}'`);
  }
});

test('every local file and folder it links to or names exists', () => {
  const links = [...README.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/.test(href));
  const named = codeSpans.filter((span) => /^[\w./-]+\.(json|md|ts|yml)$/.test(span) || /^(test|src|docs|examples|bench|tools)\/[\w./-]*$/.test(span));
  const missing = [...links, ...named].filter(
    (path) => !existsSync(join(ROOT, path)) && !existsSync(join(ROOT, 'examples', path)) && !existsSync(join(ROOT, '.github', 'workflows', path)),
  );
  expect(missing).toEqual([]);
});

test('every node and credential it describes is one the package ships, by the name users see', () => {
  const displayNames = readdirSync(join(ROOT, 'nodes'))
    .filter((dir) => existsSync(join(ROOT, 'nodes', dir, `${dir}.node.ts`)))
    .map((dir) => /displayName: '([^']+)'/.exec(readFileSync(join(ROOT, 'nodes', dir, `${dir}.node.ts`), 'utf8'))![1]);
  // Every node the package registers has its folder, so none is left out of the README.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
  expect(displayNames).toHaveLength(pkg.n8n.nodes.length);
  for (const name of displayNames) expect(README).toContain(`**${name}**`);
  expect(README).toContain('Xero OAuth2 (Guarded) API');
  expect(readFileSync(join(ROOT, 'credentials', 'XeroGuardOAuth2Api.credentials.ts'), 'utf8')).toContain("displayName = 'Xero OAuth2 (Guarded) API'");
  for (const node of ['xero-connection', 'xero check connection', 'xero refresh token', 'xero classify error', 'xero connection watch'])
    expect(README).toContain(node);
});
