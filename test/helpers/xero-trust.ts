import type { Simulator } from '../../src/simulator';
import { JWKS_PATH } from '../../src/simulator/discovery';
import type { XeroTrust } from '../../src/xero';

/**
 * Tests only: lets an engine treat this simulator as Xero when it checks a grant's evidence
 * (Invariant 13). Production engines use XERO_TRUST; no host setting can build one of these.
 */
export function trustSimulatorAsXero(sim: Pick<Simulator, 'tokenUrl' | 'url'>): XeroTrust {
  return { tokenUrl: sim.tokenUrl, issuer: 'https://identity.xero.com', jwksUrl: `${sim.url}${JWKS_PATH}` };
}
