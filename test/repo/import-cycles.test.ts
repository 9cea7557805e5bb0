/**
 * No two modules import each other, however far round (docs/design/README.md, "Inside the core"): lint
 * keeps the folders in order, and this keeps the files of one folder from leaning on each other in a
 * ring, which makes a module impossible to read, load or test on its own. Type-only imports count too:
 * a ring of types is the same knot in the design. Read: the core and everything that ships or runs
 * around it (the tests are left out). The graph comes from TypeScript's own import scanner, so every
 * `import`, `export ... from`, `require()` and `import()` with a literal is seen.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Rings known and being mended elsewhere; each entry fails the test once the ring is gone, so it is
 * removed when the fix lands rather than left to excuse a new ring.
 */
const KNOWN: Array<{ ring: string[]; why: string }> = [];

type Graph = Map<string, string[]>;

/** The repository files a module imports, by path from the root (only relative imports of .ts modules). */
export function importsOf(file: string, text: string, exists: (path: string) => boolean): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => posix.join(posix.dirname(file), specifier))
    .map((target) => [`${target}.ts`, `${target}/index.ts`, target].find((candidate) => candidate.endsWith('.ts') && exists(candidate)))
    .filter((target): target is string => target !== undefined);
}

/** Every ring of the graph (its strongly connected parts with more than one module, or a module importing itself), sorted. */
export function ringsOf(graph: Graph): string[][] {
  // Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const rings: string[][] = [];
  let counter = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const ring: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          ring.push(member);
        } while (member !== frame.node);
        if (ring.length > 1 || edges.includes(frame.node)) rings.push(ring.sort());
      }
    }
  }
  return rings.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Everything but test/: the core, the API, the commands, the wings, the tools and the benchmarks. */
const READ = ['src', 'index.ts', 'cli', 'credentials', 'nodes', 'n8n', 'node-red', 'tools', 'bench'];

function sourceGraph(): Graph {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z', '--', ...READ], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file.endsWith('.ts') && existsSync(join(ROOT, file)));
  const exists = (path: string) => existsSync(join(ROOT, path));
  return new Map(files.map((file) => [file, importsOf(file, readFileSync(join(ROOT, file), 'utf8'), exists)]));
}

const graph = sourceGraph();
const rings = ringsOf(graph);
const isKnown = (ring: string[]) => KNOWN.some((known) => known.ring.join() === ring.join());

test('the graph is the whole tree but the tests', () => {
  expect([...graph.keys()].filter((file) => file.startsWith('src/')).length).toBeGreaterThan(100);
  expect(graph.get('cli/xero-guard-ledger.ts')).toContain('src/fleet/status-command.ts');
  expect(graph.get('node-red/xero-api.ts')?.length).toBeGreaterThan(0);
  expect(graph.get('src/engine/token-engine.ts')).toContain('src/ledger/types.ts');
  expect(graph.get('src/engine/index.ts')).toContain('src/engine/token-engine.ts');
});

test('no module imports itself back, however far round', () => {
  expect(rings.filter((ring) => !isKnown(ring))).toEqual([]);
});

test('every known ring still exists (remove an entry of KNOWN once its fix has landed)', () => {
  expect(KNOWN.filter((known) => !rings.some((ring) => ring.join() === known.ring.join())).map((known) => known.ring)).toEqual([]);
});

describe('the check itself', () => {
  it('finds a ring three modules round, a module importing itself, and nothing in a tree', () => {
    const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));
    expect(ringsOf(graphOf({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c']]);
    expect(ringsOf(graphOf({ a: ['a', 'b'], b: [] }))).toEqual([['a']]);
    expect(ringsOf(graphOf({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });

  it('reads imports, re-exports, type-only imports, require and import() to the files they name', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export * from './c';",
      "const d = require('./d');",
      "void import('./e');",
      "import { readFileSync } from 'node:fs';",
      "import { missing } from './missing';",
    ].join('\n');
    const present = new Set(['src/x/a.ts', 'src/b/index.ts', 'src/x/c.ts', 'src/x/d.ts', 'src/x/e.ts']);
    expect(importsOf('src/x/y.ts', text, (path) => present.has(path)).sort()).toEqual([...present].sort());
  });
});
