import { createHash } from 'node:crypto';

/**
 * A short, stable, non-reversible name for a secret: lets logs, ledgers and connection keys refer
 * to a refresh token without holding it. Xero's tokens carry far more entropy than 64 bits, so the
 * truncated hash gives nothing away.
 */
export function fingerprint(secret: string): string {
  return createHash('sha256').update('xero-guard:').update(secret).digest('hex').slice(0, 16);
}
