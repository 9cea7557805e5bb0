/**
 * The map is true: the folder table of docs/design/README.md names every folder and file directly
 * under src/ and every top-level folder the repository tracks, and names nothing that is not there.
 * A contributor reads the house from that table; a folder it leaves out is a room nobody was shown.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const MAP = 'docs/design/README.md';

/** Rows written ahead for a folder a parallel branch adds, until that branch is merged (none now). */
const PENDING: string[] = [];

/** The paths the folder table names: the code spans of each row's first cell, without a trailing slash; `test/unit/<module>` names test/unit. */
export function mapEntries(doc: string): string[] {
  const section = doc.split(/^## /m).find((part) => part.startsWith('What each folder is')) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\/?<[^>]+>$/, '').replace(/\/$/, '')));
}

/** What the table must name, given the files the repository tracks: each top-level folder, and each entry directly in src/. */
export function requiredEntries(files: string[]): { topLevel: string[]; core: string[] } {
  const topLevel = [...new Set(files.filter((file) => file.includes('/')).map((file) => file.split('/')[0]))].sort();
  const core = [...new Set(files.filter((file) => file.startsWith('src/')).map((file) => file.split('/').slice(0, 2).join('/')))].sort();
  return { topLevel, core };
}

/** What the table leaves out: a top-level folder is named by a row for it or for anything inside it; a part of src/ only by its own row. */
export function missingFromMap(entries: string[], required: { topLevel: string[]; core: string[] }): string[] {
  const named = new Set(entries);
  return [
    ...required.topLevel.filter((folder) => !entries.some((entry) => entry === folder || entry.startsWith(`${folder}/`))),
    ...required.core.filter((part) => !named.has(part)),
  ];
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

const entries = mapEntries(readFileSync(join(ROOT, MAP), 'utf8'));

test('the folder table names every top-level folder and everything directly in src/', () => {
  const required = requiredEntries(trackedFiles());
  expect(required.core).toEqual(expect.arrayContaining(['src/clock.ts', 'src/engine', 'src/host', 'src/fleet', 'src/percent-encoding.ts']));
  expect(required.topLevel).toEqual(expect.arrayContaining(['cli', 'n8n', 'src', 'test', '.ci']));
  expect(missingFromMap(entries, required)).toEqual([]);
});

test('every path the folder table names exists (or is written ahead for a branch about to merge)', () => {
  expect(entries.length).toBeGreaterThan(20);
  expect(entries.filter((entry) => !existsSync(join(ROOT, entry)) && !PENDING.includes(entry))).toEqual([]);
});

describe('the check itself', () => {
  const table = (...rows: string[]) =>
    ['# Design', '## What each folder is', '', '| folder | what it is |', '| --- | --- |', ...rows, '', '## Rules'].join('\n');
  const required = { topLevel: ['src', 'test', 'tools'], core: ['src/clock.ts', 'src/engine', 'src/host'] };

  it('reads the first cell of each row, several paths to a cell, placeholders cut off', () => {
    expect(mapEntries(table('| `src/clock.ts`, `src/engine/` | x |', '| `test/unit/<module>` | `src/host/` in the text |'))).toEqual([
      'src/clock.ts',
      'src/engine',
      'test/unit',
    ]);
  });

  it('names what a table without the src/host/ row leaves out, and a top-level folder with no row at all', () => {
    const full = table('| `src/clock.ts`, `src/engine/` | x |', '| `src/host/` | x |', '| `test/unit/<module>` | x |', '| `tools/` | x |');
    expect(missingFromMap(mapEntries(full), required)).toEqual([]);
    const withoutHost = full.replace('| `src/host/` | x |\n', '');
    expect(missingFromMap(mapEntries(withoutHost), required)).toEqual(['src/host']);
    const withoutTools = full.replace('| `tools/` | x |\n', '');
    expect(missingFromMap(mapEntries(withoutTools), required)).toEqual(['tools']);
  });

  it('does not count a folder inside a part of src/ as the part itself', () => {
    expect(missingFromMap(['src', 'src/engine/errors.ts', 'src/clock.ts', 'src/host', 'test', 'tools'], required)).toEqual(['src/engine']);
  });
});
