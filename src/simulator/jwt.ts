import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
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
  private privateKey: KeyObject;
  private publicKey: KeyObject;
  private keyId: string;

  constructor() {
    const pair = keyPair();
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.keyId = kidOf(pair.publicKey);
  }

  get kid(): string {
    return this.keyId;
  }

  /** The signing key as PKCS#8 PEM, for a state file: tokens signed before a restart must verify after it. */
  exportKey(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** Signs with a key a state file kept (exportKey) from now on. */
  useKey(pem: string): void {
    this.privateKey = createPrivateKey(pem);
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = kidOf(this.publicKey);
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

function kidOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 32)
    .toUpperCase();
}

/** OIDC `at_hash`: the left half of the SHA-256 of the access token. */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return base64url(digest.subarray(0, digest.length / 2));
}
