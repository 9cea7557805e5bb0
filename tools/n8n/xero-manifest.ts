/**
 * Writes n8n/convert/n8n-xero-2.41.1.json: the parameter names, types, defaults and option values of
 * n8n's own Xero node (n8n-nodes-base, nodes/Xero), read from an installed copy, never typed by hand.
 * The converter and the parity test work from this file; no description text is copied.
 *
 *   npx tsx tools/n8n/xero-manifest.ts [path/to/node_modules/n8n-nodes-base] && npx prettier --write n8n/convert
 *
 * Default path: the n8n install the e2e harness caches (~/.cache/xero-guard/n8n-2.41.1).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './install';
import { manifestOf, type RawProperty } from './xero-manifest-lib';

function nodesBaseDir(arg: string | undefined): string {
  const dir = arg ?? join(cacheRoot(), 'n8n-2.41.1', 'node_modules', 'n8n-nodes-base');
  if (!existsSync(join(dir, 'dist', 'nodes', 'Xero', 'Xero.node.js')))
    throw new Error(`No n8n-nodes-base with nodes/Xero at ${dir}: pass the path of an installed n8n-nodes-base.`);
  return dir;
}

if (require.main === module) {
  const dir = nodesBaseDir(process.argv[2]);
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  // n8n ships CommonJS; this reads an installed copy at a path known only at run time.
  const { Xero } = require(join(dir, 'dist', 'nodes', 'Xero', 'Xero.node.js')) as { Xero: new () => { description: { properties: RawProperty[] } } };
  const manifest = manifestOf(new Xero().description.properties, version);
  const out = join(__dirname, '..', '..', 'n8n', 'convert', `n8n-xero-${version}.json`);
  writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
