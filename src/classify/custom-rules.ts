/**
 * Custom rules: a user's JSONata expressions, checked and compiled once, evaluated in order before the
 * built-in rules. A broken rule never crashes a classification: it becomes a configuration error that
 * names it, and the remaining rules and the built-ins still decide. Every item has a time budget for
 * its rules, shared with nobody: a rule that did not get to run within it is reported by name on the
 * item (`rulesNotEvaluated`), never silently left out.
 */
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import { ACTIONS, SEVERITIES, type CompiledRules, type CustomRule, type NormalisedError, type RuleNotEvaluated } from './types';
import { SANDBOX_LIMITS, evaluateInSandbox, evaluateInSandboxSync, type SandboxOutcome, type SandboxRound } from './rule-sandbox';

/** The time one item may spend on its custom rules, waiting for its turn included, unless `ruleBudgetMs` says otherwise. */
export const DEFAULT_RULE_BUDGET_MS = 2000;
/** The most a caller may give one item: the synchronous path blocks its thread that long. */
export const MAX_RULE_BUDGET_MS = 60_000;

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
  /** Rules before the deciding one (or all, when none decided) that were not evaluated, and why. */
  notEvaluated: RuleNotEvaluated[];
}

function prepareAll(rules: unknown): Prepared[] {
  const list: unknown = isCompiledRules(rules) ? rules.rules : rules;
  if (!Array.isArray(list)) return [];
  return list.slice(0, 100).map((r: CustomRule, i) => prepare(r, i));
}

const NOT_A_LIST = 'Custom rules must be a list of rules';
const SWITCHED_OFF = ' (switched off until the rule is changed or the process restarts)';

function notAList(rules: unknown): boolean {
  return rules !== undefined && rules !== null && !Array.isArray(rules) && !isCompiledRules(rules);
}

/** What became of one rule on this item, when it did not simply evaluate to false. */
type RuleState = { kind: 'failed'; message: string } | { kind: 'not_evaluated'; reason: RuleNotEvaluated['reason']; why: string };

function notEvaluated(reason: RuleNotEvaluated['reason'], why: string): RuleState {
  return { kind: 'not_evaluated', reason, why };
}

/** The item's budget from `ruleBudgetMs`, or the default with the reason a given value was not used. */
function budgetOf(value: unknown): { ms: number; problem: string | null } {
  if (value === undefined || value === null) return { ms: DEFAULT_RULE_BUDGET_MS, problem: null };
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_RULE_BUDGET_MS) return { ms: value, problem: null };
  const fallback = typeof value === 'number' && value > MAX_RULE_BUDGET_MS ? MAX_RULE_BUDGET_MS : DEFAULT_RULE_BUDGET_MS;
  return {
    ms: fallback,
    problem: `The custom rules' time budget (ruleBudgetMs) must be a number of milliseconds from 0 to ${MAX_RULE_BUDGET_MS}; ${fallback} ms was used`,
  };
}

/** The sentence for the first rule that did not simply evaluate to false. */
function sentence(p: Prepared, state: RuleState, budgetMs: number): string {
  if (state.kind === 'failed') return `Custom rule "${p.name}" failed while evaluating: ${state.message}`;
  switch (state.reason) {
    case 'not_usable':
      return `Custom rule "${p.name}" is not usable: ${state.why}`;
    case 'budget':
      return `Custom rule "${p.name}" was not evaluated: the item's ${budgetMs} ms for custom rules ran out first (${state.why}), so the built-in rules classified it; rulesNotEvaluated lists every rule left out. Make slow rules faster or fewer, or give the rules a larger budget.`;
    case 'unavailable':
      return `Custom rules could not be evaluated: ${state.why}`;
    default:
      return `Custom rule "${p.name}" was stopped: it ${state.why}`;
  }
}

/**
 * The first problem among the rules that were consulted (those before the match, or all of them), in
 * rule order, so the sync and async paths report the same thing; and every rule among them that did
 * not get to run.
 */
function outcome(
  prepared: readonly Prepared[],
  matchedAt: number,
  states: ReadonlyMap<number, RuleState>,
  budget: { ms: number; problem: string | null },
): RuleOutcome {
  const stop = matchedAt >= 0 ? matchedAt : prepared.length;
  let configurationError: string | null = null;
  const skipped: RuleNotEvaluated[] = [];
  for (let i = 0; i < stop; i++) {
    const state = states.get(i);
    if (state === undefined) continue;
    configurationError ??= sentence(prepared[i], state, budget.ms);
    if (state.kind === 'not_evaluated') skipped.push({ name: prepared[i].name, reason: state.reason });
  }
  const hit = matchedAt >= 0 ? prepared[matchedAt] : null;
  return { matched: hit?.rule ?? null, matchedName: hit?.name ?? null, configurationError: configurationError ?? budget.problem, notEvaluated: skipped };
}

/** The rules from `from` on that can run; the ones that cannot (not usable, switched off) are noted in `states`. */
function runnableFrom(prepared: readonly Prepared[], from: number, states: Map<number, RuleState>): { p: Prepared; i: number }[] {
  const runnable: { p: Prepared; i: number }[] = [];
  for (let i = from; i < prepared.length; i++) {
    const p = prepared[i];
    if (states.has(i)) continue;
    if (p.expression === null) {
      states.set(i, notEvaluated('not_usable', p.problem ?? ''));
      continue;
    }
    const off = stoppedExpressions.get(p.rule.expression);
    if (off !== undefined) states.set(i, notEvaluated('switched_off', `${off}${SWITCHED_OFF}`));
    else runnable.push({ p, i });
  }
  return runnable;
}

/**
 * A rule the sandbox had to stop: switched off, except a first stop for time (a loaded machine can slow
 * an honest rule once). Returns why, as the item reports it.
 */
function noteStopped(expression: string, reason: string): string {
  if (reason.startsWith('ran longer') && !slowOnce.has(expression)) {
    if (slowOnce.size >= 1000) slowOnce.clear();
    slowOnce.add(expression);
    return reason;
  }
  if (stoppedExpressions.size >= 1000) stoppedExpressions.clear();
  stoppedExpressions.set(expression, reason);
  return `${reason}${SWITCHED_OFF}`;
}

const callers = new WeakMap<object, string>();

/**
 * Whose rules these are, for taking turns in the sandbox: the rule set itself (its expressions), since
 * the hosts name no caller. Two workflows with the same rules share a turn; each distinct set has its own.
 */
function callerOf(rules: unknown, prepared: readonly Prepared[]): string {
  const known = typeof rules === 'object' && rules !== null ? callers.get(rules) : undefined;
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  for (const p of prepared) hash.update(p.expression === null ? '' : p.rule.expression).update('\0');
  const caller = hash.digest('base64url').slice(0, 22);
  if (typeof rules === 'object' && rules !== null) callers.set(rules, caller);
  return caller;
}

/**
 * One evaluation of an item's rules, in rounds, within the item's time budget. Each round yields the
 * rules still to run with the caller they belong to and the budget left; the sandbox runs them in that
 * caller's turn, for at most a slice, and answers how far it got and how much of the budget that took.
 * The round after goes on from there: past a rule the sandbox had to stop (it is switched off), or
 * after the slice. When the budget is spent, the rules not yet run are reported as not evaluated. The
 * synchronous and asynchronous runners differ only in how they wait for the sandbox, so both drive
 * this one core.
 */
function* ruleRounds(rules: unknown, ruleBudgetMs: unknown): Generator<SandboxRound, RuleOutcome, SandboxOutcome> {
  const budget = budgetOf(ruleBudgetMs);
  if (notAList(rules)) return { matched: null, matchedName: null, configurationError: NOT_A_LIST, notEvaluated: [] };
  const prepared = prepareAll(rules);
  const caller = callerOf(rules, prepared);
  const states = new Map<number, RuleState>();
  let left = budget.ms;
  let from = 0;
  let why = 'the budget is 0 ms';
  for (;;) {
    const runnable = runnableFrom(prepared, from, states);
    if (runnable.length === 0) return outcome(prepared, -1, states, budget);
    if (left <= 0) {
      for (const { i } of runnable) states.set(i, notEvaluated('budget', why));
      return outcome(prepared, -1, states, budget);
    }
    const answer = yield { caller, expressions: runnable.map(({ p }) => p.rule.expression), budgetMs: left };
    left -= answer.spentMs;
    why = answer.evaluated > 0 || answer.stopped !== null ? 'the rules before it took that long' : 'it waited for its turn behind other rules in this process';
    for (const e of answer.errors) states.set(runnable[e.index].i, { kind: 'failed', message: e.message });
    if (answer.matched >= 0) return outcome(prepared, runnable[answer.matched].i, states, budget);
    const culprit = answer.stopped === null ? undefined : runnable[answer.stopped.index];
    if (answer.stopped !== null && culprit === undefined) {
      // No evaluator could run at all: none of these rules had a say.
      for (const { i } of runnable.slice(answer.evaluated)) states.set(i, notEvaluated('unavailable', answer.stopped.reason));
      return outcome(prepared, -1, states, budget);
    }
    if (answer.stopped !== null && culprit !== undefined) {
      states.set(culprit.i, notEvaluated('stopped', noteStopped(culprit.p.rule.expression, answer.stopped.reason)));
      from = culprit.i + 1;
    } else if (answer.evaluated <= 0) {
      // Nothing ran: the budget ran out while the round waited for its turn.
      left = 0;
    } else {
      from = answer.evaluated < runnable.length ? runnable[answer.evaluated].i : prepared.length;
    }
  }
}

/**
 * Synchronous evaluation in the sandbox: the caller blocks at most for the item's budget and one rule's
 * hard limit. A rule the sandbox had to stop is switched off and the rest are evaluated without it, so
 * one hostile rule never keeps the others (or the built-ins) from deciding.
 */
export function runRulesSync(rules: unknown, error: NormalisedError, nowMs: number, ruleBudgetMs?: unknown): RuleOutcome {
  const rounds = ruleRounds(rules, ruleBudgetMs);
  let step = rounds.next();
  while (step.done !== true) step = rounds.next(evaluateInSandboxSync(step.value, error, nowMs, JSONATA_OPTIONS));
  return step.value;
}

/** The same evaluation, awaited: the event loop stays free while the sandbox works. */
export async function runRulesAsync(rules: unknown, error: NormalisedError, nowMs: number, ruleBudgetMs?: unknown): Promise<RuleOutcome> {
  const rounds = ruleRounds(rules, ruleBudgetMs);
  let step = rounds.next();
  while (step.done !== true) step = rounds.next(await evaluateInSandbox(step.value, error, nowMs, JSONATA_OPTIONS));
  return step.value;
}
