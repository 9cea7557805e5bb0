import { createHash } from 'node:crypto';
import { isObject } from './resources';

/**
 * A Xero webhook delivery (xero-webhooks.yaml WebhookEvent), read defensively: whatever the body
 * holds, parsing answers a result, never throws, and keeps only the fields below, each checked.
 * Events carry IDs only (no record contents, no secret). `resourceUrl` is kept for the user but
 * never fetched: records are read by ID through the Accounting client, so a forged URL leads nowhere.
 */

/** The categories Xero sends today (docs: CONTACT, INVOICE, SUBSCRIPTION; CREDITNOTE since March 2026). */
export const EVENT_CATEGORIES = ['CONTACT', 'INVOICE', 'CREDITNOTE', 'SUBSCRIPTION'] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];
export const EVENT_TYPES = ['CREATE', 'UPDATE'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface XeroEvent {
  resourceUrl: string;
  resourceId: string;
  tenantId: string;
  /** ORGANISATION, or APPLICATION for subscription events. */
  tenantType: string;
  /** One of EVENT_CATEGORIES, or a category Xero adds later (kept, so a filter can name it). */
  eventCategory: string;
  eventType: string;
  /** As Xero wrote it: UTC, often without a zone suffix (`2025-12-02T00:44:09.923`). */
  eventDateUtc: string;
  /** Credit note events: the note's Type (ACCPAYCREDIT / ACCRECCREDIT) and Status. */
  data?: { Type?: string; Status?: string };
}

export interface XeroDelivery {
  events: XeroEvent[];
  firstEventSequence: number | null;
  lastEventSequence: number | null;
  entropy: string | null;
}

/** An event left out of a delivery, and why (the delivery's other events are kept). */
export interface DeliveryProblem {
  index: number;
  message: string;
}

export type ParsedDelivery = { ok: true; delivery: XeroDelivery; problems: DeliveryProblem[] } | { ok: false; error: string };

/** More events than any real delivery carries; the body cap bounds it anyway. */
export const MAX_EVENTS_PER_DELIVERY = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WORD = /^[A-Z][A-Z_]{0,39}$/;
const MAX_URL = 2048;
const MAX_ENTROPY = 256;

export function parseDelivery(body: Uint8Array | string): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return { ok: false, error: 'The delivery is not JSON.' };
  }
  if (!isObject(json)) return { ok: false, error: 'The delivery is not a JSON object.' };
  const events = json.events;
  if (!Array.isArray(events)) return { ok: false, error: 'The delivery has no "events" list.' };
  if (events.length > MAX_EVENTS_PER_DELIVERY) {
    return { ok: false, error: `The delivery lists ${events.length} events, more than the ${MAX_EVENTS_PER_DELIVERY} Xero Guard takes in one delivery.` };
  }
  const problems: DeliveryProblem[] = [];
  const kept: XeroEvent[] = [];
  events.forEach((raw: unknown, index) => {
    const event = readEvent(raw);
    if (typeof event === 'string') problems.push({ index, message: `Event ${index + 1} was left out: ${event}` });
    else kept.push(event);
  });
  return {
    ok: true,
    delivery: {
      events: kept,
      firstEventSequence: sequence(json.firstEventSequence),
      lastEventSequence: sequence(json.lastEventSequence),
      entropy: typeof json.entropy === 'string' && json.entropy.length <= MAX_ENTROPY ? json.entropy : null,
    },
    problems,
  };
}

/** The event, or what is wrong with it. */
function readEvent(raw: unknown): XeroEvent | string {
  if (!isObject(raw)) return 'it is not an object';
  const { resourceUrl, resourceId, tenantId, tenantType, eventCategory, eventType, eventDateUtc } = raw;
  if (typeof resourceId !== 'string' || !UUID.test(resourceId)) return 'its resourceId is not a Xero ID';
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) return 'its tenantId is not a Xero ID';
  if (typeof eventCategory !== 'string' || !WORD.test(eventCategory)) return 'its eventCategory is missing or not a category name';
  if (typeof eventType !== 'string' || !WORD.test(eventType)) return 'its eventType is missing or not an event type';
  if (typeof tenantType !== 'string' || !WORD.test(tenantType)) return 'its tenantType is missing or not a tenant type';
  if (typeof resourceUrl !== 'string' || resourceUrl.length > MAX_URL) return 'its resourceUrl is missing or too long';
  if (typeof eventDateUtc !== 'string' || eventTime(eventDateUtc) === null) return 'its eventDateUtc is not a date';
  const event: XeroEvent = { resourceUrl, resourceId, tenantId, tenantType, eventCategory, eventType, eventDateUtc };
  const data = raw.data;
  if (isObject(data)) {
    const picked: { Type?: string; Status?: string } = {};
    if (typeof data.Type === 'string' && WORD.test(data.Type)) picked.Type = data.Type;
    if (typeof data.Status === 'string' && WORD.test(data.Status)) picked.Status = data.Status;
    if (picked.Type !== undefined || picked.Status !== undefined) event.data = picked;
  }
  return event;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z|[+-]\d{2}:?\d{2})?$/;

/** eventDateUtc as epoch ms (UTC when it has no zone, as Xero writes it); null when it is not a date. */
export function eventTime(value: string): number | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const fraction = (m[7] ?? '').slice(1, 4).padEnd(3, '0');
  const zone = m[8] ?? 'Z';
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The identity of an event (docs/design/events.md "Event identity"): organisation, category, type,
 * resource and the instant Xero stamped, hashed. Xero may deliver an event again (a retry, or a
 * replay by anyone holding a signed body); its content is the same, so its identity is too, and the
 * inbox stores it once. The delivery's sequence numbers and entropy are not part of it: a retry may
 * batch events differently.
 */
export function eventId(event: XeroEvent): string {
  return identity(['xero', event.tenantId, event.eventCategory, event.eventType, event.resourceId.toLowerCase(), String(eventTime(event.eventDateUtc))]);
}

/** What changed: organisation, category and record. */
export function resourceKey(tenantId: string, category: string, resourceId: string): string {
  return `${tenantId.toLowerCase()}:${category}:${resourceId.toLowerCase()}`;
}

export function identity(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

function sequence(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647 ? value : null;
}
