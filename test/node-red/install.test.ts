/**
 * The install steps a Node-RED user follows (docs/node-red.md, issue 29 item 6), from the packed
 * tarball: `npm install <tarball>` in a fresh userDir with no --omit=peer (the harness's template
 * is exactly that), and the palette manager's install into a running Node-RED 5 (Node-RED runs npm
 * itself, with its own arguments). Neither installs an n8n package: n8n-workflow is an optional
 * peer. Both print what the install weighs (n8n-workflow as a required peer made it 149 MB).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeRed, installedPackage, packedTarball, progress, type NodeRed } from './runtime-harness';

/** Every package installed under node_modules (scoped ones as @scope/name), and the bytes of all its files. */
function installed(nodeModules: string): { packages: string[]; bytes: number } {
  const packages: string[] = [];
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) bytes += statSync(full).size;
    }
  };
  const list = (dir: string, prefix = ''): void => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@') && !prefix) list(join(dir, name), `${name}/`);
      else {
        packages.push(`${prefix}${name}`);
        const nested = join(dir, name, 'node_modules');
        try {
          list(nested);
        } catch {
          // no nested node_modules
        }
      }
    }
  };
  list(nodeModules);
  walk(nodeModules);
  return { packages: [...new Set(packages)].sort(), bytes };
}

const N8N_PACKAGE = /^(n8n|@n8n\/)/;
const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

it('npm install <tarball> in a fresh userDir, without --omit=peer: no n8n package; its size printed', async () => {
  const template = await installedPackage();
  const { packages, bytes } = installed(join(template, 'node_modules'));
  progress(`npm install <tarball>: ${packages.length} packages, ${megabytes(bytes)} MB in node_modules`);
  expect(packages).toContain('n8n-nodes-xero-guard');
  expect(packages.filter((p) => N8N_PACKAGE.test(p) && p !== 'n8n-nodes-xero-guard')).toEqual([]);
  // 149 MB when n8n-workflow came along; a generous bound, so only a heavy dependency trips it.
  expect(megabytes(bytes)).toBeLessThan(40);
}, 300_000);

describe('the palette manager', () => {
  let userDir = '';
  let nodeRed: NodeRed | undefined;

  afterAll(async () => {
    await nodeRed?.stop();
    const left = nodeRed?.leftovers() ?? [];
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    expect(left).toEqual([]);
  }, 60_000);

  it('installs the tarball into a running Node-RED with its own npm arguments: every node registered, no n8n package, its size printed', async () => {
    const tarball = packedTarball(await installedPackage());
    userDir = mkdtempSync(join(tmpdir(), 'xg-nr-palette-'));
    // The packages come from npm's cache where it has them (the template's install filled it); nothing else differs from a user's.
    nodeRed = await createNodeRed(userDir, { installed: false, env: { npm_config_prefer_offline: 'true' } });
    await nodeRed.start();
    const admin = { authorization: `Bearer ${await nodeRed.login('admin')}`, 'content-type': 'application/json' };
    // What the palette's "upload module tgz" does once the file is on the server: install from a local tarball.
    const answer = await nodeRed.api('/nodes', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ module: 'n8n-nodes-xero-guard', url: tarball }),
      signal: AbortSignal.timeout(240_000),
    });
    const module = (await answer.json()) as { name?: string; nodes?: Array<{ types: string[]; enabled: boolean; err?: string }> };
    expect({ status: answer.status, name: module.name }).toEqual({ status: 200, name: 'n8n-nodes-xero-guard' });
    const types = (module.nodes ?? []).flatMap((n) => n.types).sort();
    const declared = Object.keys(
      (JSON.parse(readFileSync(join(userDir, 'node_modules', 'n8n-nodes-xero-guard', 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red']
        .nodes,
    );
    expect(types.length).toBeGreaterThanOrEqual(declared.length);
    expect(types).toEqual(expect.arrayContaining(['xero-connection', 'xero api', 'xero classify error', 'xero connection watch', 'xero fleet']));
    expect((module.nodes ?? []).filter((n) => !n.enabled || n.err)).toEqual([]);
    const { packages, bytes } = installed(join(userDir, 'node_modules'));
    progress(`palette install: ${packages.length} packages, ${megabytes(bytes)} MB in node_modules`);
    expect(packages.filter((p) => N8N_PACKAGE.test(p) && p !== 'n8n-nodes-xero-guard')).toEqual([]);
  }, 300_000);
});
