/**
 * The n8n side of the connection-cap report (src/host/connection-caps.ts): the credential's tier
 * setting and the chains a fleet view may count, for the Connections node.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { chainClientId } from '../../src/check';
import { chainCapReport, ledgerCapReports, type FleetScope, type ShownCapReport } from '../../src/fleet';
import { tierSetting, TIER_SETTING } from '../../src/host/tier-setting';
import type { GuardedLedger } from './guarded-session';

/**
 * Each listed chain's app against its tier's cap, by chain key. The credential's own app is counted
 * against the credential's tier; with the view widened to the ledger, other apps against the tier their
 * own credentials noted. A count that cannot be made (a ledger without notes) is null, never a failure.
 */
export async function appCapsOf(
  opened: Pick<GuardedLedger, 'ledger' | 'ownKey'>,
  credentials: ICredentialDataDecryptedObject,
  scope: FleetScope,
): Promise<(key: string) => ShownCapReport | null> {
  const tier = tierSetting(credentials[TIER_SETTING]);
  const clientId = opened.ownKey ? chainClientId(opened.ownKey) : null;
  if (scope === 'own' && (clientId === null || opened.ownKey === null)) return () => null;
  const own = clientId !== null && opened.ownKey !== null ? { own: { key: opened.ownKey, clientId, tier } } : {};
  const reports = await ledgerCapReports(opened.ledger, { ...own, ...(scope === 'own' && clientId !== null ? { onlyClientId: clientId } : {}) }).catch(
    () => [],
  );
  return (key) => chainCapReport(reports, key);
}
