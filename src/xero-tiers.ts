/**
 * Xero's app tiers (from 2 March 2026) in one table: what each tier lets an app do. The call budget,
 * the connection-cap count, the classifier's gated endpoints and the simulator all read it, so it stands
 * on the ground floor (docs/design/README.md, "Inside the core"): the classifier is below src/xero and the
 * simulator may not reach src/check. Pure data and pure functions: it imports nothing.
 *
 * Sources: Xero's pricing page and FAQ (developer.xero.com/pricing: the five tiers and their connection
 * caps); the day limits as reported with the announcement (5,000 calls per organisation per day on every
 * tier, 1,000 on Starter); the Advanced-only features (Journals, several organisations in one consent) as
 * reported by integrators, not yet in Xero's OpenAPI documents.
 */

export const XERO_TIER_IDS = ['starter', 'core', 'plus', 'advanced', 'enterprise'] as const;
export type XeroTier = (typeof XERO_TIER_IDS)[number];

export interface XeroTierFacts {
  id: XeroTier;
  /** As Xero writes it: `Starter`, `Core`, `Plus`, `Advanced`, `Enterprise`. */
  name: string;
  /** Organisations the app may have connected at once; null: no limit. */
  connectionCap: number | null;
  /** Calls per connected organisation in Xero's rolling day. */
  dayLimit: number;
  /** Whether one consent may connect several organisations ("bulk connections"); below Advanced, one at a time. */
  severalOrganisationsPerConsent: boolean;
}

/** Xero's tiers, lowest first. */
export const XERO_TIERS: Readonly<Record<XeroTier, Readonly<XeroTierFacts>>> = {
  starter: { id: 'starter', name: 'Starter', connectionCap: 5, dayLimit: 1_000, severalOrganisationsPerConsent: false },
  core: { id: 'core', name: 'Core', connectionCap: 50, dayLimit: 5_000, severalOrganisationsPerConsent: false },
  plus: { id: 'plus', name: 'Plus', connectionCap: 1_000, dayLimit: 5_000, severalOrganisationsPerConsent: false },
  advanced: { id: 'advanced', name: 'Advanced', connectionCap: 10_000, dayLimit: 5_000, severalOrganisationsPerConsent: true },
  enterprise: { id: 'enterprise', name: 'Enterprise', connectionCap: null, dayLimit: 5_000, severalOrganisationsPerConsent: true },
};

/** The tier a new Xero app starts on, and what a setting left empty means. */
export const XERO_TIER_DEFAULT: XeroTier = 'starter';

/** An endpoint Xero opens only from one tier up. Xero refuses it below with the 401 `AuthorizationUnsuccessful` of a missing scope. */
export interface TierGate {
  /** The Accounting API resource as Xero writes it in the path (`Journals`). */
  endpoint: string;
  /** The lowest tier that may call it. */
  tier: XeroTier;
  /** Epoch ms from which it is reported closed below `tier`. */
  sinceMs: number;
  reportedBy: string;
}

export const TIER_GATES: readonly TierGate[] = [
  // The general-ledger feed (`GET Journals`), after a security assessment.
  { endpoint: 'Journals', tier: 'advanced', sinceMs: Date.UTC(2026, 2, 2), reportedBy: 'integrators' },
];

/** `starter` from `Starter`, ` STARTER ` or `starter`; null for anything that names no tier. */
export function parseXeroTier(value: unknown): XeroTier | null {
  if (typeof value !== 'string') return null;
  const id = value.trim().toLowerCase();
  return (XERO_TIER_IDS as readonly string[]).includes(id) ? (id as XeroTier) : null;
}

/** Whether `tier` is `floor` or above. */
export function tierAtLeast(tier: XeroTier, floor: XeroTier): boolean {
  return XERO_TIER_IDS.indexOf(tier) >= XERO_TIER_IDS.indexOf(floor);
}

/** The gate on an Accounting resource (`Journals`, any case), if a tier gates it. */
export function tierGateOf(endpoint: string): TierGate | null {
  const lower = endpoint.toLowerCase();
  return TIER_GATES.find((g) => g.endpoint.toLowerCase() === lower) ?? null;
}

/** The endpoints closed to an app on `tier`. */
export function closedEndpoints(tier: XeroTier): TierGate[] {
  return TIER_GATES.filter((g) => !tierAtLeast(tier, g.tier));
}

/** Whether an app on `tier` may call this Accounting resource. */
export function tierOpens(tier: XeroTier, endpoint: string): boolean {
  const gate = tierGateOf(endpoint);
  return gate === null || tierAtLeast(tier, gate.tier);
}
