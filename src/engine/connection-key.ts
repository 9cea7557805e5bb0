import { fingerprint } from '../secrets/fingerprint';
import { stretchedKeyedId } from '../secrets/keyed-id';
import type { ClientCredentials } from '../xero/identity-client';

/**
 * A chain's key names it in the ledger every credential of a host shares, so it must hold something
 * only the chain's owner has (Invariant 16):
 * - an authorization-code chain: the refresh token stored at "Connect" (n8n never rewrites it), so
 *   the key lasts as long as the credential is not reconnected;
 * - a Custom Connection (client credentials) chain: the app's client secret, stretched and keyed
 *   with the host's encryption key, with the Xero endpoints it is used against. Client ids are not
 *   secrets (authorize URLs show them), so a key of the client id alone let any credential naming it
 *   read, use, refresh and change the chain.
 * Node-RED names a chain by its config node instead; that is the host's choice, not these.
 */

/** Every chain key of this shape: `xero:<client id>:<what binds it>`. Internal: never shown to a person. */
export const CHAIN_KEY = /xero:[A-Za-z0-9_-]+:[A-Za-z0-9_]+/g;

/** The n8n connection key of an authorization-code chain. */
export function connectionKeyFor(clientId: string, rootRefreshToken: string): string {
  return `xero:${clientId}:${fingerprint(rootRefreshToken)}`;
}

/**
 * The key of a Custom Connection chain: `xero:<client id>:cc_<32 hex>`, the hex a keyed, slow name
 * of the client secret (stretchedKeyedId: scrypt, salted under `hostKey`) for this client id and
 * these endpoints. Two credentials with the same app, secret and endpoints share the chain; any
 * other secret names another chain, and a guess at the secret cannot be checked against a key
 * without the host key, nor cheaply with it.
 */
export async function clientCredentialsKey(client: ClientCredentials, endpoints: { tokenUrl: string; apiUrl: string }, hostKey: string): Promise<string> {
  const context = JSON.stringify([client.clientId, endpoints.tokenUrl, endpoints.apiUrl]);
  return `xero:${client.clientId}:cc_${await stretchedKeyedId(client.clientSecret, hostKey, 'client-credentials chain v1', context)}`;
}

/** The key every version before issue 24 gave all Custom Connection chains of one app, whatever the secret. */
export function legacyClientCredentialsKey(clientId: string): string {
  return `xero:${clientId}:client_credentials`;
}
