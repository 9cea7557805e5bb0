/** The category table of docs/design/classification.md: the one place that maps a category to its action and severity. */
import type { Action, Category, Severity } from './types';

export const CATEGORY_ACTION: Readonly<Record<Category, Action>> = {
  access_token_expired: 'refresh_and_retry',
  access_token_invalid: 'refresh_and_retry',
  refresh_token_invalid: 'reauthenticate',
  access_revoked: 'reauthenticate',
  token_rotation_lost: 'reauthenticate',
  not_connected: 'reauthenticate',
  insufficient_scope: 'fix_configuration',
  plan_restricted: 'fix_configuration',
  tenant_access_denied: 'reauthenticate',
  forbidden: 'alert',
  invalid_client: 'fix_configuration',
  redirect_uri_mismatch: 'fix_configuration',
  connection_limit_reached: 'fix_configuration',
  rate_limit_minute: 'wait_and_retry',
  rate_limit_day: 'wait_and_retry',
  rate_limit_concurrent: 'wait_and_retry',
  rate_limit_app: 'wait_and_retry',
  rate_limited: 'wait_and_retry',
  clock_skew: 'fix_configuration',
  signature_invalid: 'fix_configuration',
  certificate_expired: 'fix_configuration',
  nonce_reused: 'retry',
  organisation_offline: 'wait_and_retry',
  service_unavailable: 'wait_and_retry',
  server_error: 'retry',
  network_error: 'retry',
  tls_error: 'fix_configuration',
  timeout: 'retry',
  validation_error: 'fix_request',
  not_found: 'fix_request',
  precondition_failed: 'fix_request',
  unknown: 'alert',
};

/**
 * The one pairing the table allows beyond the default: a DNS name that does not exist (ENOTFOUND) is a
 * network error, but retrying will not fix a mistyped host or a missing DNS/proxy setting; nor a
 * redirect our transport refused (EREDIRECT), which comes from a wrong URL or a proxy.
 */
export const EXTRA_ACTIONS: Readonly<Partial<Record<Category, readonly Action[]>>> = {
  network_error: ['fix_configuration'],
};

export function isAllowedPair(category: Category, action: Action): boolean {
  return CATEGORY_ACTION[category] === action || (EXTRA_ACTIONS[category]?.includes(action) ?? false);
}

export function isRetryable(action: Action): boolean {
  return action === 'retry' || action === 'refresh_and_retry' || action === 'wait_and_retry';
}

/** Critical exactly when a person must do something before the connection works again. */
export function severityFor(category: Category, action: Action): Severity {
  // The connection works: one endpoint is closed to the app's tier or the user's role, which a person
  // decides about (move tier, or drop the step) without anything being broken.
  if (category === 'plan_restricted') return 'warning';
  if (action === 'reauthenticate' || action === 'fix_configuration') return 'critical';
  if (action === 'fix_request' || action === 'alert') return 'warning';
  // A whole day of quota gone stops every workflow on the organisation until tomorrow: worth a look.
  if (category === 'rate_limit_day') return 'warning';
  return 'info';
}

/** How long to wait when Xero says nothing: Xero's own guidance where there is some. */
export const DEFAULT_WAIT_SECONDS: Readonly<Partial<Record<Category, number>>> = {
  rate_limit_minute: 60,
  rate_limit_concurrent: 2,
  rate_limit_app: 60,
  rate_limited: 60,
  organisation_offline: 300,
  service_unavailable: 60,
  server_error: 5,
  network_error: 5,
  timeout: 5,
  nonce_reused: 1,
  access_token_expired: 0,
  access_token_invalid: 0,
};
