/** test/fixtures/corpus/pasted.jsonl: what people actually paste, each case from a public text named in `from`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const PASTED_SHAPES = [
  'status_in_words',
  'sdk_exception',
  'printed_client_error',
  'xero_wording',
  'tls',
  // Issue 28: kinds of text the reader recognises as kinds, in more than one wording and language each.
  'printed_headers',
  'two_statuses',
  'dns',
  'not_found_name',
  'oauth1_words',
  'connection_limit',
] as const;

export interface PastedCase {
  id: string;
  shape: (typeof PASTED_SHAPES)[number];
  from: string;
  input: unknown;
  expect: Record<string, unknown>;
}

export const PASTED_PATH = resolve(__dirname, '../../fixtures/corpus/pasted.jsonl');

export function loadPasted(): PastedCase[] {
  return readFileSync(PASTED_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PastedCase);
}
