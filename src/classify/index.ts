/** The classifier's public API; see docs/classifier.md. */
export { classifyXeroError, classifyXeroErrorAsync, normaliseXeroError } from './classify';
export { compileRules, DEFAULT_RULE_BUDGET_MS, RuleConfigurationError } from './custom-rules';
export { CATEGORY_ACTION, isAllowedPair } from './table';
export { ACTION_GROUPS, actionGroupOf, type ActionGroup } from './action-groups';
export { ACTIONS, CATEGORIES, SEVERITIES, SOURCES } from './types';
export type {
  Action,
  Category,
  Classification,
  ClassifyContext,
  ClassifyOptions,
  CompiledRules,
  CustomCategory,
  CustomRule,
  NormalisedError,
  RuleNotEvaluated,
  ScopeContext,
  Severity,
  Source,
} from './types';
