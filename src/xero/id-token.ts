import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { XERO_ENDPOINTS } from './endpoints';
import { fetchTransport, type HttpTransport } from './transport';

/**
 * Who counts as Xero when a grant's provenance matters (Invariant 13): the token endpoint the grant
 * must have come from, the issuer its id_token must name, and the key set it must be signed with.
 * Production code uses XERO_TRUST, pinned here; nothing a user configures reaches a trust.
 */
export interface XeroTrust {
  readonly tokenUrl: string;
  readonly issuer: string;
  readonly jwksUrl: string;
}

export const XERO_TRUST: XeroTrust = Object.freeze({
  tokenUrl: XERO_ENDPOINTS.tokenUrl,
  issuer: 'https://identity.xero.com',
  jwksUrl: 'https://identity.xero.com/.well-known/openid-configuration/jwks',
});

/** What a host saw at connect time, offered as proof of whose grant this is. */
export interface GrantEvidence {
  /** The id_token Xero returned with the grant (scope openid). */
  idToken: string;
  /** The token endpoint the grant came from (the credential's, custom or not). */
  tokenUrl: string;
}

export type EvidenceVerdict = { ok: true; xeroUserId: string } | { ok: false; why: string };

const MAX_JWKS_BYTES = 64 * 1024;

/**
 * Verifies an id_token against a trust's key set: RS256 signature by a key the trust publishes,
 * its issuer, this app as audience, and at_hash binding it to the grant's access token. `exp` is
 * not required: an id_token lives 5 minutes and n8n keeps it from connect time, and what is proven
 * here is provenance (Xero issued this grant to this user), not a fresh sign-in.
 */
export class IdTokenVerifier {
  private keys: Promise<JsonWebKey[]> | undefined;

  constructor(
    readonly trust: XeroTrust,
    private readonly transport: HttpTransport = fetchTransport,
  ) {}

  async verify(evidence: GrantEvidence, clientId: string, accessToken: string): Promise<EvidenceVerdict> {
    if (evidence.tokenUrl !== this.trust.tokenUrl) return { ok: false, why: "the grant came from a token endpoint other than Xero's" };
    const parts = typeof evidence.idToken === 'string' ? evidence.idToken.split('.') : [];
    if (parts.length !== 3) return { ok: false, why: 'the id_token is not a signed JWT' };
    const header = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    if (!header || !claims) return { ok: false, why: 'the id_token cannot be decoded' };
    if (header.alg !== 'RS256' || typeof header.kid !== 'string')
      return { ok: false, why: `the id_token is not signed with RS256 (alg ${String(header.alg)})` };
    const jwk = (await this.keySet()).find((k) => (k as { kid?: unknown }).kid === header.kid);
    if (!jwk) return { ok: false, why: 'the id_token is signed with a key Xero does not publish' };
    let signed = false;
    try {
      signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(parts[2], 'base64url'));
    } catch {
      signed = false;
    }
    if (!signed) return { ok: false, why: 'the id_token signature does not verify' };
    if (claims.iss !== this.trust.issuer) return { ok: false, why: 'the id_token was issued by someone other than Xero' };
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience.includes(clientId)) return { ok: false, why: 'the id_token was issued to another app' };
    if (claims.at_hash !== atHash(accessToken)) return { ok: false, why: 'the id_token belongs to another grant (at_hash does not match the access token)' };
    const user = claims.xero_userid;
    if (typeof user !== 'string' || user === '') return { ok: false, why: 'the id_token names no Xero user' };
    return { ok: true, xeroUserId: user };
  }

  private keySet(): Promise<JsonWebKey[]> {
    // One fetch per verifier; a failed fetch is not cached, so the next reconnect asks again.
    this.keys ??= this.fetchKeys().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys.catch(() => []);
  }

  private async fetchKeys(): Promise<JsonWebKey[]> {
    const response = await this.transport({ method: 'GET', url: this.trust.jwksUrl, headers: { accept: 'application/json' } });
    if (response.status !== 200 || response.body.length > MAX_JWKS_BYTES) throw new Error(`Xero's key set answered ${response.status}`);
    const parsed: unknown = JSON.parse(response.body);
    const keys = parsed && typeof parsed === 'object' ? (parsed as { keys?: unknown }).keys : undefined;
    return Array.isArray(keys) ? keys.filter((k): k is JsonWebKey => !!k && typeof k === 'object' && (k as { kty?: unknown }).kty === 'RSA') : [];
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** OIDC at_hash: the left half of the SHA-256 of the access token, base64url. */
function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
