// Public names carry "Simulator" where a bare name (TokenResponse, Fault) could clash with the rest of index.ts.
export { startSimulator, ADMIN_PREFIX } from './server';
export type { Simulator, SimulatorAccounting, SimulatorWebhooks, ConnectionView as SimulatorConnection, AppView as SimulatorAppView } from './simulator';
export {
  WEBHOOK_CATEGORIES as SIMULATOR_WEBHOOK_CATEGORIES,
  RETRY_DELAYS_MS as SIMULATOR_WEBHOOK_RETRY_DELAYS_MS,
  SWITCH_OFF_AFTER_MS as SIMULATOR_WEBHOOK_SWITCH_OFF_AFTER_MS,
} from './webhooks/webhooks';
export type {
  WebhookView as SimulatorWebhookView,
  WebhookSettings as SimulatorWebhookSettings,
  IntentToReceive as SimulatorIntentToReceive,
  DeliveryRun as SimulatorDeliveryRun,
} from './webhooks/webhooks';
export type { SeedOptions as SimulatorSeedOptions, SeedSummary as SimulatorSeedSummary } from './accounting';
export type { SeedGrantInput } from './core';
export { DEFAULT_SCOPES as SIMULATOR_DEFAULT_SCOPES } from './core';
export { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PKCE_CLIENT_ID, DEMO_CUSTOM_CLIENT_ID, DEMO_USER_EMAIL, DEMO_TENANT_ID, SECOND_TENANT_ID } from './directory';
export { FAULT_KINDS, FAULT_ENDPOINTS } from './faults';
export type { Fault as SimulatorFault, FaultSpec as SimulatorFaultSpec, FaultKind, FaultEndpoint } from './faults';
export type { SimEvent, SimulatorStats, DeathReason } from './observation';
export { XERO_RATE_LIMITS as SIMULATOR_RATE_LIMITS } from './rate-limits';
export {
  ACCESS_TOKEN_TTL as SIMULATOR_ACCESS_TOKEN_TTL_MS,
  GRACE_WINDOW as SIMULATOR_GRACE_WINDOW_MS,
  REFRESH_IDLE_EXPIRY as SIMULATOR_REFRESH_IDLE_EXPIRY_MS,
} from './tokens';
export { GRACE_MODES } from './types';
export type {
  GraceMode,
  SimulatorOptions,
  SimulatorClock,
  ClientConfig as SimulatorClientConfig,
  OrganisationConfig as SimulatorOrganisationConfig,
  UserConfig as SimulatorUserConfig,
  RateLimitSettings as SimulatorRateLimits,
  TokenResponse as SimulatorTokenResponse,
} from './types';
