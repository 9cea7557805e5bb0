/**
 * The webhook side of the Xero Guard Trigger (docs/design/events.md "Receiving"): a delivery is
 * judged on its raw bytes (size, then the signature in constant time, then its shape) and answered
 * 200, 401 or 413 at once; only then is a verified delivery appended to the app's inbox in the
 * credential's ledger. No execution starts from the request itself: every trigger node reading the
 * inbox (listen.ts) emits the events, each once.
 */
import { systemClock } from '../../src/clock';
import { DEFAULT_MAX_WEBHOOK_BYTES, EventInbox, WebhookKey, declaredTooLarge, verifyWebhook, type XeroDelivery } from '../../src/events';
import { eventStoreOf } from '../../src/host';
import { openGuardedLedger } from '../shared/guarded-session';

export interface DeliveryRequest {
  /** The node's mode: a polling trigger has no webhook to answer. */
  mode: 'webhook' | 'poll';
  contentLength: string | undefined;
  /** The raw body as n8n read it (null when it could not be read). */
  body: Buffer | null;
  signature: string | string[] | undefined;
  /** The credential's Webhook Key field. */
  keyText: string;
}

export type DeliveryVerdict =
  { status: 200; delivery: XeroDelivery | null; problems: string[] } | { status: 401 | 404 | 413; delivery: null; problems: string[] };

const NO_KEY =
  'A Xero delivery was refused (401): the Xero credential has no Webhook Key. Copy the "Webhooks key" from your app\'s Webhooks page at developer.xero.com into the credential\'s Webhook Key field.';

/** The answer to one request, decided before anything reads its content. */
export function judgeDelivery(request: DeliveryRequest): DeliveryVerdict {
  if (request.mode !== 'webhook') {
    return {
      status: 404,
      delivery: null,
      problems: ['This Xero Guard Trigger polls; it receives no webhooks. Set it to "Webhooks" or point Xero at another URL.'],
    };
  }
  if (declaredTooLarge(request.contentLength, DEFAULT_MAX_WEBHOOK_BYTES)) return { status: 413, delivery: null, problems: [] };
  if (request.keyText.trim() === '') return { status: 401, delivery: null, problems: [NO_KEY] };
  const verdict = verifyWebhook({ body: request.body ?? Buffer.alloc(0), signature: request.signature, key: new WebhookKey(request.keyText) });
  if (verdict.status === 200 && verdict.delivery === null) {
    return { status: 200, delivery: null, problems: [`A correctly signed request was not a Xero delivery: ${verdict.error}`] };
  }
  if (verdict.status === 200) return { status: 200, delivery: verdict.delivery, problems: verdict.problems.map((p) => p.message) };
  return { status: verdict.status, delivery: null, problems: [] };
}

/** The app's inbox: named by a keyed fingerprint of its webhook key, as Node-RED's `xero events` names it. */
export function inboxOf(keyText: string): string {
  return new WebhookKey(keyText).inboxName();
}

/** Appends a verified delivery to the app's inbox in the ledger the credential chooses; the warning, if any, to log once. */
export async function storeDelivery(credentials: Record<string, unknown>, keyText: string, delivery: XeroDelivery): Promise<string | null> {
  const { ledger, where } = await openGuardedLedger(credentials);
  const outcome = await new EventInbox({ store: eventStoreOf(ledger, where), inbox: inboxOf(keyText), clock: systemClock }).append(delivery);
  return outcome.warning ?? null;
}
