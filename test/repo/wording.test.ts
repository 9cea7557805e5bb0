/**
 * One wording for reconnecting: n8n 2.41's own buttons, "Connect" and "Switch account", in every text
 * a user reads, and clean punctuation in titles. Scanned: the texts the tables build for every
 * category and code in each host's words (alerts, advice, the classifier's own), every node's and
 * the credential's description as n8n's editor reads it, the string literals of nodes/, credentials/,
 * node-red/ and src/ (errors and their advice; comments are not read), docs/*.md, the README and
 * examples/. A button n8n 2.41 does not have ("Reconnect", "Connect my account", "Reconnect
 * account"), or ".:" anywhere, fails here with the file and the text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { CATEGORIES } from '../../src/classify/types';
import { TEXTS } from '../../src/classify/texts';
import {
  ADVICE_CODES,
  adviceFor,
  alertText,
  classificationInWords,
  recoveredText,
  scopesLostText,
  scopesNotGrantedAdvice,
  type AlertWords,
} from '../../src/host';
import { N8N_WORDS } from '../../nodes/shared/node-support';
import { NODE_RED_WORDS } from '../../node-red/lib/status';

const ROOT = join(__dirname, '..', '..');

/** What n8n 2.41 has no button for, as a text tells someone to press it; and a stop before a colon. */
const WRONG: ReadonlyArray<[RegExp, string]> = [
  [/\bclick(?:ing)?\s+(?:the\s+|on\s+)?["“*]*Reconnect\b/i, 'a "Reconnect" button (n8n 2.41 has "Switch account" and "Connect")'],
  [/["“]Reconnect["”]/, 'a "Reconnect" button (n8n 2.41 has "Switch account" and "Connect")'],
  [/\b(?:and|then|or),?\s+Reconnect\b/, 'a "Reconnect" button (n8n 2.41 has "Switch account" and "Connect")'],
  [/\bReconnect\s+(?:button|account)\b/i, 'a "Reconnect" button (n8n 2.41 has "Switch account" and "Connect")'],
  [/\bConnect my account\b/i, 'a "Connect my account" button (n8n 2.41 shows "Connect")'],
  [/\bSign in with Xero\b/, 'a "Sign in with Xero" button (n8n 2.41 shows "Connect")'],
  [/\w\.:(?=\s|$)/, 'a stop before a colon (".:")'],
];

function problemsIn(where: string, text: string): string[] {
  return WRONG.flatMap(([pattern, what]) => {
    const found = pattern.exec(text);
    return found ? [`${where}: ${what} in "…${text.slice(Math.max(0, found.index - 60), found.index + 40).replace(/\s+/g, ' ')}…"`] : [];
  });
}

function filesUnder(folder: string, keep: (file: string) => boolean): string[] {
  const full = join(ROOT, folder);
  return readdirSync(full).flatMap((name) => {
    const path = join(full, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? filesUnder(relative(ROOT, path), keep) : keep(name) ? [relative(ROOT, path)] : [];
  });
}

/** Every string a TypeScript file holds (literals and template parts), not its comments. */
function stringsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) out.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

const HOSTS: ReadonlyArray<[string, AlertWords]> = [
  ['n8n', N8N_WORDS],
  ['Node-RED', NODE_RED_WORDS],
];

/** Every text the tables build, for every category and code, in each host's words. */
function builtTexts(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const category of CATEGORIES) {
    const own = (TEXTS as Record<string, { summary: string; advice: string }>)[category];
    if (own) out.push([`classifier ${category}`, `${own.summary}\n${own.advice}`]);
  }
  for (const [host, words] of HOSTS) {
    for (const category of CATEGORIES) {
      const alert = alertText({ connectionName: 'Acme books', category, link: 'https://n8n.example/credential' }, words);
      out.push([`${host} alert for ${category}`, alert.text]);
      const own = (TEXTS as Record<string, { summary: string; advice: string } | undefined>)[category];
      if (own) {
        const shown = classificationInWords(
          { category, summary: own.summary, advice: own.advice, matchedRule: null, missingScopes: ['accounting.invoices'] },
          words,
        );
        out.push([`${host} classification of ${category}`, `${shown.summary}\n${shown.advice}`]);
      }
    }
    for (const code of ADVICE_CODES) {
      const advice = adviceFor({ code, message: `${code}.`, retryable: false }, words);
      out.push([`${host} advice for ${code}`, `${advice.advice}\n${advice.status}`]);
      out.push([`${host} alert for ${code}`, alertText({ connectionName: 'Acme books', code, link: 'https://n8n.example/credential' }, words).text]);
    }
    out.push([`${host} recovered`, recoveredText({ connectionName: 'Acme books' }, words).text]);
    out.push([
      `${host} scopes lost`,
      scopesLostText({ connectionName: 'Acme books', missing: ['accounting.contacts'], link: 'https://n8n.example/c' }, words).text,
    ]);
    out.push([`${host} scopes not granted`, scopesNotGrantedAdvice(['accounting.contacts', 'accounting.invoices'], words)]);
  }
  return out;
}

/** Every node's and the credential's description, as n8n's editor reads it. */
function descriptions(): Array<[string, string]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
  return [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((dist) => {
    const source = join(ROOT, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    const name = source
      .split('/')
      .pop()!
      .replace(/\.(node|credentials)\.ts$/, '');
    const type = new (require(source) as Record<string, new () => { description?: unknown; properties?: unknown }>)[name]!();
    return [relative(ROOT, source), JSON.stringify(type.description ?? type.properties)];
  });
}

const sources = [
  ...filesUnder('nodes', (f) => f.endsWith('.ts')),
  ...filesUnder('credentials', (f) => f.endsWith('.ts')),
  ...filesUnder('node-red', (f) => f.endsWith('.ts')),
  ...filesUnder('src', (f) => f.endsWith('.ts')),
];
const documents = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
  ...filesUnder('examples', (f) => f.endsWith('.json') || f.endsWith('.md')),
  ...filesUnder('node-red', (f) => f.endsWith('.html')),
];

describe("one wording: n8n 2.41's buttons, clean titles", () => {
  it('in every text the alert, advice and classifier tables build, for both hosts', () => {
    const texts = builtTexts();
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.flatMap(([where, text]) => problemsIn(where, text))).toEqual([]);
  });

  it('in every node description and the credential', () => {
    const texts = descriptions();
    expect(texts.length).toBeGreaterThanOrEqual(14);
    expect(texts.flatMap(([where, text]) => problemsIn(where, text))).toEqual([]);
  });

  it('in every string of nodes/, credentials/, node-red/ and src/ (errors and their advice)', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.flatMap((file) => stringsOf(file).flatMap((text) => problemsIn(file, text)))).toEqual([]);
  });

  it('in the README, docs/*.md, examples/ and the Node-RED help', () => {
    expect(documents.length).toBeGreaterThan(10);
    expect(documents.flatMap((file) => problemsIn(file, readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('finds each wrong wording it looks for', () => {
    const found = (text: string) => problemsIn('t', text).length;
    expect(found('Open the Xero credential and click Reconnect.')).toBe(1);
    expect(found('Copy the secret into the credential, save, and Reconnect.')).toBe(1);
    expect(found('Use the "Reconnect" button.')).toBeGreaterThan(0);
    expect(found('Click "Connect my account".')).toBe(1);
    expect(found('The contact name is not valid.: Contact names must be unique')).toBe(1);
    expect(found('Open the Xero credential and click "Switch account" (or "Connect"); reconnecting will not help.')).toBe(0);
    expect(found('Reconnecting will not help. See https://example.com/a.b:8080 and `...:notes`')).toBe(0);
  });
});
