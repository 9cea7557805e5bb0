/**
 * Builds and packs the package once per source content, in a copy of the sources under the cache
 * dir (never touching the repository's dist/), and caches the tarball by a hash of those sources,
 * so a jest run (and its parallel workers) builds at most once and a rerun with no change not at all.
 *
 * XERO_GUARD_PACK_SOURCE=head packs the last commit instead of the work tree (the default): useful
 * when the work tree holds someone's half-done change; CI's fresh clone makes the two the same.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cacheRoot, progress, run, withLock } from './install';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Tests, benchmarks, examples and docs do not go into the build or the tarball. */
const NOT_BUILD_INPUTS = ['test/', 'tools/', 'bench/', 'examples/', 'docs/', '.ci/'];

async function workTreeFiles(): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard'], { cwd: REPO_ROOT });
  return [...new Set(stdout.split('\n').filter((f) => f && !NOT_BUILD_INPUTS.some((p) => f.startsWith(p))))].sort();
}

let packed: Promise<string> | undefined;

/** `npm run build` + `npm pack` of a copy of the sources; resolves to the tarball's absolute path. */
export function packPackage(): Promise<string> {
  packed ??= (async () => {
    const fromHead = process.env.XERO_GUARD_PACK_SOURCE === 'head';
    const contents = new Map<string, Buffer>();
    let key: string;
    if (fromHead) {
      key = `head-${(await run('git', ['rev-parse', 'HEAD^{tree}'], { cwd: REPO_ROOT })).stdout.trim().slice(0, 16)}`;
    } else {
      const hash = createHash('sha256');
      for (const file of await workTreeFiles()) {
        const full = join(REPO_ROOT, file);
        if (!existsSync(full) || !statSync(full).isFile()) continue; // deleted in the work tree
        const content = readFileSync(full);
        contents.set(file, content);
        hash.update(file).update('\0').update(content).update('\0');
      }
      key = hash.digest('hex').slice(0, 16);
    }
    const dir = join(cacheRoot(), 'pack', key);
    const marker = join(dir, '.tarball');
    const existing = (): string | undefined => (existsSync(marker) ? join(dir, readFileSync(marker, 'utf8').trim()) : undefined);
    const hit = existing();
    if (hit) return hit;
    return withLock(`pack-${key}`, async () => {
      const again = existing();
      if (again) return again;
      const started = Date.now();
      progress(`building and packing the package from the ${fromHead ? 'last commit' : 'work tree'} (sources ${key})`);
      rmSync(dir, { recursive: true, force: true });
      const tree = join(dir, 'tree');
      mkdirSync(tree, { recursive: true });
      if (fromHead) {
        const archive = join(dir, 'head.tar');
        await run('git', ['archive', '--format=tar', '-o', archive, 'HEAD'], { cwd: REPO_ROOT });
        await run('tar', ['-xf', archive, '-C', tree]);
        rmSync(archive);
      }
      for (const [file, content] of contents) {
        mkdirSync(dirname(join(tree, file)), { recursive: true });
        writeFileSync(join(tree, file), content);
      }
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(tree, 'node_modules'));
      if (existsSync(join(REPO_ROOT, '.npmrc'))) cpSync(join(REPO_ROOT, '.npmrc'), join(tree, '.npmrc'), { force: true });
      await run('npm', ['run', 'build'], { cwd: tree, label: 'npm run build' });
      await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: tree, label: 'npm pack' });
      const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      if (!tgz) throw new Error(`npm pack wrote no tarball into ${dir}`);
      rmSync(tree, { recursive: true, force: true });
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
