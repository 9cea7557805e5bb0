import { DateTime, FixedOffsetZone } from 'luxon';

/**
 * Xero's Accounting API writes dates in Microsoft's JSON form, `/Date(1573755038314+0000)/`
 * (epoch milliseconds in UTC, then the organisation's offset), and many records carry a sibling
 * `DateString` such as `2019-11-14T00:00:00` (the OpenAPI example also shows `2018-10-20 00:00:00`).
 * Hosts see ISO 8601 instead; `raw` keeps Xero's form for callers who compare it byte for byte.
 */
export type DateMode = 'iso' | 'raw';

const MS_DATE = /^\/Date\((-?\d+)(?:([+-])(\d{2})(\d{2}))?\)\/$/;
const DATE_STRING = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

/** `/Date(ms±hhmm)/` as ISO 8601 in the offset Xero gave (UTC, `Z`, when none); undefined if not one. */
export function fromXeroDate(value: string): string | undefined {
  const m = MS_DATE.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]);
  if (!Number.isSafeInteger(ms)) return undefined;
  const offsetMinutes = m[2] ? (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4])) : 0;
  if (offsetMinutes === 0) {
    // The common case (Xero writes +0000), thousands per page: Date is ~20x cheaper than a luxon DateTime.
    if (Math.abs(ms) > 8.64e15) return undefined;
    const iso = new Date(ms).toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  }
  const zone = FixedOffsetZone.instance(offsetMinutes);
  const iso = DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
  return iso ?? undefined;
}

/** A DateString (`2019-11-14 00:00:00` or `2019-11-14T00:00:00`) in ISO form; the time is the organisation's local time, so no zone is added. */
export function fromXeroDateString(value: string): string | undefined {
  const m = DATE_STRING.exec(value);
  return m ? `${m[1]}T${m[2]}` : undefined;
}

/** ISO 8601, a JS Date or epoch ms, as `/Date(ms+0000)/`: what Xero itself writes; it also accepts ISO dates in JSON. */
export function toXeroDate(value: string | Date | number): string {
  const dt =
    typeof value === 'number'
      ? DateTime.fromMillis(value)
      : value instanceof Date
        ? DateTime.fromJSDate(value)
        : DateTime.fromISO(value, { setZone: true, zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`"${String(value)}" is not an ISO 8601 date (use e.g. 2026-01-31 or 2026-01-31T09:00:00Z)`);
  return `/Date(${dt.toMillis()}+0000)/`;
}

/**
 * Every Xero date inside a parsed answer, converted in place (the answer is ours, just parsed).
 * Strings that look like Microsoft dates anywhere are converted; `…DateString` fields are
 * normalised. Iterative, so a deep answer cannot blow the stack.
 */
export function convertXeroDates<T>(value: T): T {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? ((fromXeroDate(value) ?? value) as T) : value;
  const stack: Array<Record<string, unknown> | unknown[]> = [value as Record<string, unknown>];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v = node[i];
        if (typeof v === 'string') {
          if (v.charCodeAt(0) === 47 /* / */) node[i] = fromXeroDate(v) ?? v;
        } else if (v !== null && typeof v === 'object') stack.push(v as Record<string, unknown>);
      }
      continue;
    }
    for (const key in node) {
      const v = node[key];
      if (typeof v === 'string') {
        if (v.charCodeAt(0) === 47) {
          const iso = fromXeroDate(v);
          if (iso !== undefined) node[key] = iso;
        } else if (key.endsWith('DateString')) {
          const iso = fromXeroDateString(v);
          if (iso !== undefined) node[key] = iso;
        }
      } else if (v !== null && typeof v === 'object') stack.push(v as Record<string, unknown>);
    }
  }
  return value;
}

/**
 * The same conversion on the answer's JSON text, before it is parsed: one pass of two regular
 * expressions instead of a walk over every parsed value (a 1,000-invoice page holds thousands of
 * dates). Only whole JSON strings match, `/` escaped as `\/` or not (Microsoft's serialiser
 * escapes it), and never a quote that is itself escaped inside another string.
 */
/** The literal prefix lets the engine skip ahead instead of trying every quote. */
const JSON_DATE_STRING = /DateString":"(\d{4}-\d{2}-\d{2}) (?=\d{2}:\d{2}:\d{2})/g;

const QUOTE = 34;
const SLASH = 47;
const BACKSLASH = 92;

/** Transaction dates repeat (every invoice of a day has the same midnight): a small cache saves most conversions. */
const isoCache = new Map<string, string>();

/** One ISO string for `/Date(ms[offset])/`, or undefined. */
function isoOf(ms: string, offset: string): string | undefined {
  if (offset === '' || offset === '+0000' || offset === '-0000') {
    const cached = isoCache.get(ms);
    if (cached !== undefined) return cached;
    const n = Number(ms);
    if (!Number.isSafeInteger(n) || Math.abs(n) > 8.64e15) return undefined;
    const full = new Date(n).toISOString();
    const iso = full.endsWith('.000Z') ? `${full.slice(0, -5)}Z` : full;
    if (isoCache.size >= 4096) isoCache.clear();
    isoCache.set(ms, iso);
    return iso;
  }
  return fromXeroDate(`/Date(${ms}${offset})/`);
}

export function convertXeroDatesInJson(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  // indexOf finds the few thousand dates in a megabyte far faster than a regular expression tries every quote.
  for (let at = text.indexOf('Date(', 0); at !== -1; at = text.indexOf('Date(', at + 5)) {
    // Opening: `"/Date(` or `"\/Date(`, the quote itself not escaped.
    let open = at - 1;
    if (text.charCodeAt(open) !== SLASH) continue;
    if (text.charCodeAt(open - 1) === BACKSLASH) open--;
    open--;
    if (text.charCodeAt(open) !== QUOTE || text.charCodeAt(open - 1) === BACKSLASH) continue;
    let i = at + 5;
    const digitsFrom = i;
    if (text.charCodeAt(i) === 45 /* - */) i++;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const ms = text.slice(digitsFrom, i);
    let offset = '';
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) {
      offset = text.slice(i, i + 5);
      if (!/^[+-]\d{4}$/.test(offset)) continue;
      i += 5;
    }
    // Closing: `)/"` or `)\/"`.
    if (text.charCodeAt(i) !== 41 /* ) */) continue;
    i++;
    if (text.charCodeAt(i) === BACKSLASH) i++;
    if (text.charCodeAt(i) !== SLASH || text.charCodeAt(i + 1) !== QUOTE) continue;
    const iso = isoOf(ms, offset);
    if (iso === undefined) continue;
    parts.push(text.slice(copied, open), `"${iso}"`);
    copied = i + 2;
    at = i;
  }
  let out = parts.length === 0 ? text : (parts.push(text.slice(copied)), parts.join(''));
  if (out.includes('DateString":"')) out = out.replace(JSON_DATE_STRING, 'DateString":"$1T');
  return out;
}

/** `If-Modified-Since` as Xero reads it: UTC, `yyyy-MM-ddTHH:mm:ss` (its docs' example 2009-11-12T00:00:00). */
export function ifModifiedSinceHeader(value: string | Date | number): string {
  const dt =
    typeof value === 'number'
      ? DateTime.fromMillis(value, { zone: 'utc' })
      : value instanceof Date
        ? DateTime.fromJSDate(value, { zone: 'utc' })
        : DateTime.fromISO(value, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`ifModifiedSince "${String(value)}" is not an ISO 8601 date (use e.g. 2026-01-31T00:00:00Z)`);
  return dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** JSON for a request body: JS Dates and luxon DateTimes serialise as ISO 8601 (their toJSON), which Xero accepts. */
export function toRequestJson(body: unknown): string {
  return JSON.stringify(body);
}
