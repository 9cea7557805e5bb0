/**
 * The converter's files under attack (issue 24, items 6 and 7), each as the attack review found it: a link
 * planted at the output's name, a linked input rewritten by --write in folder mode, a 200,000-level `pinData`
 * that crashed the run and stopped the files after it. Real files in a temporary folder, the command as a user runs it.
 */
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  lstatSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_INPUT_BYTES } from '../../../../cli/workflow-files';
import { convertText } from '../../../../n8n/convert/convert';
import { MAX_NESTING, parseJson } from '../../../../n8n/convert/workflow-json';
import { oldDateParsingAfter } from '../../../../n8n/convert/xero-dates';
import { oneXeroNodeExport, runConverter } from './sample-workflow';

type Json = Record<string, unknown>;

const run = runConverter;
const workflow = (name: string) => oneXeroNodeExport(name);

const isConverted = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { nodes: Json[] }).nodes[0].type === 'n8n-nodes-xero-guard.xeroGuard';

let root: string;
let dir: string;
let outside: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'xg-convert-files-'));
  dir = join(root, 'exports');
  outside = join(root, 'outside');
  mkdirSync(dir);
  mkdirSync(outside);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('links are not followed (issue 24 item 6)', () => {
  test('a link planted at <name>.xero-guard.json: the file it points to is never written; the link is refused, or replaced itself with --overwrite', async () => {
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    writeFileSync(join(dir, 'invoices.json'), workflow('Invoices'));
    const planted = join(dir, 'invoices.xero-guard.json');
    symlinkSync(victim, planted);

    const r = await run(['convert-workflows', dir, '--credential', 'G']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refused: ${planted} exists already and was left as it is: delete it, or pass --overwrite to replace it.`);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);

    const again = await run(['convert-workflows', dir, '--credential', 'G', '--overwrite']);
    expect(again.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(planted).isSymbolicLink()).toBe(false);
    expect(isConverted(planted)).toBe(true);
  });

  test('folder mode with --write: a linked input is refused and what it points to stays as it was; the other files are converted', async () => {
    const target = join(outside, 'someone-elses.json');
    writeFileSync(target, workflow('Not yours'));
    symlinkSync(target, join(dir, 'linked.json'));
    writeFileSync(join(dir, 'mine.json'), workflow('Mine'));

    const r = await run(['convert-workflows', dir, '--credential', 'G', '--write']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refused: ${join(dir, 'linked.json')} is a symbolic link: links are not followed`);
    expect(readFileSync(target, 'utf8')).toBe(workflow('Not yours'));
    expect(isConverted(join(dir, 'mine.json'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['linked.json', 'mine.json']);
  });

  test('a link named on the command line is refused too, and nothing is written beside it', async () => {
    const target = join(outside, 'real.json');
    writeFileSync(target, workflow('Real'));
    symlinkSync(target, join(dir, 'named.json'));
    const r = await run(['convert-workflows', join(dir, 'named.json'), '--credential', 'G']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/named\.json is a symbolic link/);
    expect(readdirSync(dir)).toEqual(['named.json']);
  });

  test('a folder named by its link is read, its entries still are not followed', async () => {
    writeFileSync(join(dir, 'a.json'), workflow('A'));
    const viaLink = join(root, 'exports-link');
    symlinkSync(dir, viaLink);
    expect((await run(['convert-workflows', viaLink, '--credential', 'G'])).code).toBe(0);
    expect(isConverted(join(dir, 'a.xero-guard.json'))).toBe(true);
  });
});

describe('existing outputs, and how files are written', () => {
  test('an existing output is kept without --overwrite and replaced with it', async () => {
    writeFileSync(join(dir, 'a.json'), workflow('A'));
    writeFileSync(join(dir, 'a.xero-guard.json'), 'my edits\n');
    const r = await run(['convert-workflows', dir, '--credential', 'G']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/a\.xero-guard\.json exists already and was left as it is/);
    expect(readFileSync(join(dir, 'a.xero-guard.json'), 'utf8')).toBe('my edits\n');
    expect((await run(['convert-workflows', dir, '--credential', 'G', '--overwrite'])).code).toBe(0);
    expect(isConverted(join(dir, 'a.xero-guard.json'))).toBe(true);
  });

  test('--write replaces the name (a new file renamed into place), never writes through it: a hard link to the input keeps the old text', async () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, workflow('A'));
    chmodSync(file, 0o640);
    const otherName = join(outside, 'hard-link.json');
    linkSync(file, otherName);
    const inodeBefore = statSync(file).ino;

    expect((await run(['convert-workflows', file, '--credential', 'G', '--write'])).code).toBe(0);
    expect(isConverted(file)).toBe(true);
    expect(statSync(file).ino).not.toBe(inodeBefore);
    expect(readFileSync(otherName, 'utf8')).toBe(workflow('A'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  test('the copy gets the permissions of its input, and no temporary file is left behind', async () => {
    const file = join(dir, 'private.json');
    writeFileSync(file, workflow('Private'));
    chmodSync(file, 0o600);
    expect((await run(['convert-workflows', file, '--credential', 'G'])).code).toBe(0);
    expect(statSync(join(dir, 'private.xero-guard.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['private.json', 'private.xero-guard.json']);
  });

  test('a file larger than the cap is refused by its size without being read; the others are converted', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_INPUT_BYTES + 1); // sparse: no disk used
    writeFileSync(join(dir, 'small.json'), workflow('Small'));
    const r = await run(['convert-workflows', dir, '--credential', 'G']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refused: ${big} is larger than the 100 MB the converter reads. Export one workflow per file`);
    expect(isConverted(join(dir, 'small.xero-guard.json'))).toBe(true);
  });
});

describe('one deep file among good ones (issue 24 item 7)', () => {
  const LEVELS = 200_000;

  test('a 200,000-level pinData is refused by name, line and column, and the files before and after it are converted', async () => {
    writeFileSync(join(dir, 'a.json'), workflow('A'));
    const deep = workflow('Deep').replace(/\n}\n$/, `,\n  "pinData": { "Xero": ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)} }\n}\n`);
    writeFileSync(join(dir, 'deep.json'), deep);
    writeFileSync(join(dir, 'z.json'), workflow('Z'));

    const r = await run(['convert-workflows', dir, '--credential', 'G']);
    expect(r.code).toBe(1);
    const lines = deep.split('\n');
    const line = lines.findIndex((l) => l.includes('"pinData"')) + 1;
    // The workflow is level 1, pinData level 2, its first list level 3: level 1001 is 998 brackets further on.
    const column = lines[line - 1].indexOf('[') + 1 + (MAX_NESTING + 1 - 3);
    expect(r.err).toBe(
      `refused: ${join(dir, 'deep.json')} nests lists and objects more than ${MAX_NESTING} levels deep (at line ${line}, column ${column}): no workflow n8n exports is built like that, so it is not converted. Pinned data is the usual place: unpin it in n8n and export again; the file was left untouched.`,
    );
    expect(isConverted(join(dir, 'a.xero-guard.json'))).toBe(true);
    expect(isConverted(join(dir, 'z.xero-guard.json'))).toBe(true);
    expect(readdirSync(dir)).not.toContain('deep.xero-guard.json');
  });

  test('deep and malformed (never closed): refused the same way, without a stack overflow in the fault finder', () => {
    expect(() => parseJson(`{"nodes": [], "pinData": ${'['.repeat(LEVELS)}`, 'open.json')).toThrow(
      /^open\.json nests lists and objects more than 1000 levels deep \(at line 1, column/,
    );
  });

  test('exactly at the limit is still read and converted (the limit is on nesting, not on files with pinned data)', () => {
    const wf = workflow('At limit');
    // The top-level object is level 1, pinData's object level 2: the arrays fill the rest up to the limit.
    const arrays = MAX_NESTING - 2;
    const text = wf.replace(/\n}\n$/, `,\n  "pinData": { "Xero": ${'['.repeat(arrays)}${']'.repeat(arrays)} }\n}\n`);
    expect(convertText(text, 'limit.json', parseJson(text, 'limit.json'), { name: 'G' }).changes).toHaveLength(1);
    const over = wf.replace(/\n}\n$/, `,\n  "pinData": { "Xero": ${'['.repeat(arrays + 1)}${']'.repeat(arrays + 1)} }\n}\n`);
    expect(() => parseJson(over, 'over.json')).toThrow(/more than 1000 levels deep/);
  });

  test('convertText refuses deep text handed to it directly, and the walk for date expressions never recurses', () => {
    const text = `{"nodes": [{"type": "n8n-nodes-base.xero", "name": "Xero"}], "pinData": ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}`;
    expect(() => convertText(text, 'direct.json', JSON.parse(text), { name: 'G' })).toThrow(/direct\.json nests lists and objects more than 1000 levels/);
    let deepParameters: unknown = 'end: $json.Date.replace("/Date(", "")';
    for (let i = 0; i < LEVELS; i++) deepParameters = [deepParameters];
    const wf = {
      nodes: [{ name: 'Xero' }, { name: 'Code', parameters: deepParameters }],
      connections: { Xero: { main: [[{ node: 'Code', type: 'main', index: 0 }]] } },
    };
    expect(oldDateParsingAfter(wf, 'W', ['Xero'])).toEqual([expect.objectContaining({ node: 'Code', after: 'Xero' })]);
  });
});
