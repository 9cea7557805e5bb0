/**
 * The simulator as tests, the demo and the CLI drive it: the interface server.ts implements and the
 * admin API (admin-api.ts) calls, in a module of its own so neither imports the other.
 */
import type { SeedOptions, SeedSummary } from './accounting';
import type { Fault, FaultSpec } from './faults';
import type { SimEvent, SimulatorStats } from './observation';
import type { SeedGrantInput } from './core';
import type { GrantCounts } from './tokens';
import type { GraceMode, RateLimitSettings, SimulatorClock, TokenResponse } from './types';
import type { XeroApiId } from '../xero/operations';
import type { DeliveryRun, WebhookSettings, WebhookView } from './webhooks/webhooks';
import type { XeroTier } from '../xero-tiers';

export interface ConnectionView {
  id: string;
  tenantId: string;
  tenantName: string;
  userId: string;
  clientId: string;
  authEventId: string;
  createdDateUtc: string;
  updatedDateUtc: string;
}

/** An app as `GET /__admin/apps` shows it: its tier and what that allows it now (never its secret). */
export interface AppView {
  clientId: string;
  name: string;
  /** null: no tier (the simulator's behaviour before tiers). */
  tier: XeroTier | null;
  /** Organisations it may hold (the lower of its tier's cap and the simulator-wide limit); null: no cap. */
  connectionCap: number | null;
  /** Distinct organisations connected to it now. */
  connected: number;
  /** Calls per organisation per rolling day its tier allows; null without a tier (then the rate-limit settings hold). */
  dayLimit: number | null;
  /** Whether one consent may connect several organisations. */
  severalOrganisationsPerConsent: boolean;
  /** Accounting resources its tier keeps for higher tiers (`Journals` below Advanced). */
  closedEndpoints: string[];
}

/** The Accounting API's book per organisation; the same controls are below /__admin/accounting. */
export interface SimulatorAccounting {
  /** Fills an organisation with contacts, invoices and payments (see accounting/seed.ts). */
  seed(tenantId: string, options?: SeedOptions): SeedSummary;
  /** Records per resource, for tests that must prove nothing was created twice. */
  counts(tenantId: string): Record<string, number>;
  /** Per-organisation limits (enforced even with app-wide limits off); undefined clears them. */
  setTenantRateLimits(tenantId: string, limits: (Partial<RateLimitSettings> & { enabled?: boolean }) | undefined): void;
  /** Empties an organisation's book (back to its chart of accounts). */
  reset(tenantId: string): void;
}

export interface SimulatorOtherApis {
  /** Records per collection path (`/employees`, `/employees/<id>/leave`) of one API's store for an organisation. */
  counts(tenantId: string, api: XeroApiId): Record<string, number>;
  /** Every API's store of an organisation back to the documents' examples. */
  reset(tenantId: string): void;
}

/** Xero's webhooks per app (docs/simulator.md "Webhooks"); the same controls are below /__admin/webhooks. */
export interface SimulatorWebhooks {
  /** Sets an app's delivery URL and key (generated and returned when absent), then runs the intent-to-receive check. */
  configure(settings: WebhookSettings): Promise<{ webhook: WebhookView; key?: string }>;
  /** Runs the intent-to-receive check again; passing turns the webhook on, also after it was switched off. */
  intentToReceive(clientId: string): Promise<WebhookView>;
  /** As Xero does after a day of failed deliveries: off, and what waited is dropped. */
  switchOff(clientId: string): WebhookView;
  /** Holds deliveries back (nothing is tried) until released. */
  hold(clientId: string, held: boolean): WebhookView;
  remove(clientId: string): void;
  list(): WebhookView[];
  view(clientId: string): WebhookView;
  /** Sends what is due now (retries whose time has come on the simulator's clock included) and resolves once all are answered. */
  deliverDue(): Promise<DeliveryRun>;
}

/** The simulator as tests, the demo and the CLI drive it. Every control here is also on the admin API. */
export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:4010 */
  readonly url: string;
  readonly port: number;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  /** Stands for https://api.xero.com: `${apiUrl}/connections`, `${apiUrl}/api.xro/2.0/Organisation`. */
  readonly apiUrl: string;
  readonly discoveryUrl: string;
  readonly adminUrl: string;
  readonly clock: SimulatorClock;
  readonly faults: {
    add(spec: FaultSpec): Fault;
    list(): Fault[];
    remove(id: string): boolean;
    clear(): void;
  };
  graceMode: GraceMode;
  readonly accounting: SimulatorAccounting;
  /**
   * Xero's other APIs (Payroll AU/NZ/UK, Projects, Files, Assets, Finance) and the Accounting operations
   * the book does not model: a store per organisation and API, filled from the documents' examples.
   */
  readonly otherApis: SimulatorOtherApis;
  readonly webhooks: SimulatorWebhooks;
  setRateLimits(option: boolean | Partial<RateLimitSettings>): void;
  setConnectionLimit(limit: number | undefined): void;
  /** Plays the app on a Xero tier from now on (docs/simulator.md "Tiers"); undefined: no tier. Its connections stay. */
  setTier(clientId: string, tier: XeroTier | undefined): void;
  /** Every app with its tier and what that allows it. */
  apps(): AppView[];
  /** A ready connection without the browser: the body the token endpoint would have answered. */
  seedGrant(input?: SeedGrantInput): TokenResponse;
  revokeUser(userIdOrEmail: string): { grantsRevoked: number; connectionsRemoved: number };
  removeConnection(connectionId: string): void;
  expireRefreshToken(refreshToken: string): void;
  rotateClientSecret(clientId: string, newSecret?: string): string;
  resetOrganisation(tenantId: string): { connectionsRemoved: number };
  /** While on, every Organisation and Accounting API call for this tenant gets Xero's 403; /connections still lists it. */
  refuseTenant(tenantId: string, on: boolean): void;
  connections(): ConnectionView[];
  /** 'live', 'grace', or why it is dead ('spent', 'revoked', 'expired', 'killed'); undefined if unknown. */
  refreshTokenState(refreshToken: string): string | undefined;
  /** Per grant: refresh calls presenting its tokens, and the sequence number of its newest refresh token. */
  grants(): GrantCounts[];
  stats(): SimulatorStats;
  log(sinceSeq?: number): SimEvent[];
  /** Dead refresh-token presentations: all of them, or those of the grant a refresh token (or grant id) belongs to. */
  deadTokenUses(refreshTokenOrGrantId?: string): number;
  close(): Promise<void>;
}
