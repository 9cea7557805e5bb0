/**
 * The commands as a user gets them: the packed tarball installed by npm into an empty folder, and
 * every bin of package.json run through the link npm made, with --help. This proves the bin paths
 * point at built files that ship, that each starts with a shebang npm can link, and that each loads
 * from the installed package and its dependencies alone (no peer n8n, no source tree beside it).
 *
 * Then the commands exactly as the docs write them (issue 25, item 4): the README's converter command,
 * read from README.md, run by a shell in the folder where the pack is installed and in a clone without
 * a build; every `npx -p` command of the docs resolved the same way. npm's registry is pointed at a
 * closed port meanwhile, so a command that would fetch a package from the registry fails here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmEnv, run } from '../../../tools/n8n/install';
import { packPackage, REPO_ROOT } from '../../../tools/n8n/pack';
import { N8N_XERO_CREDENTIAL, oneXeroNodeExport } from '../../unit/n8n/converter/sample-workflow';
import { npxCommandsOfRepository, PACKAGE } from './npx-commands';

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

/** No registry: anything a command would fetch fails, fast. */
const offline = () => npmEnv({ npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' });

/** The README's section on switching, and its shell lines. */
function readmeSwitchingCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith("Switching from n8n's Xero node")) ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')));
}

/** An export as `n8n export:workflow --all --output=workflows.json` writes it: n8n's Xero node and an HTTP Request node on n8n's Xero credential. */
function exported(): string {
  const workflow = JSON.parse(oneXeroNodeExport('Invoices')) as { nodes: unknown[]; connections: unknown };
  workflow.nodes.push({
    parameters: { authentication: 'predefinedCredentialType', nodeCredentialType: 'xeroOAuth2Api', url: 'https://api.xero.com/api.xro/2.0/Items' },
    name: 'Items',
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    position: [200, 0],
    credentials: N8N_XERO_CREDENTIAL,
  });
  workflow.connections = { Xero: { main: [[{ node: 'Items', type: 'main', index: 0 }]] } };
  return JSON.stringify([workflow]);
}

/** Runs a README line through a shell in `cwd` with a workflows.json there; returns the converted workflows. */
async function convertAsWritten(line: string, cwd: string): Promise<Array<{ nodes: Array<Record<string, unknown>> }>> {
  writeFileSync(join(cwd, 'workflows.json'), exported());
  const { code, stdout, stderr } = await run('bash', ['-c', line], { cwd, env: offline(), allowFailure: true });
  expect({ code, stderr: stderr.replace(/^npm warn.*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toContain('converted 1 Xero node to Xero Guard and moved 1 HTTP Request node');
  return JSON.parse(readFileSync(join(cwd, 'workflows.xero-guard.json'), 'utf8')) as Array<{ nodes: Array<Record<string, unknown>> }>;
}

describe("the README's converter command, exactly as written", () => {
  const commands = readmeSwitchingCommands();

  test('the README gives one command for an installed pack and one for a clone', () => {
    expect(commands).toEqual([
      expect.stringMatching(/^npx -p n8n-nodes-xero-guard xero-guard-n8n convert-workflows workflows\.json /),
      expect.stringMatching(/^npm run xero-guard-n8n -- convert-workflows workflows\.json /),
    ]);
  });

  test('where the pack is installed: npx finds the installed command without the registry and converts', async () => {
    const [workflow] = await convertAsWritten(commands[0], consumer);
    expect(workflow.nodes.map((n) => [n.type, n.credentials])).toEqual([
      ['n8n-nodes-xero-guard.xeroGuard', { xeroGuardOAuth2Api: { name: 'Xero (guarded)' } }],
      ['n8n-nodes-base.httpRequest', { xeroGuardOAuth2Api: { name: 'Xero (guarded)' } }],
    ]);
  }, 120_000);

  test('in a clone after npm install, with nothing built: the npm script runs the sources', async () => {
    // A clone: the tracked top-level entries and node_modules, no dist/.
    const clone = mkdtempSync(join(tmpdir(), 'xero-guard-clone-'));
    try {
      const tracked = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const entry of new Set([...tracked.map((f) => f.split('/')[0]), 'node_modules'])) symlinkSync(join(REPO_ROOT, entry), join(clone, entry));
      expect(existsSync(join(clone, 'dist'))).toBe(false);
      const [workflow] = await convertAsWritten(commands[1], clone);
      expect(workflow.nodes.every((n) => JSON.stringify(n.credentials) === '{"xeroGuardOAuth2Api":{"name":"Xero (guarded)"}}')).toBe(true);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  }, 120_000);
});

test('every `npx -p n8n-nodes-xero-guard <command>` of the docs runs the installed command, without the registry', async () => {
  const shown = npxCommandsOfRepository().filter((c) => c.packages.includes(PACKAGE.name) && c.command !== undefined);
  const commands = [...new Set(shown.map((c) => c.command as string))].sort();
  expect(commands).toEqual(['xero-guard-ledger', 'xero-guard-n8n', 'xero-guard-sim']);
  for (const command of commands) {
    const { code, stdout } = await run('npx', ['-p', PACKAGE.name, command, '--help'], { cwd: consumer, env: offline(), allowFailure: true });
    expect({ command, code, named: stdout.includes(command) }).toEqual({ command, code: 0, named: true });
  }
}, 120_000);
