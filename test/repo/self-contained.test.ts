/**
 * The repository stands alone: a clone with no folder beside it must build, test and benchmark.
 * Every tracked source file is parsed, and each path it builds from its own directory (a relative
 * import, a `resolve(__dirname, ...)` / `join(__dirname, ...)` with literal segments, a literal
 * starting with `../`) must land inside the repository. Nothing may point a reader at the
 * design-input folder that sits next to the repository on developers' machines (its spec/, notes/,
 * corpus/ and xero-openapi/): what the project needs from it lives in docs/design and test/fixtures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
const CODE = /\.(ts|js|mjs|cjs)$/;

interface Escape {
  file: string;
  line: number;
  path: string;
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('test/fixtures/'));
}

function outside(target: string): boolean {
  const rel = relative(ROOT, target);
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel);
}

function literalText(node: ts.Node): string | undefined {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}

/** The paths a source file builds relative to its own folder that leave the repository. */
export function escapesIn(file: string, text: string): Escape[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const here = dirname(join(ROOT, file));
  const found: Escape[] = [];
  const report = (node: ts.Node, target: string) => {
    if (outside(target)) found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, path: relative(ROOT, target) });
  };
  const visit = (node: ts.Node) => {
    const literal = literalText(node);
    // A relative module specifier or any literal that starts by climbing: resolved from this file's folder.
    if (literal !== undefined && /^\.\.?(\/|$)/.test(literal)) report(node, resolve(here, literal));
    // resolve(__dirname, '..', '..', 'x') / join(__dirname, '../x'): the literal segments after __dirname.
    if (ts.isCallExpression(node) && node.arguments.length > 1 && ts.isIdentifier(node.arguments[0]) && node.arguments[0].text === '__dirname') {
      const segments: string[] = [];
      for (const argument of node.arguments.slice(1)) {
        const segment = literalText(argument);
        if (segment === undefined) break;
        segments.push(segment);
        report(node, resolve(here, ...segments));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no tracked source file builds a path that leaves the repository', () => {
  const escapes = trackedFiles()
    .filter((file) => CODE.test(file))
    .flatMap((file) => escapesIn(file, readFileSync(join(ROOT, file), 'utf8')));
  expect(escapes).toEqual([]);
});

test('no tracked file names the design-input folder next to the repository', () => {
  const mentions = trackedFiles()
    .filter((file) => !/\.(png|jpg|svg|tgz)$/.test(file) && file !== 'package-lock.json' && file !== 'test/repo/self-contained.test.ts')
    .flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .map((line, index) => ({ file, line: index + 1, text: line.trim() }))
        .filter(({ text }) => /\bshared\/(spec|notes|corpus|xero-openapi|hooks)\b|\/work\/shared\b/.test(text)),
    );
  expect(mentions).toEqual([]);
});

describe('the check itself', () => {
  // Shapes the old code had: a test reading the corpus and Xero's OpenAPI documents from ../shared.
  it.each([
    ["resolve(__dirname, '../../../shared/corpus/xero-errors.sample.jsonl')", 'test/classify/corpus.ts'],
    ["join(__dirname, '..', '..', '..', 'shared', 'xero-openapi')", 'test/simulator/schemas.test.ts'],
    ["resolve(__dirname, '../../shared/corpus/xero-errors.sample.jsonl')", 'bench/classify.bench.ts'],
    ["import { x } from '../../../outside';", 'test/repo/x.ts'],
    ["const p = '../../../elsewhere/file.json';", 'test/repo/x.ts'],
  ])('catches %s in %s', (code, file) => {
    expect(escapesIn(file, code).length).toBeGreaterThan(0);
  });

  it.each([
    ["resolve(__dirname, '..', '..')", 'test/repo/x.ts'],
    ["join(__dirname, '..', '..', 'fixtures', 'xero-openapi')", 'test/integration/simulator/schemas.test.ts'],
    ["import { classifyXeroError } from '../../src/classify';", 'bench/survival/run.ts'],
    ["resolve(__dirname, dynamic, '..')", 'bench/x.ts'],
  ])('lets %s in %s through', (code, file) => {
    expect(escapesIn(file, code)).toEqual([]);
  });
});
