/**
 * Node-RED's own words (issue 29, item 2): every text of every category, every error code, every
 * alert kind and every real error of the shared corpus, run through what the Node-RED wing shows
 * (the classify node's classification, `xero api`'s and `xero refresh token`'s msg fields, the
 * watch's alerts, the status dots), carries no n8n word. The n8n wing keeps its own words.
 */
import { NODE_RED_WORDS, STATUS_TEXT_LENGTH, fitText, statusForError, statusForResult } from '../../../node-red/lib/status';
import { failureOf, InputProblem } from '../../../node-red/lib/failure';
import { N8N_WORDS } from '../../../nodes/shared/node-support';
import { CATEGORIES, classifyXeroError, type Category, type Classification } from '../../../src/classify';
import { TEXTS } from '../../../src/classify/texts';
import { ConnectionStateError } from '../../../src/engine';
import {
  ADVICE_CODES,
  adviceFor,
  alertText,
  budgetText,
  checkResultForError,
  classificationInWords,
  organisationAddedText,
  recoveredText,
} from '../../../src/host';
import { XeroApiError } from '../../../src/xero/accounting';
import { loadCorpus } from '../classify/corpus';
import { AFTER_GATES, AUTHORIZATION_UNSUCCESSFUL, JOURNALS_GRANTED, JOURNALS_SCOPE_MISSING } from '../classify/context-cases';

/** n8n's words: the host, its automation and its run, its credential, its buttons ("Reconnect", capital R) and settings. */
const N8N_WORDS_ANY_CASE = /\bn8n\b|N8N_|workflow|\bcredentials?\b|Switch account|Connect my account|Retry On Fail|execution/i;
const N8N_BUTTON = /(click|and|press|then) "?Reconnect\b|Reconnect on|Reconnect"/;
const N8N_WORD = { test: (text: string) => N8N_WORDS_ANY_CASE.test(text) || N8N_BUTTON.test(text) };

/** A classification of `category` as the classifier words it by default. */
function defaultOf(category: Category): Classification {
  return { ...classifyXeroError('x'), category, summary: TEXTS[category].summary, advice: TEXTS[category].advice };
}

/** Real classifier output: the corpus, and the 401 that a missing scope or an endpoint closed to the tier gives. */
const REAL: Array<[string, Classification]> = [
  ...loadCorpus().map((c): [string, Classification] => [c.id, classifyXeroError(c.input, { now: AFTER_GATES })]),
  ...AUTHORIZATION_UNSUCCESSFUL.flatMap(([shape, input]): Array<[string, Classification]> => [
    [`scope missing, ${shape}`, classifyXeroError(input, { now: AFTER_GATES, context: JOURNALS_SCOPE_MISSING })],
    [`tier, ${shape}`, classifyXeroError(input, { now: AFTER_GATES, context: JOURNALS_GRANTED })],
    [`role, ${shape}`, classifyXeroError(input, { now: AFTER_GATES, context: { ...JOURNALS_GRANTED, endpoint: 'ManualJournals' } })],
    [`endpoint unknown, ${shape}`, classifyXeroError(input, { now: AFTER_GATES, context: { ...JOURNALS_GRANTED, endpoint: 'Quotes' } })],
  ]),
];

/** Every text of a classification a person reads. */
const textsOf = (c: Pick<Classification, 'summary' | 'advice'>) => `${c.summary}\n${c.advice}`;
const scrub = (text: string) => text;

describe("every text the Node-RED wing shows is in Node-RED's words", () => {
  it('the classifier speaks n8n by default: the test would see it (the wing must reword)', () => {
    const leaks = CATEGORIES.filter((c) => N8N_WORD.test(textsOf(TEXTS[c])));
    expect(leaks.length).toBeGreaterThan(10);
  });

  it.each([...CATEGORIES])('category %s: classify node, xero api error, alert', (category) => {
    const worded = classificationInWords(defaultOf(category), NODE_RED_WORDS);
    const api = failureOf(new XeroApiError({ classification: defaultOf(category), method: 'GET', path: 'Invoices', httpStatus: 403 }), scrub).fields;
    const alert = alertText({ connectionName: 'Acme books', category, link: 'http://192.168.1.20:1880/#node/a1' }, NODE_RED_WORDS);
    const shown = [textsOf(worded), String(api.message), String(api.summary), String(api.advice), alert.text];
    expect(shown.filter((t) => N8N_WORD.test(t))).toEqual([]);
    // The category stays the classifier's: only the words change.
    expect({ category: worded.category, action: worded.action }).toEqual({ category, action: defaultOf(category).action });
  });

  it.each(REAL.map(([name, c]) => [name, c] as const))('real error %s', (_name, c) => {
    const worded = classificationInWords(c, NODE_RED_WORDS);
    const api = failureOf(new XeroApiError({ classification: c, method: 'GET', path: 'Journals', httpStatus: c.httpStatus }), scrub).fields;
    expect([textsOf(worded), String(api.message)].filter((t) => N8N_WORD.test(t))).toEqual([]);
  });

  it('a missing scope is named in the advice, in the xero-connection node', () => {
    const c = classificationInWords(REAL.find(([name]) => name === 'scope missing, an HTTP response')![1], NODE_RED_WORDS);
    expect(c.category).toBe('insufficient_scope');
    expect(c.advice).toBe('Add accounting.journals.read to the scopes of the xero-connection node, save, then click Connect to Xero so Xero grants it.');
  });

  it('a custom rule keeps the words its author wrote, and the n8n wing keeps its own', () => {
    const custom = { ...defaultOf('validation_error'), matchedRule: 'ours', advice: 'Ask the n8n team.' };
    expect(classificationInWords(custom, NODE_RED_WORDS).advice).toBe('Ask the n8n team.');
    expect(classificationInWords(defaultOf('tenant_access_denied'), N8N_WORDS).advice).toContain('workflow');
  });

  it.each([...ADVICE_CODES, 'UNKNOWN', 'TOKEN_ERROR'])('code %s: xero api and refresh token fields, the status dot', (code) => {
    const error = Object.assign(new Error(`The engine says ${code}.`), { code });
    const fields = failureOf(error, scrub).fields;
    const dot = statusForError(error);
    const alert = alertText({ connectionName: 'Acme books', code }, NODE_RED_WORDS);
    expect([String(fields.summary), String(fields.advice), String(dot.text), alert.text].filter((t) => N8N_WORD.test(t))).toEqual([]);
  });

  it('a revoked chain: the engine error through xero api routes to re-authenticate, in Node-RED words', () => {
    const fields = failureOf(new ConnectionStateError('a1', 'needs_reauth', 'Xero answered invalid_grant.'), scrub).fields;
    expect(fields).toMatchObject({ code: 'NEEDS_REAUTH', action: 'reauthenticate' });
    expect(String(fields.advice)).toContain('click "Connect to Xero"');
    expect(N8N_WORD.test(`${fields.summary} ${fields.advice}`)).toBe(false);
  });

  it('good news, budgets, a check result, a bad input', () => {
    const organisation = { tenantId: 't', tenantName: 'Beta Ltd' };
    const texts = [
      recoveredText({ connectionName: 'Acme books', organisation }, NODE_RED_WORDS).text,
      organisationAddedText({ connectionName: 'Acme books', organisation }, NODE_RED_WORDS).text,
      budgetText({ connectionName: 'Acme books', low: true, organisation, dayRemaining: 9, dayLimit: 100 }, NODE_RED_WORDS).text,
      String(statusForResult(checkResultForError({ code: 'NOT_CONNECTED', message: 'never connected' }), null).text),
      String(failureOf(new InputProblem('No organisation: pick one.'), scrub).fields.advice),
      adviceFor({ code: 'LEDGER_WRONG_KEY' }, NODE_RED_WORDS).advice,
    ];
    expect(texts.filter((t) => N8N_WORD.test(t))).toEqual([]);
  });
});

describe('status texts stay under their node', () => {
  it.each([...ADVICE_CODES, 'UNKNOWN'])('code %s', (code) => {
    const text = fitText(statusForError({ code, message: 'x'.repeat(300), fix: code === 'MISCONFIGURED' ? 'y'.repeat(200) : undefined }).text ?? '');
    expect(text.length).toBeLessThanOrEqual(STATUS_TEXT_LENGTH);
  });

  it('a long text is cut at a word, with an ellipsis; a short one is left alone', () => {
    expect(fitText('needs reconnect: click Connect to Xero')).toBe('needs reconnect: click Connect to Xero');
    const cut = fitText(`fix: ${'Xero had an internal error while handling this request and more words '.repeat(3)}`);
    expect(cut.length).toBeLessThanOrEqual(STATUS_TEXT_LENGTH);
    expect(cut).toMatch(/[a-z]…$/);
  });
});
