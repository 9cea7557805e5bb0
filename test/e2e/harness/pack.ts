/**
 * Builds and packs the repository once per content: the tarball is cached under the cache dir,
 * keyed by a hash of every file that goes into the build, so a jest run (and parallel workers)
 * build at most once and a rerun with no change builds not at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot, progress, run, withLock } from './install';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** Everything but the tests, benchmarks, examples and docs may go into the build or the tarball. */
const NOT_BUILD_INPUTS = [':!test', ':!bench', ':!examples', ':!docs', ':!.ci'];

async function sourceHash(): Promise<string> {
  // Tracked and untracked-but-not-ignored files: the build sees the work tree, not a commit.
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '--', '.', ...NOT_BUILD_INPUTS], { cwd: REPO_ROOT });
  const files = [...new Set(stdout.split('\n').filter(Boolean))].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const full = join(REPO_ROOT, file);
    if (!existsSync(full)) continue; // deleted in the work tree
    hash.update(file).update('\0').update(readFileSync(full)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

let packed: Promise<string> | undefined;

/** `npm run build` + `npm pack`; resolves to the tarball's absolute path. */
export function packPackage(): Promise<string> {
  packed ??= (async () => {
    const key = await sourceHash();
    const dir = join(cacheRoot(), 'pack', key);
    const marker = join(dir, '.tarball');
    const existing = (): string | undefined => (existsSync(marker) ? join(dir, readFileSync(marker, 'utf8').trim()) : undefined);
    const hit = existing();
    if (hit) return hit;
    // One lock for every key: the build writes dist/ in the repository, which two builds must not share.
    return withLock('pack', async () => {
      const again = existing();
      if (again) return again;
      const started = Date.now();
      progress(`building and packing the package (sources ${key})`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      rmSync(join(REPO_ROOT, 'dist'), { recursive: true, force: true });
      await run('npm', ['run', 'build'], { cwd: REPO_ROOT, label: 'npm run build' });
      await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: REPO_ROOT, label: 'npm pack' });
      const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      if (!tgz) throw new Error(`npm pack wrote no tarball into ${dir}`);
      writeFileSync(marker, `${tgz}\n`);
      progress(`packed ${tgz} in ${Math.round((Date.now() - started) / 1000)} s`);
      // Keep the cache small: drop tarballs of other sources that nobody has built for an hour.
      for (const other of readdirSync(join(cacheRoot(), 'pack'))) {
        const full = join(cacheRoot(), 'pack', other);
        if (other !== key && Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
      }
      return join(dir, tgz);
    });
  })();
  return packed;
}
