/**
 * The survival benchmark's verdict and the README table it feeds: our side's bar is checked on every
 * figure, the comparison says plainly where n8n's side survives too or where ours does worse, and the
 * README block is exactly what the latest results produce.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSurvivalArgs } from '../../../bench/survival/args';
import type { LaneResult } from '../../../bench/survival/lanes';
import { END, START, latestReports, renderTable } from '../../../bench/survival/readme-table';
import { comparison, markdownTable, oursFailures } from '../../../bench/survival/report';

const ROOT = join(__dirname, '..', '..', '..');

function lane(over: Partial<LaneResult>): LaneResult {
  return {
    label: 'Xero Guard · same-pair',
    side: 'ours',
    variant: null,
    grace: 'same-pair',
    executions: 10,
    answered: 10,
    failed: 0,
    failedForAuth: 0,
    tokenRequests: 4,
    spentTokenReuses: 0,
    deadTokenPresentations: 0,
    revokedTokenPresentations: 0,
    aliveAtEnd: true,
    alerts: 0,
    alertTexts: [],
    humanActions: 0,
    firstAlertAfterS: null,
    recoveredAfterS: null,
    failureMessages: [],
    failedAnswers: [],
    notes: [],
    ...over,
  };
}

describe("our side's bar", () => {
  const expectation = { alerts: 0, authFailuresAllowed: 0 };

  test('a clean lane passes', () => {
    expect(oursFailures([lane({})], expectation)).toEqual([]);
  });

  test.each([
    ['a dead-token presentation', { deadTokenPresentations: 1 }, /1 dead-token presentations/],
    ['a lost connection', { aliveAtEnd: false }, /not alive/],
    ['a false alarm', { alerts: 1 }, /1 alerts, expected 0/],
    ['an auth failure', { failedForAuth: 2 }, /2 executions failed for auth \(allowed 0\)/],
  ])('%s fails it', (_what, over, message) => {
    expect(oursFailures([lane(over)], expectation)).toEqual([expect.stringMatching(message)]);
  });

  test("n8n's lanes are not held to it", () => {
    expect(oursFailures([lane({ side: 'n8n', alerts: null, aliveAtEnd: false, deadTokenPresentations: 3 })], expectation)).toEqual([]);
  });

  test('a revocation allows its alerts and the executions run while revoked', () => {
    expect(oursFailures([lane({ alerts: 2, failedForAuth: 2 })], { alerts: 2, authFailuresAllowed: 2 })).toEqual([]);
    expect(oursFailures([lane({ alerts: 3, failedForAuth: 2 })], { alerts: 2, authFailuresAllowed: 2 })).toHaveLength(1);
  });
});

describe('the comparison', () => {
  test("says plainly when n8n's side survives too, and where ours does worse", () => {
    const lines = comparison([lane({ side: 'n8n', label: "n8n's own · same-pair", alerts: null, tokenRequests: 3 }), lane({ tokenRequests: 5 })]);
    expect(lines).toEqual([
      "same-pair: n8n's own credential survives too (alive, 0 dead-token presentations).",
      "same-pair: Xero Guard does worse than n8n's own credential on 5 token requests against 3 (why: see the notes below).",
    ]);
  });

  test("names what n8n's side lost", () => {
    const lines = comparison([lane({ side: 'n8n', aliveAtEnd: false, deadTokenPresentations: 1, failedForAuth: 4, humanActions: 1 }), lane({})]);
    expect(lines[0]).toBe("same-pair: n8n's own credential loses the connection: 1 dead-token presentations, 4 executions failed for auth, 1 human actions.");
  });

  test('the table has a column per lane and bolds a lost connection', () => {
    const table = markdownTable([lane({ side: 'n8n', label: 'A', aliveAtEnd: false, alerts: null }), lane({ label: 'B' })]);
    expect(table.split('\n')[0]).toBe('|  | A | B |');
    expect(table).toMatch(/\| connection alive at the end \| \*\*no\*\* \| yes \|/);
    expect(table).toMatch(/\| alerts \| none \(no alerting\) \| 0 \|/);
  });
});

describe('arguments', () => {
  const known = ['lost-answer', 'revocation'];
  test('all, a list, the week', () => {
    expect(parseSurvivalArgs(['--scenarios', 'all'], known).names).toEqual(known);
    expect(parseSurvivalArgs(['--scenarios', 'revocation'], known)).toEqual({ names: ['revocation'], full: false, readme: false });
    expect(parseSurvivalArgs(['--full'], known)).toEqual({ names: [], full: true, readme: false });
  });
  test('a wrong name or a missing value is named, with the choices', () => {
    expect(() => parseSurvivalArgs(['--scenarios', 'idle'], known)).toThrow('Unknown scenario "idle": choose from lost-answer, revocation, or all');
    expect(() => parseSurvivalArgs(['--scenarios'], known)).toThrow('--scenarios needs a scenario name or "all" (lost-answer, revocation)');
    expect(() => parseSurvivalArgs(['--fast'], known)).toThrow('Unknown option --fast');
  });
});

describe('the README table', () => {
  test('is what the latest results in bench/results/ produce (regenerate with npm run bench:survival -- --readme)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(block).toBe(renderTable(latestReports()));
  });

  test('every row links a result that is committed', () => {
    for (const { md } of latestReports()) expect(() => readFileSync(join(ROOT, md))).not.toThrow();
  });

  test('every link to a row of it from the README resolves', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const ids = new Set([...readme.matchAll(/<a id="(survival-[0-9a-z]+)"><\/a>/g)].map((m) => m[1]));
    const cited = [...readme.matchAll(/\]\(#(survival-[0-9a-z]+)\)/g)].map((m) => m[1]);
    for (const id of cited) expect(ids).toContain(id);
  });
});
