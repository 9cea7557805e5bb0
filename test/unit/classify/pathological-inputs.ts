/** Worst cases for the patterns that read pasted text; shared by the test and the bench. */
const MB = 1024 * 1024;

export const PATHOLOGICAL: [string, () => string][] = [
  ['unclosed single-quoted values after bare keys', () => "key: '".repeat(MB / 6)],
  ['quoted keys with colons and no values', () => "'k':".repeat(MB / 4)],
  ['backtick strings that never close', () => `a: \`${'x\\`'.repeat(MB / 3)}`],
  ['escaped quotes inside a single-quoted value', () => `'v': '${"\\'".repeat(MB / 2)}`],
  ['status words without a number', () => 'status code status_code statusCode: '.repeat(MB / 36)],
  ['inline header names without values', () => "'Retry-After': ".repeat(MB / 15)],
  ['header names glued together', () => 'x-rate-limit-problem='.repeat(MB / 21)],
  ['exception-looking words', () => 'ForbiddenExceptionValidationException'.repeat(MB / 37)],
  ['reason phrases and brackets', () => '[403] Not Found (429) Reason: '.repeat(MB / 31)],
  ['numbers that look like times', () => 'at 09:22:02 '.repeat(MB / 12)],
  ['Python None and True soup', () => "{'a': None, 'b': True, ".repeat(MB / 24)],
  ['TLS words', () => 'unable to verify the first certificate self-signed '.repeat(MB / 51)],
];
