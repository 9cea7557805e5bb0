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
  // Issue 28: one worst case for each pattern that reads a kind of pasted text.
  ['expectation words without a received status', () => 'expected status code in the '.repeat(MB / 28)],
  ['expected and received words around two-digit numbers', () => 'expected 200 got 40 not 2xx was '.repeat(MB / 32)],
  ['status gap words that never reach a number', () => 'got the status code with a http response of '.repeat(MB / 45)],
  ['printed header separators without values', () => '"retry-after"=>"'.repeat(MB / 16)],
  ["PHP's array wrappers without values", () => '[Retry-After] => Array\n(\n [0] => '.repeat(MB / 34)],
  ['header names glued to separators', () => 'x-rate-limit-problem:=>,]'.repeat(MB / 25)],
  ['status identifier prefixes without a name', () => '$::.HTTPXeroApiObjectNotFoun'.repeat(MB / 28)],
  ['certificate subject names that never end', () => `certificate subject name ${'x'.repeat(250)} `.repeat(MB / 276)],
  ['quoted host names that never close', () => `hostname '${'h'.repeat(250)}`.repeat(MB / 260)],
  ['DNS words that never finish', () => 'could not resolve name temporary failure in name '.repeat(MB / 50)],
  ['connection limit words that never finish', () => 'reached the xero connection too many connected xero maximum number of '.repeat(MB / 72)],
  ['nonce values that never close', () => `nonce value "${'n'.repeat(100)}`.repeat(MB / 113)],
  ['OAuth 1.0a names glued by underscores', () => 'nonce_usedtoken_rejected_'.repeat(MB / 25)],
  ['Ruby hash arrows without values', () => '"k"=>'.repeat(MB / 5)],
  ['a JSON string literal of escapes', () => `"${'\\n'.repeat(MB / 2)}"`],
];
