import { createHash, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { base64url } from './formats';

export type JwtClaims = Record<string, unknown>;

let processKeyPair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/**
 * One key per process: generating RSA keys costs a noticeable fraction of a second and tests start
 * many simulators. A token from another simulator still fails, because its jti is unknown here.
 */
function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  processKeyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return processKeyPair;
}

export class JwtSigner {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = keyPair();
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = createHash('sha256')
      .update(pair.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase();
  }

  sign(claims: JwtClaims): string {
    const header = base64url(JSON.stringify({ alg: 'RS256', kid: this.kid, typ: 'JWT', x5t: this.kid }));
    const payload = base64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
  }

  /** The claims of a token this signer made, or undefined for anything else. */
  verify(token: string): JwtClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    let ok = false;
    try {
      ok = verify('sha256', Buffer.from(`${header}.${payload}`), this.publicKey, Buffer.from(signature, 'base64url'));
    } catch {
      return undefined;
    }
    if (!ok) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as JwtClaims) : undefined;
    } catch {
      return undefined;
    }
  }

  jwks(): { keys: JsonWebKey[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256', x5t: this.kid }] };
  }
}

/** OIDC `at_hash`: the left half of the SHA-256 of the access token. */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return base64url(digest.subarray(0, digest.length / 2));
}
