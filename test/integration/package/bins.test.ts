/**
 * The commands as a user gets them: the packed tarball installed by npm into an empty folder, and
 * every bin of package.json run through the link npm made, with --help. This proves the bin paths
 * point at built files that ship, that each starts with a shebang npm can link, and that each loads
 * from the installed package and its dependencies alone (no peer n8n, no source tree beside it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmEnv, run } from '../../../tools/n8n/install';
import { packPackage, REPO_ROOT } from '../../../tools/n8n/pack';

const bins = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);

let consumer: string;

beforeAll(async () => {
  const tarball = await packPackage();
  consumer = mkdtempSync(join(tmpdir(), 'xero-guard-bins-'));
  writeFileSync(join(consumer, 'package.json'), '{"name":"xero-guard-bins-consumer","private":true}\n');
  await run(
    'npm',
    ['install', '--prefix', consumer, tarball, '--ignore-scripts', '--omit=peer', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: consumer, env: npmEnv(), label: 'npm install <packed tarball>' },
  );
}, 300_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

test('the package has the three commands', () => {
  expect(bins.sort()).toEqual(['xero-guard-ledger', 'xero-guard-n8n', 'xero-guard-sim']);
});

test.each(bins)('%s --help runs from the installed tarball and names itself', async (bin) => {
  const { code, stdout } = await run(join(consumer, 'node_modules', '.bin', bin), ['--help'], { cwd: consumer, env: npmEnv() });
  expect(code).toBe(0);
  expect(stdout).toContain(bin);
  expect(stdout).toMatch(/--[a-z]/);
});
