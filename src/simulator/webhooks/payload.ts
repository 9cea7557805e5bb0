import { randomInt } from 'node:crypto';
import type { RecordChange } from '../accounting/store';

/**
 * What Xero's webhook deliveries look like on the wire (openapi/xero-webhooks.yaml, WebhookEvent
 * and CreditNoteWebhookEvent; the intent-to-receive payload from Xero's "Configuring your server"):
 * the fields in Xero's order, `eventDateUtc` in Xero's form, the record's real api.xero.com URL
 * (a receiver reads records by ID, never by this URL).
 */
export interface WebhookEvent {
  resourceUrl: string;
  resourceId: string;
  tenantId: string;
  tenantType: 'ORGANISATION';
  eventCategory: RecordChange['category'];
  eventType: RecordChange['type'];
  eventDateUtc: string;
  data?: { Type: string; Status: string };
}

const RESOURCE_PATHS: Record<RecordChange['category'], string> = { CONTACT: 'Contacts', INVOICE: 'Invoices', CREDITNOTE: 'CreditNotes' };

/** `2026-03-02T09:15:39.902`: UTC, milliseconds, no zone suffix, as Xero writes it. */
export function eventDateUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

export function eventOf(tenantId: string, change: RecordChange): WebhookEvent {
  const event: WebhookEvent = {
    resourceUrl: `https://api.xero.com/api.xro/2.0/${RESOURCE_PATHS[change.category]}/${change.resourceId}`,
    resourceId: change.resourceId,
    tenantId,
    tenantType: 'ORGANISATION',
    eventCategory: change.category,
    eventType: change.type,
    eventDateUtc: eventDateUtc(change.at),
  };
  if (change.data) event.data = { Type: change.data.Type, Status: change.data.Status };
  return event;
}

/** Twenty upper-case letters, like the entropy in Xero's examples (`FXNGWLCCGVANWHKILRUB`). */
export function entropy(): string {
  return Array.from({ length: 20 }, () => String.fromCharCode(65 + randomInt(26))).join('');
}

/** The exact bytes of one delivery; an intent-to-receive probe is the same with no events and sequence numbers 0. */
export function deliveryBytes(events: readonly WebhookEvent[], firstEventSequence: number, lastEventSequence: number): Buffer {
  return Buffer.from(JSON.stringify({ events, firstEventSequence, lastEventSequence, entropy: entropy() }), 'utf8');
}
