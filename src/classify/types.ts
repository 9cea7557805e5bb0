/** The public vocabulary of the classifier (docs/design/classification.md). */
import type { XeroTier } from '../xero-tiers';

export const CATEGORIES = [
  'access_token_expired',
  'access_token_invalid',
  'refresh_token_invalid',
  'access_revoked',
  'token_rotation_lost',
  'not_connected',
  'insufficient_scope',
  'plan_restricted',
  'tenant_access_denied',
  'forbidden',
  'invalid_client',
  'redirect_uri_mismatch',
  'connection_limit_reached',
  'rate_limit_minute',
  'rate_limit_day',
  'rate_limit_concurrent',
  'rate_limit_app',
  'rate_limited',
  'clock_skew',
  'signature_invalid',
  'certificate_expired',
  'nonce_reused',
  'organisation_offline',
  'service_unavailable',
  'server_error',
  'network_error',
  'tls_error',
  'timeout',
  'validation_error',
  'not_found',
  'precondition_failed',
  'unknown',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const ACTIONS = ['retry', 'refresh_and_retry', 'wait_and_retry', 'reauthenticate', 'fix_configuration', 'fix_request', 'alert'] as const;
export type Action = (typeof ACTIONS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SOURCES = ['api', 'token_endpoint', 'authorize', 'oauth1', 'network', 'n8n', 'unknown'] as const;
export type Source = (typeof SOURCES)[number];

/** A category a custom rule may return: one of the built-in ones or the user's own snake_case name. */
export type CustomCategory = string & Record<never, never>;

export interface Classification {
  category: Category | CustomCategory;
  action: Action;
  /** True exactly when `action` is retry, refresh_and_retry or wait_and_retry. */
  retryable: boolean;
  /** From Retry-After (seconds, or an HTTP date against `now`); null when the input carries none. */
  retryAfterSeconds: number | null;
  /** How long to wait before retrying: Retry-After when present, otherwise a sensible default for the category; null when waiting does not help. */
  suggestedWaitSeconds: number | null;
  severity: Severity;
  summary: string;
  advice: string;
  httpStatus: number | null;
  xeroDetail: string | null;
  correlationId: string | null;
  rateLimitProblem: string | null;
  source: Source;
  /** OAuth 1.0a `oauth_problem`, when the input is an OAuth 1.0a error. */
  oauthProblem: string | null;
  /** OAuth 2.0 `error` code (invalid_grant, invalid_client, ...), when present. */
  oauthError: string | null;
  /** The name of the custom rule that decided the classification, or null for a built-in one. */
  matchedRule: string | null;
  /** A custom rule that could not be compiled or evaluated, named, with why; the built-in classification still applies. */
  configurationError: string | null;
  /**
   * The custom rules that did not get their say on this item, in rule order, with why: every rule before
   * the one that decided (or every rule, when none decided) that was not evaluated. Empty when all were.
   * When it is not empty the item's classification may not be the one its rules would have given.
   */
  rulesNotEvaluated: RuleNotEvaluated[];
  /**
   * For a 401 `AuthorizationUnsuccessful` classified with `options.context`: the required scopes the
   * connection was not granted (empty for plan_restricted); null when no context could decide.
   */
  missingScopes: string[] | null;
}

/** What custom rules see: one normalised error, whatever shape the input had. */
export interface NormalisedError {
  status: number | null;
  /** Header names in lower case; values as strings. */
  headers: Record<string, string>;
  /** The first structured (or string) response body found, bounded. */
  body: unknown;
  /** All the text found in the input (messages, descriptions, bodies, HTML stripped to text), bounded, quotes straightened. */
  text: string;
  source: Source;
  /** A Node.js / undici error code such as ECONNRESET. */
  code: string | null;
  url: string | null;
  /** Xero Problem Details `Detail`. */
  detail: string | null;
  /** Xero `Type` (e.g. ValidationException) or Problem Details type. */
  type: string | null;
  title: string | null;
  /** OAuth 2.0 `error` and `error_description`. */
  error: string | null;
  errorDescription: string | null;
  oauthProblem: string | null;
  oauthProblemAdvice: string | null;
  correlationId: string | null;
  validationMessages: string[];
  /** A short plain-text `description` (n8n puts Xero's words there). */
  description: string | null;
  /** True when a bound (depth, node count, string length) cut the input short. */
  truncated: boolean;
  /** What the caller told the classifier about the request (`options.context`), as read; null without one. */
  context: ScopeContext | null;
}

/**
 * What the caller knows about the failed request, which the error itself does not say: the scopes
 * the operation needs and the scopes the connection was granted. With both, a 401
 * `AuthorizationUnsuccessful` is told apart: a scope missing (insufficient_scope) or every scope there
 * and the endpoint closed to the app's tier or the user's role (plan_restricted).
 */
export interface ClassifyContext {
  /** The scopes the connection's token carries (Xero's `scope` answer, split or not). */
  grantedScopes?: readonly string[];
  /** The scopes the operation needs, all of them. */
  requiredScopes?: readonly string[];
  /** The endpoint called: `Journals`, `GET /api.xro/2.0/Journals`, or its URL. */
  endpoint?: string;
  /** The app's Xero tier as the user set it (`starter`, `Starter`...): a plan_restricted text names it beside the tier the endpoint needs. */
  appTier?: string;
}

/** The context as the classifier read it (and custom rules see it): bounded, scope names in lower case. */
export interface ScopeContext {
  grantedScopes: string[];
  requiredScopes: string[];
  /** Required scopes not granted; null when the context cannot tell (no granted list, or no required scope). */
  missingScopes: string[] | null;
  /** The endpoint's resource name (`Journals`), when one could be read. */
  endpoint: string | null;
  /** The app's Xero tier as the caller set it; absent when not given or not a tier. */
  appTier?: XeroTier;
}

export interface CustomRule {
  /** Shown in configuration errors and in `matchedRule`. */
  name: string;
  /** A JSONata expression over the NormalisedError; the rule applies when it evaluates truthy. */
  expression: string;
  category: Category | CustomCategory;
  action: Action;
  summary?: string;
  advice?: string;
  severity?: Severity;
}

/** A custom rule that did not get its say on an item, and why. */
export interface RuleNotEvaluated {
  /** The rule's name, as in `matchedRule`. */
  name: string;
  /**
   * `budget`: the item's time for custom rules (`ruleBudgetMs`) ran out before it ran; `stopped`: the
   * sandbox stopped it on this item (memory, a crash, its hard time limit); `switched_off`: it was stopped
   * before and stays off until it is changed; `not_usable`: it does not compile or a field is invalid;
   * `unavailable`: the rule evaluator could not run at all.
   */
  reason: 'budget' | 'stopped' | 'switched_off' | 'not_usable' | 'unavailable';
}

export interface ClassifyOptions {
  /** The time Retry-After HTTP dates are measured against; defaults to the current time. */
  now?: Date | number;
  /** Custom rules, evaluated in order before the built-in ones. */
  rules?: readonly CustomRule[] | CompiledRules;
  /**
   * The time this item may spend on its custom rules, waiting for its turn included (default 2000 ms, at
   * most 60000). Rules not run by then are listed in `rulesNotEvaluated`; a rule already running
   * finishes or is stopped at its own limits.
   */
  ruleBudgetMs?: number;
  /** What the caller knows about the request: scopes granted and required, the endpoint (see ClassifyContext). */
  context?: ClassifyContext;
}

/** Rules validated and compiled once by compileRules; pass them as `options.rules`. */
export interface CompiledRules {
  readonly kind: 'xero-guard-compiled-rules';
  readonly rules: readonly CustomRule[];
}
