/** The sample corpus of real Xero error texts with their expected classification (test/fixtures/corpus). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface CorpusCase {
  id: string;
  from: string;
  input: unknown;
  expect: Record<string, unknown>;
}

export const CORPUS_PATH = resolve(__dirname, '../../fixtures/corpus/xero-errors.sample.jsonl');

export function loadCorpus(): CorpusCase[] {
  return readFileSync(CORPUS_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusCase);
}
