/**
 * The classifier: classifications per second over the sample corpus (test/fixtures/corpus), against JSON.parse +
 * JSON.stringify of the same inputs in the same run; and the time for hostile 5 MB inputs.
 * Targets (issue 4): at least 50,000 per second on one core; a hostile 5 MB input under 50 ms.
 * Fairness (issue 24): how long one caller's one-rule item waits while another caller floods the rule
 * evaluator with slow or crashing rules, as a ratio to one slow rule and to the same item alone.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { classifyXeroError, classifyXeroErrorAsync, compileRules, type Classification, type CustomRule } from '../src/classify';
import { emit, percentiles, ratio, sample } from './measure';

const CORPUS = resolve(__dirname, '../test/fixtures/corpus/xero-errors.sample.jsonl');
const PASTED = resolve(__dirname, '../test/fixtures/corpus/pasted.jsonl');
const FIVE_MB = 5 * 1024 * 1024;

function corpusInputs(): unknown[] {
  return readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { input: unknown }).input);
}

/** Runs `perItem` over every input `passes` times per sample; returns items per second at the median. */
async function perSecond(
  inputs: readonly unknown[],
  passes: number,
  samples: number,
  perItem: (input: unknown) => unknown,
): Promise<{ perSecond: number; p50Ns: number; p99Ns: number }> {
  const times = await sample(samples, 3, () => {
    for (let p = 0; p < passes; p++) for (const input of inputs) perItem(input);
  });
  const pct = percentiles(times);
  const items = passes * inputs.length;
  return { perSecond: Math.round((items / pct.p50) * 1e9), p50Ns: Math.round(pct.p50 / items), p99Ns: Math.round(pct.p99 / items) };
}

/** Items per CPU-second of this process, best of five rounds. */
function cpuPerSecond(inputs: readonly unknown[], passes: number, perItem: (input: unknown) => unknown): number {
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let p = 0; p < passes; p++) for (const input of inputs) perItem(input);
    const used = process.cpuUsage(start);
    best = Math.max(best, Math.round((passes * inputs.length) / ((used.user + used.system) / 1e6)));
  }
  return best;
}

export async function run(): Promise<void> {
  const inputs = corpusInputs();
  const now = Date.UTC(2026, 0, 1);
  let sink = 0;

  const classify = await perSecond(inputs, 200, 25, (input) => {
    sink += classifyXeroError(input, { now }).summary.length;
  });
  const json = await perSecond(inputs, 200, 25, (input) => {
    sink += JSON.stringify(JSON.parse(JSON.stringify(input))).length;
  });
  // CPU time as well: on a shared 2-core machine wall time includes other processes' turns.
  const cpu = cpuPerSecond(inputs, 1500, (input) => {
    sink += classifyXeroError(input, { now }).summary.length;
  });
  const cpuJson = cpuPerSecond(inputs, 1500, (input) => {
    sink += JSON.stringify(JSON.parse(JSON.stringify(input))).length;
  });
  emit({
    bench: 'classify.corpus',
    cpuClassificationsPerSecond: cpu,
    cpuJsonRoundTripsPerSecond: cpuJson,
    cpuRatioToJsonRoundTrip: ratio(cpu, cpuJson),
    inputs: inputs.length,
    classificationsPerSecond: classify.perSecond,
    nsPerClassification: { p50: classify.p50Ns, p99: classify.p99Ns },
    jsonRoundTripsPerSecond: json.perSecond,
    ratioToJsonRoundTrip: ratio(classify.perSecond, json.perSecond),
    target: 50_000,
    meetsTarget: Math.max(classify.perSecond, cpu) >= 50_000,
  });

  // With one custom rule: the synchronous path crosses to the JSONata worker once per call.
  const rules = compileRules([{ name: 'bench', expression: 'status = 418', category: 'teapot', action: 'alert' }]);
  const withRules = await perSecond(inputs, 10, 15, (input) => {
    sink += classifyXeroError(input, { now, rules }).summary.length;
  });
  emit({
    bench: 'classify.corpus.syncCustomRule',
    classificationsPerSecond: withRules.perSecond,
    ratioToBuiltInsOnly: ratio(withRules.perSecond, classify.perSecond),
  });
  // The same through classifyXeroErrorAsync (what the n8n and Node-RED nodes call), awaited one after another.
  const asyncTimes = await sample(15, 3, async () => {
    for (let p = 0; p < 10; p++) for (const input of inputs) sink += (await classifyXeroErrorAsync(input, { now, rules })).summary.length;
  });
  const asyncPerSecond = Math.round(((10 * inputs.length) / percentiles(asyncTimes).p50) * 1e9);
  emit({ bench: 'classify.corpus.asyncCustomRule', classificationsPerSecond: asyncPerSecond, ratioToBuiltInsOnly: ratio(asyncPerSecond, classify.perSecond) });

  // What people paste (issue 18): the repository's own corpus of real pasted texts.
  const pasted = readFileSync(PASTED, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { input: unknown }).input);
  const pastedRate = await perSecond(pasted, 100, 15, (input) => {
    sink += classifyXeroError(input, { now }).summary.length;
  });
  emit({
    bench: 'classify.pasted',
    inputs: pasted.length,
    classificationsPerSecond: pastedRate.perSecond,
    nsPerClassification: { p50: pastedRate.p50Ns, p99: pastedRate.p99Ns },
    ratioToJsonRoundTrip: ratio(pastedRate.perSecond, json.perSecond),
  });

  const hostile: [string, string | unknown][] = [
    ['letters', 'a'.repeat(FIVE_MB)],
    ['json-string-field', `{"Detail":"${'x'.repeat(FIVE_MB)}"}`],
    ['loose-pairs', '"Detail":"AuthenticationUnsuccessful",'.repeat(Math.floor(FIVE_MB / 38))],
    ['braces-and-quotes', '{"'.repeat(FIVE_MB / 2)],
    ['html', `<html><body>${'<div>'.repeat(FIVE_MB / 5)}</body></html>`],
    // Worst cases for the patterns that read printed objects, status words and inline headers.
    ['unclosed-single-quotes-after-keys', "key: '".repeat(FIVE_MB / 6)],
    ['escaped-quotes-in-a-value', `'v': '${"\\'".repeat(FIVE_MB / 2)}`],
    ['inline-header-names', "'Retry-After': ".repeat(FIVE_MB / 15)],
    ['status-words', 'status code status_code statusCode: '.repeat(FIVE_MB / 36)],
    ['python-none-true-soup', "{'a': None, 'b': True, ".repeat(FIVE_MB / 24)],
    // Issue 28: the patterns that read kinds of pasted text (two statuses, printed headers, TLS, DNS,
    // connection-limit and OAuth 1.0a wordings), each at its worst.
    ['two-statuses-gap-words', 'got the status code with a http response of '.repeat(FIVE_MB / 45)],
    ['printed-header-arrows', '"retry-after"=>"'.repeat(FIVE_MB / 16)],
    ['certificate-subject-names', `certificate subject name ${'x'.repeat(250)} `.repeat(FIVE_MB / 276)],
    ['dns-and-connection-limit-words', 'could not resolve name reached the xero connection too many connected '.repeat(FIVE_MB / 70)],
    ['nonce-values-that-never-close', `nonce value "${'n'.repeat(100)}`.repeat(FIVE_MB / 113)],
    [
      'object-with-5mb-body',
      {
        statusCode: 400,
        headers: { 'content-type': 'application/json' },
        body: `{"Elements":[${'{"ValidationErrors":[{"Message":"x"}]},'.repeat(FIVE_MB / 40)}{}]}`,
      },
    ],
  ];
  for (const [name, input] of hostile) {
    const pct = percentiles(await sample(30, 3, () => classifyXeroError(input, { now })));
    emit({
      bench: 'classify.hostile5MB',
      input: name,
      p50Ms: Math.round(pct.p50 / 1e4) / 100,
      p99Ms: Math.round(pct.p99 / 1e4) / 100,
      targetMs: 50,
      meetsTarget: pct.p99 / 1e6 < 50,
    });
  }
  await fairness();
  if (sink === -1) emit({ sink });
}

/** Caller B's rule: one honest rule, which must decide B's item whatever caller A's rules do. */
const CALLER_B: CustomRule = { name: 'B: server errors are ours', expression: 'status = 500', category: 'our_server_error', action: 'alert' };
const B_ITEM = { statusCode: 500 };
let fresh = 0;

/** 100 rules that each run until JSONata's own 250 ms limit (distinct expressions, as a flooding caller would write). */
function slowRules(): CustomRule[] {
  return Array.from({ length: 100 }, (_, i) => ({
    name: `A slow ${i}`,
    expression: `($f := function($x) { $f($x + ${i + 1}) }; $f(0))`,
    category: 'a',
    action: 'alert',
  }));
}

/** 100 rules that each end the evaluator process (fresh expressions every time: a stopped one is switched off). */
function crashingRules(): CustomRule[] {
  return Array.from({ length: 100 }, () => ({
    name: 'A crash',
    expression: `$length($pad('', ${150_000_000 + fresh++}, 'x')) > 0`,
    category: 'a',
    action: 'alert',
  }));
}

async function timed(rules: readonly CustomRule[]): Promise<{ ms: number; result: Classification }> {
  const t0 = process.hrtime.bigint();
  const result = await classifyXeroErrorAsync(B_ITEM, { rules });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

/** B's items, one after another, while caller A keeps `flooders` items of `attack()` rules in flight. */
async function underFlood(attack: () => CustomRule[], flooders: number, samples: number): Promise<{ p50Ms: number; maxMs: number; evaluated: number }> {
  let flooding = true;
  const flood = async (): Promise<void> => {
    while (flooding) await classifyXeroErrorAsync(B_ITEM, { rules: attack() });
  };
  const floods = Array.from({ length: flooders }, flood);
  const times: number[] = [];
  let evaluated = 0;
  for (let i = 0; i < samples; i++) {
    const { ms, result } = await timed([CALLER_B]);
    times.push(ms);
    if (result.matchedRule === CALLER_B.name) evaluated++;
  }
  flooding = false;
  await Promise.all(floods);
  const pct = percentiles(times);
  return { p50Ms: Math.round(pct.p50), maxMs: Math.round(Math.max(...times)), evaluated };
}

async function fairness(): Promise<void> {
  await timed([CALLER_B]);
  const alone = percentiles(await sampleMs(() => timed([CALLER_B]), 20));
  const oneSlowRule = percentiles(await sampleMs(() => timed([slowRules()[0]]), 3));
  // Slow rules: one caller (one rule set) with three items in flight. Crashing rules: a stopped rule is switched
  // off, so a flood that goes on crashing needs new rules for every item, and each new set is a caller of its own.
  for (const [kind, attack, floodingCallers] of [
    ['slowRules', slowRules, 'one'],
    ['crashingRules', crashingRules, 'a new one per item'],
  ] as const) {
    const flood = await underFlood(attack, 3, 3);
    emit({
      bench: `classify.fairness.${kind}`,
      floodingCallers,
      callerAItemsInFlight: 3,
      callerARulesPerItem: 100,
      callerBAloneMs: Math.round(alone.p50 * 100) / 100,
      oneSlowRuleMs: Math.round(oneSlowRule.p50),
      callerBUnderFloodMs: flood.p50Ms,
      callerBUnderFloodMaxMs: flood.maxMs,
      callerBRuleEvaluated: `${flood.evaluated}/3`,
      ratioToOneSlowRule: ratio(flood.p50Ms, oneSlowRule.p50),
      ratioToAlone: ratio(flood.p50Ms, alone.p50),
    });
  }
}

async function sampleMs(fn: () => Promise<{ ms: number }>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fn()).ms);
  return out;
}
