/** docs/classifier.md is what users read: its category table must say what the code says. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CATEGORIES, CATEGORY_ACTION } from '../../../src/classify';
import { HOST_NOT_FOUND_TEXT, REDIRECT_REFUSED_TEXT, TEXTS } from '../../../src/classify/texts';

const doc = readFileSync(resolve(__dirname, '../../../docs/classifier.md'), 'utf8');

it.each(CATEGORIES.map((c) => [c]))('docs/classifier.md documents %s with its action, summary and advice', (c) => {
  const row = doc.split('\n').find((line) => line.startsWith(`| \`${c}\` |`));
  expect(row).toBeDefined();
  expect(row).toContain(`\`${CATEGORY_ACTION[c]}\``);
  expect(row).toContain(TEXTS[c].summary);
  expect(row).toContain(TEXTS[c].advice);
});

it('documents the ENOTFOUND texts', () => {
  expect(doc).toContain(HOST_NOT_FOUND_TEXT.summary);
  expect(doc).toContain(HOST_NOT_FOUND_TEXT.advice);
});

it('documents the EREDIRECT texts', () => {
  expect(doc).toContain(REDIRECT_REFUSED_TEXT.summary);
  expect(doc).toContain(REDIRECT_REFUSED_TEXT.advice);
});
