/**
 * The design the code cites is the repository's own: every "Invariant N" named in code or tests
 * has an entry in docs/design/engine.md, each entry names functions that exist where it says and
 * test files that exist and prove that invariant, and every docs/design path cited in a tracked
 * file exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE_DOC = 'docs/design/engine.md';

interface Entry {
  number: number;
  keptBy: Array<{ name: string; file: string }>;
  provedBy: string[];
}

/** The "### Invariant N" entries of the engine doc, with their "Kept by:" and "Proved by:" lines. */
export function parseEntries(doc: string): Entry[] {
  return doc
    .split(/^### /m)
    .slice(1)
    .flatMap((section) => {
      const heading = /^Invariant (\d+)\b/.exec(section);
      if (!heading) return [];
      const kept = /^- Kept by: (.*)$/m.exec(section)?.[1] ?? '';
      const proved = /^- Proved by: (.*)$/m.exec(section)?.[1] ?? '';
      return [
        {
          number: Number(heading[1]),
          keptBy: [...kept.matchAll(/`([\w.$]+)` in `([\w./-]+)`/g)].map((m) => ({ name: m[1], file: m[2] })),
          provedBy: [...proved.matchAll(/`(test\/[\w./-]+)`/g)].map((m) => m[1]),
        },
      ];
    });
}

/** What is wrong with an entry, given a way to read repository files (null when a file is missing). */
export function problemsOf(entry: Entry, read: (file: string) => string | null): string[] {
  const problems: string[] = [];
  if (entry.keptBy.length === 0) problems.push(`Invariant ${entry.number} names no function that keeps it`);
  if (entry.provedBy.length === 0) problems.push(`Invariant ${entry.number} names no test that proves it`);
  for (const { name, file } of entry.keptBy) {
    const text = read(file);
    const member = name.split('.').pop()!;
    // A definition, not a mention: `member(`, `member<`, `class member`, `function member`, `const member =`.
    const defined = new RegExp(
      `(^|[\\s.])(async\\s+|private\\s+|static\\s+|readonly\\s+)*(function\\s+|class\\s+|const\\s+)?${member.replace('$', '\\$')}\\s*[(<={]`,
      'm',
    );
    if (text === null) problems.push(`Invariant ${entry.number}: ${file} does not exist`);
    else if (!defined.test(text)) problems.push(`Invariant ${entry.number}: ${file} does not define ${name}`);
    const owner = name.includes('.') ? name.split('.')[0] : null;
    if (text !== null && owner && !new RegExp(`class\\s+${owner}\\b`).test(text)) problems.push(`Invariant ${entry.number}: ${file} has no class ${owner}`);
  }
  const proving = entry.provedBy.filter((file) => read(file) !== null);
  for (const file of entry.provedBy) if (read(file) === null) problems.push(`Invariant ${entry.number}: test ${file} does not exist`);
  if (proving.length > 0 && !proving.some((file) => new RegExp(`invariant ${entry.number}\\b`, 'i').test(read(file)!))) {
    problems.push(`Invariant ${entry.number}: none of ${proving.join(', ')} names "invariant ${entry.number}" in a test`);
  }
  return problems;
}

const readRepo = (file: string): string | null => (existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : null);

function trackedText(): Array<{ file: string; text: string }> {
  return execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => /\.(ts|js|mjs|md)$/.test(file) && !file.startsWith('test/fixtures/') && existsSync(join(ROOT, file)))
    .map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
}

const entries = parseEntries(readRepo(ENGINE_DOC) ?? '');

test('the engine doc has the sixteen invariants, in order', () => {
  expect(entries.map((entry) => entry.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
});

test('every invariant cited in code or tests has an entry in docs/design/engine.md', () => {
  const documented = new Set(entries.map((entry) => entry.number));
  const cited = trackedText()
    .filter(({ file }) => /\.(ts|js|mjs)$/.test(file) && file !== 'test/repo/design-docs.test.ts')
    .flatMap(({ file, text }) => [...text.matchAll(/\binvariants? (\d+)/gi)].map((m) => ({ file, number: Number(m[1]) })));
  expect(cited.length).toBeGreaterThan(20);
  expect(cited.filter(({ number }) => !documented.has(number))).toEqual([]);
});

test('each entry names functions that exist where it says, and tests that prove that invariant', () => {
  expect(entries.flatMap((entry) => problemsOf(entry, readRepo))).toEqual([]);
});

test('every docs/design path cited in the repository exists', () => {
  const cited = trackedText().flatMap(({ file, text }) => [...text.matchAll(/docs\/design\/[\w.-]*[\w]/g)].map((m) => ({ file, path: m[0] })));
  expect(cited.length).toBeGreaterThan(3);
  expect(cited.filter(({ path }) => !existsSync(join(ROOT, path)))).toEqual([]);
});

describe('the check itself', () => {
  const doc = [
    '### Invariant 1: one',
    '- Kept by: `TokenEngine.singleFlight` in `src/engine/token-engine.ts`',
    '- Proved by: `test/unit/engine/invariants.test.ts`',
    '### Invariant 2: two',
    '- Kept by: `TokenEngine.noSuchMethod` in `src/engine/token-engine.ts`; `jwtExpiry` in `src/xero/missing.ts`',
    '- Proved by: `test/unit/engine/no-such.test.ts`',
    '### Invariant 3: three',
    '- Kept by: `Sealer.seal` in `src/engine/token-engine.ts`',
    '- Proved by: `test/unit/ledger/config.test.ts`',
  ].join('\n');
  const [good, renamed, misplaced] = parseEntries(doc);

  it('accepts an entry whose function and test exist', () => {
    expect(problemsOf(good, readRepo)).toEqual([]);
  });

  it('refuses a renamed function, a missing file and a missing test', () => {
    expect(problemsOf(renamed, readRepo)).toEqual([
      'Invariant 2: src/engine/token-engine.ts does not define TokenEngine.noSuchMethod',
      'Invariant 2: src/xero/missing.ts does not exist',
      'Invariant 2: test test/unit/engine/no-such.test.ts does not exist',
    ]);
  });

  it('refuses a function named in the wrong file and a test that does not prove that invariant', () => {
    expect(problemsOf(misplaced, readRepo)).toEqual([
      'Invariant 3: src/engine/token-engine.ts does not define Sealer.seal',
      'Invariant 3: src/engine/token-engine.ts has no class Sealer',
      'Invariant 3: none of test/unit/ledger/config.test.ts names "invariant 3" in a test',
    ]);
  });
});
