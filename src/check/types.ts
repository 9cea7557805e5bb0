import type { Classification } from '../classify/types';
import type { ReportedState } from '../engine/token-engine';

/**
 * connected: a token was had and Xero answered /connections (and Organisation when a tenant was asked for).
 * disconnected: a human must act (reconnect, fix the app or scopes, re-add the organisation).
 * degraded: trouble that passes on its own (rate limit, Xero 5xx or offline, another process refreshing).
 */
export type CheckStatus = 'connected' | 'disconnected' | 'degraded';

export interface CheckedTenant {
  tenantId: string;
  tenantName: string | null;
  tenantType: string;
  /** The connection id: what DELETE /connections/{id} takes (not the tenant id). */
  connectionId: string;
  createdDateUtc: string | null;
  updatedDateUtc: string | null;
}

export interface TokenHealth {
  /** ISO time the current access token stops working, or null when none is stored. */
  accessTokenExpiresAt: string | null;
  /** ISO time the refresh token was last rotated (or first obtained). */
  lastRotationAt: string | null;
  /** Whole days before Xero would expire the refresh token if nothing used it (60-day idle limit). */
  daysLeftBeforeIdleExpiry: number | null;
  /** The engine's view of the chain: active, refreshing, needs_reauth, misconfigured, superseded, not_connected. */
  chainState: ReportedState;
}

export interface CheckResult {
  status: CheckStatus;
  /** One plain sentence: what the check found. Never contains a token. */
  reason: string;
  checkedAt: string;
  tenants: CheckedTenant[];
  /** Xero's Organisation record for the tenant asked for, when one was asked for and Xero answered. */
  organisation?: Record<string, unknown>;
  tokenHealth: TokenHealth;
  /** The classified problem when status is not connected. */
  problem?: Classification;
}
