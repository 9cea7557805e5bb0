/**
 * The `npx` commands the repository shows people (docs, README, examples, help texts, messages), read out of the
 * tracked files, and what each may name. `npx <command>` runs a command installed where it runs, and otherwise
 * fetches the package *named like the command* from the public registry and runs it: a name this project does
 * not own is a door for whoever registers it (issue 25, item 4).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');

interface PackageJson {
  name: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
export const PACKAGE = readPackage(ROOT);

/** The commands a package installs (node_modules/.bin), by npm's rule: a string bin is named after the package. */
export function binsOf(pkg: PackageJson): string[] {
  if (typeof pkg.bin === 'string') return [pkg.name.replace(/^@[^/]+\//, '')];
  return Object.keys(pkg.bin ?? {});
}

/** n8n itself, the host this pack runs in: n8n's own docs start it with `npx n8n`, and the version gate names that form. */
const HOST_PACKAGES = ['n8n'];

export interface NpxCommand {
  file: string;
  line: number;
  /** The packages given with -p / --package. */
  packages: string[];
  /** The command npx runs (undefined when the text shows only `npx -p <package>`). */
  command?: string;
  text: string;
}

/** Every `npx ...` in a text, up to the end of its code span, tag or line. */
export function npxCommandsIn(text: string, file: string): NpxCommand[] {
  const found: NpxCommand[] = [];
  for (const m of text.matchAll(/(?<![\w/.-])npx((?:[ \t]+[^\n`<"')]*)?)/g)) {
    const tokens = m[1].trim().split(/\s+/).filter(Boolean);
    const packages: string[] = [];
    let i = 0;
    while (i < tokens.length && tokens[i].startsWith('-')) {
      const t = tokens[i];
      if (t === '-p' || t === '--package') {
        if (tokens[i + 1]) packages.push(tokens[i + 1]);
        i += 2;
      } else {
        if (t.startsWith('--package=')) packages.push(t.slice('--package='.length));
        i++;
      }
    }
    if (tokens.length === 0) continue; // prose naming npx itself: "`npx`"
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ file, line, packages, command: tokens[i], text: `npx${m[1]}`.trim() });
  }
  return found;
}

/** A package spec without its version: `tsx@4` -> `tsx`, `@n8n/node-cli@1` -> `@n8n/node-cli`. */
const packageName = (spec: string): string => spec.replace(/^(@?[^@]+)@.*$/, '$1');

const dependencyNames = (): string[] => [
  ...Object.keys(PACKAGE.dependencies ?? {}),
  ...Object.keys(PACKAGE.devDependencies ?? {}),
  ...Object.keys(PACKAGE.peerDependencies ?? {}),
];

/** Each dependency's commands (installed in node_modules, where npx finds them first in a clone). */
function dependencyBins(): Map<string, string[]> {
  const bins = new Map<string, string[]>();
  for (const name of dependencyNames()) {
    const dir = join(ROOT, 'node_modules', name);
    bins.set(name, existsSync(join(dir, 'package.json')) ? binsOf(readPackage(dir)) : []);
  }
  return bins;
}

/** What is wrong with one command, or null: the reason a reviewer reads. */
export function npxProblem(command: NpxCommand, deps = dependencyBins()): string | null {
  const own = binsOf(PACKAGE);
  const commandsOf = (pkg: string): string[] => (pkg === PACKAGE.name ? own : (deps.get(pkg) ?? []));
  for (const spec of command.packages) {
    const name = packageName(spec);
    if (name !== PACKAGE.name && !deps.has(name) && !HOST_PACKAGES.includes(name)) return `-p ${spec}: not this package nor one it depends on`;
  }
  if (command.command === undefined) return null;
  if (command.packages.length > 0) {
    const bins = command.packages.flatMap((p) => commandsOf(packageName(p)));
    return bins.includes(command.command) ? null : `${command.command} is not a command of ${command.packages.join(', ')}`;
  }
  if (own.includes(command.command))
    return `${command.command} is this package's command, but without -p ${PACKAGE.name} npx looks it up on the registry wherever it is not installed (a clone): write npx -p ${PACKAGE.name} ${command.command}`;
  const name = packageName(command.command);
  if (deps.has(name) || HOST_PACKAGES.includes(name)) return null;
  if ([...deps.values()].some((bins) => bins.includes(command.command as string))) return null;
  return `${command.command} is neither this package, one it depends on, nor a command of one of them`;
}

/** The tracked files people read: everything but the tests, the lock, Xero's documents and measured results. */
export function scannedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(
      (f) => f !== '' && !/^(test\/|openapi\/|bench\/results\/|package-lock\.json$)/.test(f) && /\.(md|ts|js|mjs|json|html|txt|yml|yaml)$|^\.ci\/run$/.test(f),
    )
    .filter((f) => existsSync(join(ROOT, f)));
}

export function npxCommandsOfRepository(): NpxCommand[] {
  return scannedFiles().flatMap((f) => npxCommandsIn(readFileSync(join(ROOT, f), 'utf8'), f));
}
