/**
 * Older n8n releases for the versions suite. n8n 2.20.x and 2.17.x depend on `xlsx` as a tarball on
 * cdn.sheetjs.com, which this network (and many CI networks) cannot reach, so a plain install
 * fails with ENOTFOUND. They install through ensureN8n (same cache dir, lock and completion marker,
 * so startN8n then finds them) with one npm override: `xlsx` comes from the registry as
 * `@e965/xlsx@0.20.3`, the same SheetJS 0.20 code republished (n8n 2.41 uses it).
 *
 *   npx tsx test/e2e/versions/install-old.ts 2.20.12
 */
import { ensureN8n, type N8nInstall } from '../../../tools/n8n/install';

export const OLD_N8N_OVERRIDES = { xlsx: 'npm:@e965/xlsx@0.20.3' };

export function ensureOldN8n(version: string): Promise<N8nInstall> {
  return ensureN8n(version, { overrides: OLD_N8N_OVERRIDES });
}

if (require.main === module) {
  (async () => {
    for (const version of process.argv.slice(2)) await ensureOldN8n(version);
  })().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
