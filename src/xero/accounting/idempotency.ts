import { createHash } from 'node:crypto';

/**
 * Xero takes an `Idempotency-Key` on every PUT, POST and PATCH ("128 character max",
 * xero_accounting.yaml components.parameters.idempotencyKey; xero-node 4.36 / xero-python 1.26
 * added it to all of them). A replay with the same key returns the first answer, so a retried
 * n8n item or Node-RED message never creates a second invoice.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 128;

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The key for one write: deterministic from the caller's stable id (execution + item) and bound to
 * the request (method, path, organisation), so the same item sent to two endpoints or two
 * organisations never shares a key. Hashed: the stable id may name an execution we must not leak.
 */
export function deriveIdempotencyKey(input: { stableId: string; method: string; path: string; tenantId: string }): string {
  if (input.stableId === '') throw new RangeError('stableId is empty: pass something unique to this item, e.g. the execution id and item index');
  const digest = createHash('sha256')
    .update(['xero-guard/idempotency/v1', input.method.toUpperCase(), normalisePath(input.path), input.tenantId.toLowerCase(), input.stableId].join('\u0000'))
    .digest('base64url');
  return `xg1-${digest}`;
}

/** A caller's own key, checked against Xero's rules before it is sent. */
export function checkIdempotencyKey(key: string): string {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new RangeError(`Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable characters without spaces (Xero's limit)`);
  }
  return key;
}

/** Xero's paths are case-insensitive; query strings are not part of the identity of a write. */
function normalisePath(path: string): string {
  return (path.split('?')[0] ?? '').replace(/^\/+|\/+$/g, '').toLowerCase();
}
