/** classifyXeroError: input of any shape -> one Classification (docs/design/classification.md). */
import { readContext } from './context';
import { runRulesAsync, runRulesSync, type RuleOutcome } from './custom-rules';
import { gateOf } from './gated-endpoints';
import { normalise, type Evidence } from './normalise';
import { orderSecrets, redact } from '../secrets/redact';
import { parseRetryAfter } from './retry-after';
import { builtInVerdict, type Verdict } from './rules';
import { CATEGORY_ACTION, DEFAULT_WAIT_SECONDS, isRetryable, severityFor } from './table';
import {
  CUSTOM_RULE_ADVICE,
  HOST_NOT_FOUND_TEXT,
  REDIRECT_REFUSED_TEXT,
  TEXTS,
  customRuleSummary,
  missingScopeText,
  planRestrictedText,
  type CategoryText,
} from './texts';
import { CATEGORIES, type Action, type Category, type Classification, type ClassifyOptions, type NormalisedError, type ScopeContext } from './types';

function nowMsOf(options: ClassifyOptions | undefined): number {
  const now: unknown = options?.now;
  if (typeof now === 'number' && Number.isFinite(now)) return now;
  if (now instanceof Date && Number.isFinite(now.getTime())) return now.getTime();
  return Date.now();
}

interface Analysis {
  evidence: Evidence;
  verdict: Verdict;
  /** What custom rules see. */
  normalised: NormalisedError;
}

function analyse(input: unknown, forRules: boolean, context: unknown): Analysis {
  const evidence = normalise(input, forRules);
  evidence.error.context = readContext(context, evidence.urls);
  const verdict = builtInVerdict(evidence);
  const normalised: NormalisedError = { ...evidence.error, source: verdict.source };
  // What rules see is also what normaliseXeroError shows (and the n8n node can copy into execution data).
  return { evidence, verdict, normalised: forRules ? redactNormalised(normalised, orderSecrets(evidence.secrets)) : normalised };
}

/** Every string of the normalised error through the redaction: tokens in messages, URLs and bodies included. */
function redactNormalised(n: NormalisedError, secrets: readonly string[]): NormalisedError {
  const r = (s: string | null): string | null => (s === null ? null : redact(s, secrets));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(n.headers)) headers[k] = redact(v, secrets);
  return {
    ...n,
    headers,
    body: redactValue(n.body, secrets, 0),
    text: redact(n.text, secrets),
    url: r(n.url),
    detail: r(n.detail),
    type: r(n.type),
    title: r(n.title),
    error: r(n.error),
    errorDescription: r(n.errorDescription),
    oauthProblem: r(n.oauthProblem),
    oauthProblemAdvice: r(n.oauthProblemAdvice),
    validationMessages: n.validationMessages.map((m) => redact(m, secrets)),
    description: r(n.description),
  };
}

/** The body is already a small plain copy (normalise's boundedCopy), so this walk is bounded too. */
function redactValue(v: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof v === 'string') return redact(v, secrets);
  if (v === null || typeof v !== 'object' || depth > 10) return v;
  if (Array.isArray(v)) return v.map((x: unknown) => redactValue(x, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = redactValue(x, secrets, depth + 1);
  return out;
}

const SAFE_PROBLEM = /^[a-z][a-z_ ]{0,39}$/i;

/** Redacted before it is shortened: a cut could leave a token prefix the patterns no longer see. */
function xeroDetailOf(e: NormalisedError, secrets: readonly string[]): string | null {
  const validation = e.validationMessages.length > 0 ? e.validationMessages.join(' ') : null;
  const plainBody = typeof e.body === 'string' && e.body.length > 0 && e.body.length <= 300 && !e.body.includes('<') ? e.body.trim() : null;
  const oauth2 = e.error !== null ? (e.errorDescription !== null ? `${e.error}: ${e.errorDescription}` : e.error) : e.errorDescription;
  const detail = e.detail ?? validation ?? oauth2 ?? e.oauthProblemAdvice ?? plainBody ?? e.description;
  if (detail === null) return null;
  const flat = redact(detail.replace(/\s+/g, ' ').trim(), secrets);
  return flat === '' ? null : flat.length > 500 ? `${flat.slice(0, 497)}...` : flat;
}

/** The built-in texts for a verdict: the table's, or the ones that name a host, a missing scope or a gated endpoint. */
function builtInText(verdict: Verdict, context: ScopeContext | null, nowMs: number): CategoryText {
  if (verdict.hostNotFound === true) return HOST_NOT_FOUND_TEXT;
  if (verdict.redirected === true) return REDIRECT_REFUSED_TEXT;
  if (verdict.missingScopes !== undefined) {
    const endpoint = context?.endpoint ?? null;
    const gate = gateOf(endpoint, nowMs);
    return verdict.missingScopes.length > 0 ? missingScopeText(verdict.missingScopes, gate) : planRestrictedText(endpoint, gate, context?.appTier ?? null);
  }
  return TEXTS[verdict.category];
}

function build(a: Analysis, rules: RuleOutcome | null, nowMs: number): Classification {
  const { evidence, verdict, normalised } = a;
  const custom = rules?.matched ?? null;
  let category: Category | string;
  let action: Action;
  let summary: string;
  let advice: string;
  if (custom !== null) {
    category = custom.category;
    action = custom.action;
    const known = (CATEGORIES as readonly string[]).includes(custom.category) ? TEXTS[custom.category as Category] : null;
    summary = custom.summary ?? known?.summary ?? customRuleSummary(rules?.matchedName ?? custom.name);
    advice = custom.advice ?? known?.advice ?? CUSTOM_RULE_ADVICE;
  } else {
    category = verdict.category;
    action = verdict.hostNotFound === true || verdict.redirected === true ? 'fix_configuration' : CATEGORY_ACTION[verdict.category];
    const text = builtInText(verdict, normalised.context, nowMs);
    summary = text.summary;
    advice = text.advice;
  }
  const builtIn = (CATEGORIES as readonly string[]).includes(category) ? (category as Category) : 'unknown';
  const retryable = isRetryable(action);
  const retryAfterSeconds = parseRetryAfter(evidence.headers['retry-after'], nowMs);
  const defaultWait = DEFAULT_WAIT_SECONDS[builtIn];
  const rateLimitProblem = evidence.headers['x-rate-limit-problem']?.trim() ?? null;
  const secrets = orderSecrets(evidence.secrets);
  const clean = (s: string | null): string | null => (s === null ? null : redact(s, secrets));
  return {
    category,
    action,
    retryable,
    retryAfterSeconds,
    suggestedWaitSeconds: retryable ? (retryAfterSeconds ?? defaultWait ?? null) : null,
    severity: custom?.severity ?? severityFor(builtIn, action),
    // Our own texts or the rule author's: they carry no input (scope and endpoint names come from the
    // caller's context and only in their own shapes, context.ts), so there is nothing to redact.
    summary,
    advice,
    httpStatus: normalised.status,
    xeroDetail: xeroDetailOf(normalised, secrets),
    correlationId: normalised.correlationId,
    rateLimitProblem: rateLimitProblem !== null && SAFE_PROBLEM.test(rateLimitProblem) ? rateLimitProblem.toLowerCase() : null,
    source: verdict.source,
    oauthProblem: normalised.oauthProblem !== null && SAFE_PROBLEM.test(normalised.oauthProblem) ? normalised.oauthProblem : null,
    oauthError: normalised.error !== null && SAFE_PROBLEM.test(normalised.error) ? normalised.error : null,
    matchedRule: clean(rules?.matchedName ?? null),
    configurationError: clean(rules?.configurationError ?? null),
    rulesNotEvaluated: (rules?.notEvaluated ?? []).map((r) => ({ name: redact(r.name, secrets), reason: r.reason })),
    missingScopes: custom === null ? (verdict.missingScopes ?? null) : null,
  };
}

/** The answer when something unforeseen went wrong inside: the contract says never throw. */
function fallback(): Classification {
  return {
    category: 'unknown',
    action: 'alert',
    retryable: false,
    retryAfterSeconds: null,
    suggestedWaitSeconds: null,
    severity: 'warning',
    summary: TEXTS.unknown.summary,
    advice: TEXTS.unknown.advice,
    httpStatus: null,
    xeroDetail: null,
    correlationId: null,
    rateLimitProblem: null,
    source: 'unknown',
    oauthProblem: null,
    oauthError: null,
    matchedRule: null,
    configurationError: null,
    rulesNotEvaluated: [],
    missingScopes: null,
  };
}

function hasRules(options: ClassifyOptions | undefined): boolean {
  const rules: unknown = options?.rules;
  return rules !== undefined && rules !== null && !(Array.isArray(rules) && rules.length === 0);
}

/**
 * Classifies one Xero-related error. Synchronous and never throws. With `options.rules`, the custom
 * JSONata rules are evaluated first, synchronously, on a worker thread (see docs/classifier.md); code
 * that can await should prefer classifyXeroErrorAsync, which evaluates them in the calling thread.
 */
export function classifyXeroError(input: unknown, options?: ClassifyOptions): Classification {
  try {
    const nowMs = nowMsOf(options);
    const withRules = hasRules(options);
    const a = analyse(input, withRules, options?.context);
    const rules = withRules ? runRulesSync(options?.rules, a.normalised, nowMs, options?.ruleBudgetMs) : null;
    return build(a, rules, nowMs);
  } catch {
    return fallback();
  }
}

/** The same classification, with custom rules evaluated by JSONata in this thread. Never rejects. */
export async function classifyXeroErrorAsync(input: unknown, options?: ClassifyOptions): Promise<Classification> {
  try {
    const nowMs = nowMsOf(options);
    const withRules = hasRules(options);
    const a = analyse(input, withRules, options?.context);
    const rules = withRules ? await runRulesAsync(options?.rules, a.normalised, nowMs, options?.ruleBudgetMs) : null;
    return build(a, rules, nowMs);
  } catch {
    return fallback();
  }
}

/** The normalised error custom rules are evaluated against (with `options.context` as they see it): handy for writing and testing a rule. */
export function normaliseXeroError(input: unknown, options?: Pick<ClassifyOptions, 'context'>): NormalisedError {
  try {
    return analyse(input, true, options?.context).normalised;
  } catch {
    return normalise(null, true).error;
  }
}
