/**
 * The runtime names of the package's public entry points, as a consumer's require() sees them: each
 * subpath of package.json "exports" that names one module (the root and /simulator), loaded from the
 * built dist/, one name a line under a heading per entry point. Two lists diffed show what a change
 * did to the public API; types are left out (tsc checks those), only what exists at run time counts.
 *
 *   npm run build && npx tsx tools/public-exports.ts [a built checkout, default this one] > exports.txt
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

type ExportTarget = string | { default?: string };

/** The module entry points of package.json "exports": subpath -> file (wildcards and package.json left out). */
export function entryPoints(exportsField: Record<string, ExportTarget>): Array<{ subpath: string; file: string }> {
  return Object.entries(exportsField).flatMap(([subpath, target]) => {
    const file = typeof target === 'string' ? target : target.default;
    return file && file.endsWith('.js') && !subpath.includes('*') ? [{ subpath, file }] : [];
  });
}

/** The listing for the checkout at `root`, built beforehand. */
export function publicExports(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, ExportTarget> };
  const lines: string[] = [];
  for (const { subpath, file } of entryPoints(pkg.exports)) {
    const path = join(root, file);
    if (!existsSync(path)) throw new Error(`${path} does not exist: run npm run build in ${root} first.`);
    // A built module of the package at a path known only at run time.
    const names = Object.keys(require(path) as Record<string, unknown>).sort();
    lines.push(
      `# ${subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`} (${file.replace(/^\.\//, '')}): ${names.length} names`,
      ...names,
      '',
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  process.stdout.write(publicExports(resolve(process.argv[2] ?? join(__dirname, '..'))));
}
