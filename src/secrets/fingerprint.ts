import { createHash, createHmac, type KeyObject } from 'node:crypto';

/**
 * A short, stable, non-reversible name for a secret: lets logs, ledgers and connection keys refer
 * to a refresh token without holding it. Xero's tokens carry far more entropy than 64 bits, so the
 * truncated hash gives nothing away.
 */
export function fingerprint(secret: string): string {
  return createHash('sha256').update('xero-guard:').update(secret).digest('hex').slice(0, 16);
}

/**
 * A stable name derived from a secret for one purpose: HMAC-SHA256 keyed with the secret over the
 * purpose, 128 bits in hex. Only someone who holds the secret can compute it (unlike a name built
 * from something public such as a client id), it is the same in every process and on every host,
 * and names for two purposes of one secret cannot be linked.
 */
export function keyedFingerprint(secret: KeyObject | string, purpose: string): string {
  return createHmac('sha256', secret).update(`xero-guard:${purpose}`).digest('hex').slice(0, 32);
}
