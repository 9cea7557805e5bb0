/**
 * Endpoints Xero closes to an app's tier or to the connected user's role, with what Xero is reported
 * to require (../../docs/classifier.md, plan_restricted). Xero answers them with the same 401
 * `AuthorizationUnsuccessful` as a missing scope, so only the caller's scopes tell the two apart; this
 * table only names the requirement once they have. Each entry says who reported it: none of these is
 * in Xero's OpenAPI documents yet. The tier gates are the tier table's (src/xero-tiers.ts), kept there once.
 */
import { TIER_GATES, XERO_TIERS } from '../xero-tiers';

export type Gate =
  /** The app must be on this Xero tier (or above). */
  | { kind: 'tier'; endpoint: string; tier: string; sinceMs: number }
  /** The user who connected the organisation must hold this role in it. */
  | { kind: 'role'; endpoint: string; role: string; sinceMs: number; reportedBy: string };

const GATES: Readonly<Record<string, Gate>> = {
  ...Object.fromEntries(
    TIER_GATES.map((g): [string, Gate] => [
      g.endpoint.toLowerCase(),
      { kind: 'tier', endpoint: g.endpoint, tier: XERO_TIERS[g.tier].name, sinceMs: g.sinceMs },
    ]),
  ),
  // Reported by one vendor only: from 29 June 2026 manual journals need the Adviser role.
  manualjournals: { kind: 'role', endpoint: 'ManualJournals', role: 'Adviser', sinceMs: Date.UTC(2026, 5, 29), reportedBy: 'one vendor' },
};

/** The gate on `endpoint` (a resource name such as `Journals`) in force at `nowMs`, if one is known. */
export function gateOf(endpoint: string | null, nowMs: number): Gate | null {
  if (endpoint === null) return null;
  const gate = GATES[endpoint.toLowerCase()];
  return gate !== undefined && nowMs >= gate.sinceMs ? gate : null;
}
