import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { keyedFingerprint } from '../secrets';
import { parseDelivery, type DeliveryProblem, type XeroDelivery } from './delivery';
import { EventsConfigError } from './errors';

/**
 * Xero's webhook signature (docs/design/events.md "Receiving"): `x-xero-signature` is the base64 of
 * HMAC-SHA256 over the raw body bytes, keyed with the app's webhook key. A delivery is checked
 * before anything reads it: its size first (so an oversized body is never parsed), then the
 * signature in constant time, then its shape. Xero expects 200 for a correctly signed delivery
 * (its "intent to receive" probes carry no events and are answered the same way) and 401 for any
 * other, within about 5 seconds.
 */
export const XERO_SIGNATURE_HEADER = 'x-xero-signature';

/**
 * A Xero delivery carries IDs only (a few hundred bytes per event); 1 MiB holds thousands. A body
 * over the cap is refused unread with 413: Xero never sends one, so it is not Xero.
 */
export const DEFAULT_MAX_WEBHOOK_BYTES = 1024 * 1024;

/** The HMAC of SHA-256 is 32 bytes, 44 characters of base64. */
const SIGNATURE_LENGTH = 44;

/**
 * The app's webhook key, held as a crypto KeyObject: its text is in no field, so printing,
 * logging or serialising this object shows no key.
 */
export class WebhookKey {
  readonly #key: KeyObject;

  constructor(key: string) {
    // A pasted key often brings a line break or spaces along; Xero's keys have none.
    const text = typeof key === 'string' ? key.trim() : '';
    if (text === '') {
      throw new EventsConfigError(
        'The Xero webhook key is empty: copy it from your app\'s Webhooks page at developer.xero.com ("Webhooks key") into the credential\'s Webhook Key field.',
      );
    }
    this.#key = createSecretKey(Buffer.from(text, 'utf8'));
  }

  /** base64 HMAC-SHA256 of `body`: what Xero puts in x-xero-signature (the simulator signs with it too). */
  sign(body: Uint8Array | string): string {
    return createHmac('sha256', this.#key)
      .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
      .digest('base64');
  }

  /**
   * The name of the app's event inbox (docs/design/events.md "One URL per app"), a keyed fingerprint
   * of this key: only who holds the app's webhook key can name, and so read, its inbox. A client id
   * would not do: it is not a secret, and anyone sharing the ledger could type it.
   */
  inboxName(): string {
    return `app-${keyedFingerprint(this.#key, 'event-inbox')}`;
  }

  toJSON(): string {
    return '[webhook key]';
  }
}

export type WebhookVerdict =
  /** Correctly signed: answer 200 at once, then append `delivery` (empty events: an intent-to-receive probe). */
  | { status: 200; delivery: XeroDelivery; problems: DeliveryProblem[] }
  /** Correctly signed but not a delivery (not JSON, no events list): answer 200 (it is Xero's, a retry would not fix it) and log `error`. */
  | { status: 200; delivery: null; error: string }
  | { status: 401; reason: 'signature_missing' | 'signature_mismatch' }
  | { status: 413; reason: 'too_large'; maxBytes: number };

export interface VerifyWebhookOptions {
  /** The raw body, byte for byte as received (a string is taken as its UTF-8 bytes). */
  body: Uint8Array | string;
  /** The x-xero-signature header as the host has it (several values are refused). */
  signature: string | readonly string[] | undefined | null;
  key: WebhookKey;
  maxBodyBytes?: number;
}

export function verifyWebhook(options: VerifyWebhookOptions): WebhookVerdict {
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BYTES;
  const bytes = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  if (bytes.byteLength > maxBytes) return { status: 413, reason: 'too_large', maxBytes };
  const given = typeof options.signature === 'string' ? options.signature.trim() : null;
  if (!signatureMatches(options.key.sign(bytes), given ?? '') || given === null || given === '') {
    return { status: 401, reason: given === null || given === '' ? 'signature_missing' : 'signature_mismatch' };
  }
  const parsed = parseDelivery(bytes);
  if (!parsed.ok) return { status: 200, delivery: null, error: parsed.error };
  return { status: 200, delivery: parsed.delivery, problems: parsed.problems };
}

/**
 * Constant time whatever was given: both sides are compared as 44 bytes with timingSafeEqual (a
 * shorter or longer signature is compared padded, then refused for its length), so neither the
 * content nor the length of a forged signature changes how long the check takes.
 */
function signatureMatches(expected: string, given: string): boolean {
  const want = Buffer.alloc(SIGNATURE_LENGTH);
  want.write(expected, 'latin1');
  const got = Buffer.alloc(SIGNATURE_LENGTH);
  const raw = Buffer.from(given, 'utf8');
  raw.copy(got, 0, 0, Math.min(raw.length, SIGNATURE_LENGTH));
  const same = timingSafeEqual(want, got);
  return same && raw.length === SIGNATURE_LENGTH;
}

/** For hosts that see Content-Length before the body: true when it already says the body is over the cap. */
export function declaredTooLarge(contentLength: string | number | undefined | null, maxBodyBytes = DEFAULT_MAX_WEBHOOK_BYTES): boolean {
  const n = typeof contentLength === 'number' ? contentLength : Number(String(contentLength ?? '').trim());
  return String(contentLength ?? '').trim() !== '' && Number.isFinite(n) && n > maxBodyBytes;
}

/**
 * Reads a request body as bytes, stopping as soon as it passes the cap (the rest is never held),
 * for hosts that stream the body themselves (Node-RED's HTTP server, a plain http handler).
 */
export async function readBodyCapped(
  chunks: AsyncIterable<Uint8Array | string>,
  maxBodyBytes = DEFAULT_MAX_WEBHOOK_BYTES,
): Promise<{ bytes: Buffer } | { tooLarge: true }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += part.byteLength;
    if (size > maxBodyBytes) return { tooLarge: true };
    parts.push(part);
  }
  return { bytes: Buffer.concat(parts, size) };
}
