/**
 * Two kinds of status a person pastes without a status line, read as kinds rather than as strings:
 *
 * - Prose that names two statuses, the one expected and the one received, in any order and any
 *   runtime's words: `expected 200 OK, got: 403 Forbidden` (openid-client), `Status expected:<200> but
 *   was:<401>` (Spring), `Expected status code <401> but was <400>` (REST Assured), `received 429
 *   instead of 200`, `wanted 2xx, got 401`, `429 not 200`. The status is the one received: a receipt
 *   word (got, received, returned, was, actual) followed by a code, with an expectation word (expected,
 *   wanted, instead of, rather than, not) and its code or class nearby.
 * - A status named by an identifier rather than a number: an exception or enum name that spells a
 *   reason phrase (`HttpClientErrorException$NotFound`, `Net::HTTPNotFound`, .NET's
 *   `status code 'NotFound'`, `XeroGateway::ObjectNotFound`, Java's `NOT_FOUND`).
 *
 * Every pattern starts at a literal word and its gaps are bounded, so each costs linear time on any
 * input; matches are capped.
 */

const GAP = String.raw`(?:[^\w\n]{0,4}(?:an?|the|http|status|code|response|with|in|of)\b){0,3}[^\w\n]{0,4}`;
// Both start with their words (the word start is checked in code), so the scan skips ahead to them.
const RECEIPT = new RegExp(String.raw`(?:got|gotten|received|receiving|returned|returns?|responded|was|actual(?:ly)?|came back)\b${GAP}([1-5]\d\d)(?!\d)`, 'g');
const CODE_OR_CLASS = String.raw`[1-5](?:\d\d|xx)(?!\d)`;
/**
 * An expectation: `expected`/`wanted` with any code, class or "success"; the weaker `instead of`,
 * `rather than` and `not` only with a success code (`429 not 200`), so `the total was 500 not 450`
 * is not read as a status.
 */
const EXPECTATION = new RegExp(
  String.raw`(?:expected|expecting|expect|wanted|want)\b${GAP}(?:${CODE_OR_CLASS}|success(?:ful)?\b)|(?:instead of|rather than|not)\b${GAP}2(?:\d\d|xx)(?!\d)`,
  'g',
);
/** How far apart the two halves of one sentence may be (`Expected: 200` and `Received: 401` on two lines). */
const NEAR = 120;
const MAX_MATCHES = 20;

const WORD_CHAR = /[A-Za-z0-9_]/;

function startsWord(text: string, at: number): boolean {
  return at === 0 || !WORD_CHAR.test(text[at - 1]);
}

function starts(re: RegExp, lower: string): number[] {
  const at: number[] = [];
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(lower); m !== null && n < MAX_MATCHES; m = re.exec(lower), n++) if (startsWord(lower, m.index)) at.push(m.index);
  return at;
}

/** The received status in prose that names an expected one too; null when the text is not such prose. */
export function receivedStatus(lower: string): number | null {
  // Two statuses need an expectation word and a code or class: most prose has one or neither.
  if (!/expect|want|instead of|rather than|not /.test(lower) || !/[1-5](?:\d\d|xx)/.test(lower)) return null;
  const expectations = starts(EXPECTATION, lower);
  if (expectations.length === 0) return null;
  RECEIPT.lastIndex = 0;
  let n = 0;
  for (let m = RECEIPT.exec(lower); m !== null && n < MAX_MATCHES; m = RECEIPT.exec(lower), n++) {
    const at = m.index;
    if (startsWord(lower, at) && expectations.some((e) => e !== at && Math.abs(e - at) <= NEAR)) return Number(m[1]);
  }
  return null;
}

/** Reason phrases as identifiers write them (`NotFound`, `not_found`, `TOO_MANY_REQUESTS`), by status. */
const IDENTIFIER_STATUS: Readonly<Record<string, number>> = {
  badrequest: 400,
  unauthorized: 401,
  unauthorised: 401,
  forbidden: 403,
  notfound: 404,
  preconditionfailed: 412,
  toomanyrequests: 429,
  internalservererror: 500,
  badgateway: 502,
  serviceunavailable: 503,
  gatewaytimeout: 504,
};
const PASCAL =
  'BadRequest|Unauthori[sz]ed|Forbidden|NotFound|PreconditionFailed|TooManyRequests|InternalServerError|BadGateway|ServiceUnavailable|GatewayTimeout';
const UPPER =
  'BAD_REQUEST|UNAUTHORI[SZ]ED|FORBIDDEN|NOT_FOUND|PRECONDITION_FAILED|TOO_MANY_REQUESTS|INTERNAL_SERVER_ERROR|BAD_GATEWAY|SERVICE_UNAVAILABLE|GATEWAY_TIMEOUT';
/**
 * Case-sensitive on purpose: `NotFound` glued is an identifier, `not found` is prose. The name must
 * start a word, or follow a prefix SDKs put there (`HTTPNotFound`, `XeroNotFound`, `ObjectNotFound`)
 * that starts one, so a local `FileNotFoundError` or `UnauthorizedAccessException` is not read as
 * Xero's answer. The pattern is the names alone, so the scan skips ahead to them; the word start is
 * checked after.
 */
const IDENTIFIER = new RegExp(String.raw`(${PASCAL})(?:Exception|Error)?(?![A-Za-z0-9_])|(${UPPER})(?![A-Za-z0-9_])`, 'g');
const PREFIXES = ['HTTP', 'Http', 'Xero', 'Api', 'API', 'Object', 'Resource', 'Record', 'Entity'];

/** The status an identifier names, or null. */
export function statusOfIdentifier(text: string): number | null {
  IDENTIFIER.lastIndex = 0;
  let n = 0;
  for (let m = IDENTIFIER.exec(text); m !== null && n < MAX_MATCHES; m = IDENTIFIER.exec(text), n++) {
    const at = m.index;
    const prefixed = m[1] !== undefined && PREFIXES.some((p) => text.endsWith(p, at) && startsWord(text, at - p.length));
    if (startsWord(text, at) || prefixed) return IDENTIFIER_STATUS[(m[1] ?? m[2] ?? '').toLowerCase().replace(/_/g, '')] ?? null;
  }
  return null;
}
