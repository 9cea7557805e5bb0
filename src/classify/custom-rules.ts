/**
 * Custom rules: a user's JSONata expressions, checked and compiled once, evaluated in order before the
 * built-in rules. A broken rule never crashes a classification: it becomes a configuration error that
 * names it, and the remaining rules and the built-ins still decide.
 */
import jsonata from 'jsonata';
import { ACTIONS, SEVERITIES, type CompiledRules, type CustomRule, type NormalisedError } from './types';
import { SANDBOX_LIMITS, evaluateInSandbox, evaluateInSandboxSync, type SandboxOutcome } from './rule-sandbox';

/** Guardrails JSONata enforces itself, inside the sandbox's hard limits (rule-sandbox.ts). */
const JSONATA_OPTIONS = { timeout: SANDBOX_LIMITS.ruleTimeoutMs, stack: 300, sequence: 100_000 };
/** A rule is a condition a person types, not a program: longer is a mistake or an attack. */
const MAX_EXPRESSION_CHARS = 10_000;

/** Thrown by compileRules (only there): a rule is not usable, and which one. */
export class RuleConfigurationError extends Error {
  constructor(
    readonly ruleName: string,
    readonly reason: string,
  ) {
    super(`Custom rule "${ruleName}": ${reason}`);
    this.name = 'RuleConfigurationError';
  }
}

interface Prepared {
  rule: CustomRule;
  name: string;
  expression: jsonata.Expression | null;
  /** Why the rule cannot be used; null when it compiled. */
  problem: string | null;
}

const byRule = new WeakMap<CustomRule, Prepared>();
/** Compiled expressions by source text, so equal rules in fresh objects (one per n8n item) still compile once. */
const byExpression = new Map<string, jsonata.Expression | string>();
/**
 * Expressions the sandbox had to stop (out of memory, crashed the evaluator, over the hard time limit
 * twice), with why. They stay switched off for the life of the process: running one again for every
 * item would only stop the evaluator again. Editing the rule gives a new expression, which runs.
 */
const stoppedExpressions = new Map<string, string>();
/** Expressions stopped once for time: a loaded machine can make an honest rule slow once, not twice. */
const slowOnce = new Set<string>();

function compileExpression(source: string): jsonata.Expression | string {
  const cached = byExpression.get(source);
  if (cached !== undefined) return cached;
  let result: jsonata.Expression | string;
  try {
    result = jsonata(source, JSONATA_OPTIONS);
  } catch (err: unknown) {
    result = `the expression does not compile: ${errorMessage(err)}`;
  }
  if (byExpression.size >= 1000) byExpression.clear();
  byExpression.set(source, result);
  return result;
}

function errorMessage(err: unknown): string {
  if (err !== null && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
    const pos = 'position' in err && typeof err.position === 'number' ? ` (at character ${err.position})` : '';
    return `${err.message}${pos}`;
  }
  return String(err);
}

function ruleName(rule: unknown, index: number): string {
  const name = rule !== null && typeof rule === 'object' && 'name' in rule ? rule.name : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 100) : `#${index + 1}`;
}

function prepare(rule: CustomRule, index: number): Prepared {
  if (rule !== null && typeof rule === 'object') {
    const cached = byRule.get(rule);
    if (cached) return cached;
  }
  const name = ruleName(rule, index);
  const problem = validate(rule);
  let expression: jsonata.Expression | null = null;
  let why = problem;
  if (why === null) {
    const compiled = compileExpression(rule.expression);
    if (typeof compiled === 'string') why = compiled;
    else expression = compiled;
  }
  const prepared: Prepared = { rule, name, expression, problem: why };
  if (rule !== null && typeof rule === 'object') byRule.set(rule, prepared);
  return prepared;
}

/** Checks what TypeScript cannot: rules usually come from a JSON field a person typed into n8n. */
function validate(rule: unknown): string | null {
  if (rule === null || typeof rule !== 'object') return 'a rule must be an object with name, expression, category and action';
  const r = rule as Partial<Record<keyof CustomRule, unknown>>;
  if (typeof r.name !== 'string' || r.name.trim() === '') return 'the rule has no name';
  if (typeof r.expression !== 'string' || r.expression.trim() === '') return 'the rule has no JSONata expression';
  if (r.expression.length > MAX_EXPRESSION_CHARS) return `the expression is longer than ${MAX_EXPRESSION_CHARS.toLocaleString('en')} characters`;
  if (typeof r.category !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(r.category))
    return 'category must be a snake_case name such as "validation_error" or "my_custom_case"';
  if (typeof r.action !== 'string' || !(ACTIONS as readonly string[]).includes(r.action)) return `action must be one of ${ACTIONS.join(', ')}`;
  if (r.severity !== undefined && (typeof r.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(r.severity)))
    return `severity must be one of ${SEVERITIES.join(', ')}`;
  if (r.summary !== undefined && typeof r.summary !== 'string') return 'summary must be text';
  if (r.advice !== undefined && typeof r.advice !== 'string') return 'advice must be text';
  return null;
}

/**
 * Validates and compiles rules once, up front (call it when the workflow or flow is configured).
 * Throws a RuleConfigurationError naming the first unusable rule; the result can be passed as
 * `options.rules` on every call without any further checking or compiling.
 */
export function compileRules(rules: readonly CustomRule[]): CompiledRules {
  if (!Array.isArray(rules)) throw new RuleConfigurationError('(rules)', 'rules must be a list');
  rules.forEach((rule, i) => {
    const p = prepare(rule, i);
    if (p.problem !== null) throw new RuleConfigurationError(p.name, p.problem);
  });
  return Object.freeze({ kind: 'xero-guard-compiled-rules', rules: Object.freeze([...rules]) });
}

export function isCompiledRules(v: unknown): v is CompiledRules {
  return v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'xero-guard-compiled-rules';
}

export interface RuleOutcome {
  matched: CustomRule | null;
  matchedName: string | null;
  configurationError: string | null;
}

function prepareAll(rules: unknown): Prepared[] {
  const list: unknown = isCompiledRules(rules) ? rules.rules : rules;
  if (!Array.isArray(list)) return [];
  return list.slice(0, 100).map((r: CustomRule, i) => prepare(r, i));
}

const NOT_A_LIST = 'Custom rules must be a list of rules';

function notAList(rules: unknown): boolean {
  return rules !== undefined && rules !== null && !Array.isArray(rules) && !isCompiledRules(rules);
}

/**
 * The first problem among the rules that were consulted (those before the match, or all of them),
 * in rule order, so the sync and async paths report the same thing.
 */
function outcome(
  prepared: readonly Prepared[],
  matchedAt: number,
  evalErrors: ReadonlyMap<number, string>,
  stopped: ReadonlyMap<number, string> = new Map(),
): RuleOutcome {
  const stop = matchedAt >= 0 ? matchedAt : prepared.length;
  let configurationError: string | null = null;
  for (let i = 0; i < stop && configurationError === null; i++) {
    const p = prepared[i];
    if (p.problem !== null) configurationError = `Custom rule "${p.name}" is not usable: ${p.problem}`;
    else if (stopped.has(i)) configurationError = `Custom rule "${p.name}" was stopped: it ${stopped.get(i) ?? ''}`;
    else if (evalErrors.has(i)) configurationError = `Custom rule "${p.name}" failed while evaluating: ${evalErrors.get(i) ?? ''}`;
  }
  const hit = matchedAt >= 0 ? prepared[matchedAt] : null;
  return { matched: hit?.rule ?? null, matchedName: hit?.name ?? null, configurationError };
}

function usableOf(prepared: readonly Prepared[], stoppedNow: ReadonlyMap<string, string>): { p: Prepared; i: number }[] {
  return prepared
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.expression !== null && !stoppedExpressions.has(p.rule.expression) && !stoppedNow.has(p.rule.expression));
}

/** Rules switched off earlier, and why, by rule index. */
function stoppedOf(prepared: readonly Prepared[], stoppedNow: ReadonlyMap<string, string>): Map<number, string> {
  const stopped = new Map<number, string>();
  prepared.forEach((p, i) => {
    if (p.expression === null) return;
    const off = stoppedExpressions.get(p.rule.expression);
    if (off !== undefined) stopped.set(i, `${off} (switched off until the rule is changed or the process restarts)`);
    else if (stoppedNow.has(p.rule.expression)) stopped.set(i, stoppedNow.get(p.rule.expression) ?? '');
  });
  return stopped;
}

/**
 * What one sandbox answer means: the outcome, or null when a rule had to be stopped (it is switched off,
 * and the others must be evaluated again without it).
 */
function fromSandbox(
  prepared: readonly Prepared[],
  usable: readonly { p: Prepared; i: number }[],
  out: SandboxOutcome,
  stoppedNow: Map<string, string>,
): RuleOutcome | null {
  const evalErrors = new Map(out.errors.map((e) => [usable[e.index].i, e.message] as const));
  const stopped = stoppedOf(prepared, stoppedNow);
  if (out.stopped !== null) {
    const culprit = usable[out.stopped.index];
    if (culprit === undefined) {
      const o = outcome(prepared, -1, evalErrors, stopped);
      return { ...o, configurationError: o.configurationError ?? `Custom rules could not be evaluated: ${out.stopped.reason}` };
    }
    const expression = culprit.p.rule.expression;
    if (out.stopped.reason.startsWith('ran longer') && !slowOnce.has(expression)) {
      if (slowOnce.size >= 1000) slowOnce.clear();
      slowOnce.add(expression);
      stoppedNow.set(expression, out.stopped.reason);
    } else {
      if (stoppedExpressions.size >= 1000) stoppedExpressions.clear();
      stoppedExpressions.set(expression, out.stopped.reason);
    }
    // Evaluate the others again without it (each round takes one more rule out, so this ends).
    return null;
  }
  return outcome(prepared, out.matched >= 0 ? usable[out.matched].i : -1, evalErrors, stopped);
}

/**
 * One evaluation of the rules, in rounds: each round yields the expressions still usable, receives the
 * sandbox's answer for them, and either ends with the outcome or, when the sandbox had to stop a rule,
 * goes round again without it. The synchronous and asynchronous runners differ only in how they wait
 * for the sandbox, so both drive this one core; a per-item time budget or fairness between callers
 * belongs in the drivers, between rounds.
 */
function* ruleRounds(rules: unknown): Generator<readonly string[], RuleOutcome, SandboxOutcome> {
  if (notAList(rules)) return { matched: null, matchedName: null, configurationError: NOT_A_LIST };
  const prepared = prepareAll(rules);
  const stoppedNow = new Map<string, string>();
  for (;;) {
    const usable = usableOf(prepared, stoppedNow);
    if (usable.length === 0) return outcome(prepared, -1, new Map(), stoppedOf(prepared, stoppedNow));
    const answer = yield usable.map(({ p }) => p.rule.expression);
    const result = fromSandbox(prepared, usable, answer, stoppedNow);
    if (result !== null) return result;
  }
}

/**
 * Synchronous evaluation in the sandbox: the caller blocks at most for the rules' time limits. A rule
 * the sandbox had to stop is switched off and the rest are evaluated again without it, so one hostile
 * rule never keeps the others (or the built-ins) from deciding.
 */
export function runRulesSync(rules: unknown, error: NormalisedError, nowMs: number): RuleOutcome {
  const rounds = ruleRounds(rules);
  let step = rounds.next();
  while (step.done !== true) step = rounds.next(evaluateInSandboxSync(step.value, error, nowMs, JSONATA_OPTIONS));
  return step.value;
}

/** The same evaluation, awaited: the event loop stays free while the sandbox works. */
export async function runRulesAsync(rules: unknown, error: NormalisedError, nowMs: number): Promise<RuleOutcome> {
  const rounds = ruleRounds(rules);
  let step = rounds.next();
  while (step.done !== true) step = rounds.next(await evaluateInSandbox(step.value, error, nowMs, JSONATA_OPTIONS));
  return step.value;
}
