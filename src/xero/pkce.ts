import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 S256: a 43-character verifier from 32 random bytes and its SHA-256 challenge. */
export function createPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { codeVerifier, codeChallenge: pkceChallenge(codeVerifier) };
}

export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

export function createState(): string {
  return randomBytes(24).toString('base64url');
}
