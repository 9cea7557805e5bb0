/**
 * The "Xero App Tier" setting both hosts offer (n8n's credential, Node-RED's config node): the choices
 * from the one tier table, and what a value means. An empty or missing value (a credential or config
 * node saved before the setting existed) means Starter, the tier every new Xero app starts on: the
 * budget then assumes 1,000 calls per organisation a day until Xero's own headers show more (a higher
 * tier's app loses nothing but an early warning), the cap count reads against 5 (an app with more
 * organisations is told its setting is probably too low), and a Journals refusal names Starter.
 */
import { closedEndpoints, parseXeroTier, XERO_TIER_DEFAULT, XERO_TIER_IDS, XERO_TIERS, type XeroTier } from '../xero-tiers';

/** The setting's field name, the same in both hosts. */
export const TIER_SETTING = 'xeroAppTier';

/** One choice per tier, lowest first, each saying what it allows. */
export const TIER_CHOICES: ReadonlyArray<{ name: string; value: XeroTier; description: string }> = XERO_TIER_IDS.map((id) => {
  const t = XERO_TIERS[id];
  const cap = t.connectionCap === null ? 'no connection limit' : `${t.connectionCap.toLocaleString('en')} connections`;
  const closed = closedEndpoints(id).map((g) => g.endpoint);
  const gated = closed.length > 0 ? `; no ${closed.join(', ')}` : '';
  const consent = t.severalOrganisationsPerConsent ? '; several organisations per consent' : '; one organisation per consent';
  return { name: t.name, value: id, description: `${cap}, ${t.dayLimit.toLocaleString('en')} calls per organisation a day${gated}${consent}` };
});

/** The tier a stored setting means: its tier, or Starter when empty, missing or not a tier. */
export function tierSetting(value: unknown): XeroTier {
  return parseXeroTier(value) ?? XERO_TIER_DEFAULT;
}
