/**
 * Optional CI step before jest: `npx tsx tools/n8n/prepare.ts [n8n version...]` installs
 * Node 24 and the pinned n8n into the cache and packs the package, so the install shows up as its
 * own timed step instead of inside the first e2e test file's beforeAll. The tests do the same
 * lazily when this was not run.
 */
import { DEFAULT_N8N_VERSION, ensureN8n, progress } from './install';
import { packPackage } from './pack';

async function main(): Promise<void> {
  const versions = process.argv.slice(2);
  for (const version of versions.length > 0 ? versions : [DEFAULT_N8N_VERSION]) {
    const started = Date.now();
    const install = await ensureN8n(version);
    progress(`n8n ${install.version} ready in ${install.dir} (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  progress(`package packed: ${await packPackage()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
