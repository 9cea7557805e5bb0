/**
 * Older n8n releases for the versions suite. n8n 2.20.x and 2.17.x depend on `xlsx` as a tarball on
 * cdn.sheetjs.com, which this network (and many CI networks) cannot reach, so a plain install
 * fails with ENOTFOUND. This installs them exactly like ensureN8n (same cache dir, same lock, same
 * completion marker, so ensureN8n/startN8n then reuse it) with one npm override: `xlsx` comes from
 * the registry as `@e965/xlsx@0.20.3`, the same SheetJS 0.20 code republished (n8n 2.41 uses it).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, ensureN8n, ensureNode24, progress, run, withLock, type N8nInstall } from '../../../tools/n8n/install';

const MARKER = '.xero-guard-complete';

function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extra };
  for (const key of Object.keys(env)) {
    if (
      key.startsWith('npm_config_') &&
      !(key in extra) &&
      !['npm_config_fund', 'npm_config_audit', 'npm_config_update_notifier', 'npm_config_cache', 'npm_config_registry'].includes(key)
    )
      delete env[key];
  }
  return env;
}

export async function ensureOldN8n(version: string): Promise<N8nInstall> {
  const dir = join(cacheRoot(), `n8n-${version}`);
  if (existsSync(join(dir, MARKER))) return ensureN8n(version);
  const node = await ensureNode24();
  await withLock(`n8n-${version}`, async () => {
    if (existsSync(join(dir, MARKER))) return;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `xero-guard-n8n-${version}`, private: true, overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' } }, null, 2) + '\n',
    );
    const started = Date.now();
    progress(`install n8n@${version} (xlsx from the registry): started, this takes minutes`);
    const ticker = setInterval(() => progress(`install n8n@${version}: still running (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    try {
      await run('npm', ['install', `n8n@${version}`, '--ignore-scripts', '--loglevel=error'], { cwd: dir, env: npmEnv(), label: `npm install n8n@${version}` });
      await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], {
        cwd: dir,
        env: npmEnv({ PATH: `${node.binDir}:${process.env.PATH ?? ''}`, npm_config_nodedir: node.nodeDir }),
        label: 'npm rebuild sqlite3',
      });
    } finally {
      clearInterval(ticker);
    }
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string };
    if (installed.version !== version) throw new Error(`asked for n8n@${version}, got ${installed.version}`);
    await run(node.node, ['-e', "require('sqlite3')"], { cwd: join(dir, 'node_modules', 'n8n'), label: 'load sqlite3 under Node 24' });
    writeFileSync(join(dir, MARKER), `${version}\n`);
    progress(`install n8n@${version}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  });
  return ensureN8n(version);
}

if (require.main === module) {
  (async () => {
    for (const version of process.argv.slice(2)) await ensureOldN8n(version);
  })().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
