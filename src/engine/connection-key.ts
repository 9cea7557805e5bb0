import { fingerprint } from '../secrets/fingerprint';

/**
 * The n8n connection key: n8n never rewrites the token data stored at "Connect my account", so its
 * refresh token names the chain for as long as the credential is not reconnected.
 */
export function connectionKeyFor(clientId: string, rootRefreshToken: string): string {
  return `xero:${clientId}:${fingerprint(rootRefreshToken)}`;
}
