/**
 * `Idempotency-Key` on PUT, POST and PATCH, for every Xero API (xero-node 1.26 release notes: "Added
 * Idempotency-Key as optional header param for all PUT, POST, PATCH requests"): the same key with the
 * same request replays the first answer and does nothing twice; the same key with another request is
 * refused. Each organisation's books (Accounting's and each other API's) hold their own keys.
 */
import { createHash } from 'node:crypto';
import { json, type SimResponse } from './http-kit';
import type { Recorder } from './observation';

export interface Replay {
  fingerprint: string;
  response: SimResponse;
  at: number;
}

/** How long a key is remembered. Xero does not say in the sources we have; 24 hours is the common rule (Stripe, the IETF draft). */
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
export const MAX_IDEMPOTENCY_KEY = 128;

export interface IdempotentCall {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  url: URL;
  correlationId: string;
  raw: Buffer;
  tenantId: string;
}

export function idempotent(
  keys: Map<string, Replay>,
  call: IdempotentCall,
  now: number,
  recorder: Recorder,
  tooLong: () => SimResponse,
  run: () => SimResponse,
): SimResponse {
  const header = call.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || !['POST', 'PUT', 'PATCH'].includes(call.method)) return run();
  if (key.length > MAX_IDEMPOTENCY_KEY) return tooLong();
  for (const [k, v] of keys) if (v.at < now - IDEMPOTENCY_TTL_MS) keys.delete(k);
  const fingerprint = createHash('sha256').update(`${call.method} ${call.url.pathname.toLowerCase()}?${call.url.search}\n`).update(call.raw).digest('hex');
  const seen = keys.get(key);
  if (seen) {
    recorder.record({ type: 'action', action: 'idempotentReplay', detail: { tenantId: call.tenantId, same: seen.fingerprint === fingerprint } });
    if (seen.fingerprint === fingerprint) return { ...seen.response, headers: { ...seen.response.headers } };
    // Xero's sources do not say what a reused key with another request gets; the simulator refuses
    // it with 409 (as Stripe and the IETF idempotency draft do) so no client can rely on either.
    return json(409, {
      Type: null,
      Title: 'Conflict',
      Status: 409,
      Detail: 'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
      Instance: call.correlationId,
      Extensions: {},
    });
  }
  const response = run();
  if (response.status < 500) keys.set(key, { fingerprint, response, at: now });
  return response;
}
