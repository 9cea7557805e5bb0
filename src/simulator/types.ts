import type { Clock } from '../clock';
import type { XeroTier } from '../xero-tiers';

/**
 * How a refresh token presented again inside its 30-minute grace window is answered. Xero documents
 * the window but not what a reuse returns, so every rotation test runs under all three.
 */
export type GraceMode = 'same-pair' | 'fresh-pair' | 'fresh-pair-revokes';
export const GRACE_MODES: readonly GraceMode[] = ['same-pair', 'fresh-pair', 'fresh-pair-revokes'];

/** A clock the simulator can also move: ManualClock and OffsetClock both fit. */
export interface SimulatorClock extends Clock {
  set(time: number | Date): void;
  advance(ms: number): void;
}

export interface ClientConfig {
  clientId: string;
  /** Absent for a PKCE app, which Xero gives no secret: it authenticates by client_id alone. */
  clientSecret?: string;
  redirectUris: string[];
  /** The app name shown on the consent and connection-limit pages and as ProviderName. */
  name?: string;
  /** A simulator convenience for the demo clients: accept any http redirect URI on a loopback host. */
  allowAnyLoopbackRedirect?: boolean;
  /** Apps created from 2 March 2026 must use granular scopes: broad ones get invalid_scope. */
  granularScopesOnly?: boolean;
  /** A Custom Connection: client_credentials gets a token for this one organisation. */
  customConnection?: { tenantId: string; scopes: string[] };
  /**
   * The app's Xero tier (docs/simulator.md "Tiers"): its connection cap, its day limit per organisation,
   * Journals only from Advanced, one organisation per consent below Advanced. Absent: no tier, as before tiers.
   */
  tier?: XeroTier;
}

export interface OrganisationConfig {
  tenantId: string;
  name: string;
  tenantType?: 'ORGANISATION' | 'PRACTICE' | 'WORKFLOWMAX';
  countryCode?: 'NZ' | 'AU' | 'GB' | 'US';
  isDemoCompany?: boolean;
}

export interface UserConfig {
  email: string;
  /** Xero's user id (the `xero_userid` claim); generated when absent. */
  userId?: string;
  firstName?: string;
  lastName?: string;
}

export interface RateLimitSettings {
  perMinute: number;
  perDay: number;
  concurrent: number;
  appPerMinute: number;
}

export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  graceMode?: GraceMode;
  /** Defaults to a fresh OffsetClock: real time that a test can jump by days. */
  clock?: SimulatorClock;
  /** Off by default; `true` uses Xero's published limits, an object overrides some of them. */
  rateLimits?: boolean | Partial<RateLimitSettings>;
  /** Organisations any app may have connected at once; unlimited when absent. An app's tier caps it too (the lower cap holds). */
  connectionLimit?: number;
  /** The tier of every app that names none in its `ClientConfig`. Absent: apps without a tier behave as before tiers. */
  tier?: XeroTier;
  /** Replaces the demo clients when given. */
  clients?: ClientConfig[];
  organisations?: OrganisationConfig[];
  users?: UserConfig[];
  /** The `iss` of the tokens it signs and of its discovery document. */
  issuer?: string;
  /** Request bodies above this many bytes get 413. */
  maxBodyBytes?: number;
  /** Seeds the random choices of probability faults, so a chaos run can be replayed. */
  randomSeed?: number;
  /** Fill the demo organisation's books at start: 50 contacts, this many invoices, payments. */
  seedInvoices?: number;
  /** Serve HTTPS with this key and certificate instead of plain HTTP. */
  tls?: { key: string; cert: string };
  /** How long a webhook receiver has to answer, in real milliseconds (default 5000, as at Xero). */
  webhookTimeoutMs?: number;
  /** Webhooks set at start (each runs the intent-to-receive check once the simulator listens). */
  webhooks?: Array<{ clientId: string; url: string; key?: string; categories?: string[] }>;
  /** Host names the admin API also answers besides loopback and the bound address (docs/security.md). */
  adminHosts?: string[];
  /**
   * Keeps what Xero would remember (connections, tokens, books, the clock's lead) in this file across
   * restarts (state-file.ts says what is kept and what is not); `seedInvoices` applies only while it does not exist yet.
   */
  stateFile?: string;
}

/** The 200 body of POST /connect/token, as Xero sends it. */
export interface TokenResponse {
  id_token?: string;
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  refresh_token?: string;
  scope: string;
}

/** What a request was to, for the request log and for aiming faults; Xero's APIs other than Accounting by family. */
export type Endpoint =
  | 'authorize'
  | 'token'
  | 'revocation'
  | 'connections'
  | 'organisation'
  | 'accounting'
  | 'payroll'
  | 'projects'
  | 'files'
  | 'assets'
  | 'finance'
  | 'discovery'
  | 'admin'
  | 'other';
