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
  return isoAtOffset(ms, offsetMinutes);
}

/** Years 0001-9999: where Date's ISO form is plain `yyyy-MM-ddTHH:mm:ss.SSSZ`, as luxon's is. */
const FAST_FROM_MS = -62_135_596_800_000;
const FAST_UNTIL_MS = 253_402_300_800_000;
const MAX_DATE_MS = 8.64e15;

const DAY_MS = 86_400_000;
const pad = (width: number) => (_: unknown, n: number) => String(n).padStart(width, '0');
const TWO_DIGITS = Array.from({ length: 60 }, pad(2));
const THREE_DIGITS = Array.from({ length: 1000 }, pad(3));
/** `yyyy-MM-ddT` per UTC day: an answer's instants fall on few days (every invoice of a day shares one). */
const dayPrefixes = new Map<number, string>();

/**
 * An instant in UTC the way luxon writes it (`toISO({ suppressMilliseconds: true })`), without
 * luxon: Xero writes almost every date as `+0000`, thousands per page, and a luxon DateTime (or
 * even Date#toISOString) per date costs as much as parsing the page. The calendar day comes from
 * Date, once per day; the time of day is plain arithmetic on the milliseconds. Undefined outside
 * the years where the two forms are the same; a unit test checks they agree on many generated instants.
 */
export function utcIsoFast(ms: number): string | undefined {
  if (ms < FAST_FROM_MS || ms >= FAST_UNTIL_MS || !Number.isInteger(ms)) return undefined;
  const msOfDay = ((ms % DAY_MS) + DAY_MS) % DAY_MS;
  const day = ms - msOfDay;
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day).toISOString().slice(0, 11);
    if (dayPrefixes.size >= 8192) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  const seconds = Math.floor(msOfDay / 1000);
  const milli = msOfDay - seconds * 1000;
  const time = `${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
  return milli === 0 ? `${prefix}${time}Z` : `${prefix}${time}.${THREE_DIGITS[milli]}Z`;
}

/** Luxon zones for the offsets seen, built once each (an organisation has one or two). */
const zones = new Map<number, FixedOffsetZone>();

/** The same instant in ISO 8601 at a fixed offset, by luxon; undefined outside Date's range. */
export function isoAtOffsetByLuxon(ms: number, offsetMinutes: number): string | undefined {
  if (Math.abs(ms) > MAX_DATE_MS) return undefined;
  let zone = zones.get(offsetMinutes);
  if (zone === undefined) {
    zone = FixedOffsetZone.instance(offsetMinutes);
    if (zones.size < 64) zones.set(offsetMinutes, zone);
  }
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? undefined;
}

function isoAtOffset(ms: number, offsetMinutes: number): string | undefined {
  return (offsetMinutes === 0 ? utcIsoFast(ms) : undefined) ?? isoAtOffsetByLuxon(ms, offsetMinutes);
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

const QUOTE = 34;
const SLASH = 47;
const BACKSLASH = 92;

/** Transaction dates repeat (every invoice of a day has the same midnight): those are kept whole, quoted. */
const quotedMidnights = new Map<number, string>();

/** `"iso"` for `/Date(ms[offset])/`, or undefined. */
function quotedIso(ms: number, offsetMinutes: number): string | undefined {
  const midnight = offsetMinutes === 0 && ms % DAY_MS === 0;
  if (midnight) {
    const cached = quotedMidnights.get(ms);
    if (cached !== undefined) return cached;
  }
  const iso = isoAtOffset(ms, offsetMinutes);
  if (iso === undefined) return undefined;
  const quoted = `"${iso}"`;
  if (midnight) {
    if (quotedMidnights.size >= 8192) quotedMidnights.clear();
    quotedMidnights.set(ms, quoted);
  }
  return quoted;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `yyyy-MM-dd HH:mm:ss[.fff]"` at a DateString value: the form with a space, which becomes `T`. */
const SPACED_DATE_STRING = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?"/y;

/**
 * The same conversion on the answer's JSON text, before it is parsed: one scan instead of a walk
 * over every parsed value (a 1,000-invoice page holds thousands of dates). Only whole JSON strings
 * match, `/` escaped as `\/` or not (Microsoft's serialiser escapes it), and never a quote that
 * is itself escaped inside another string.
 */
export function convertXeroDatesInJson(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  // One indexOf scan for "Date" finds both `/Date(` values and `DateString":"` keys; it is far
  // cheaper than a regular expression trying every quote of a megabyte.
  for (let at = text.indexOf('Date', 0); at !== -1; at = text.indexOf('Date', at + 4)) {
    const next = text.charCodeAt(at + 4);
    if (next === 83 /* S */) {
      // `DateString":"` closes a key (its quote is unescaped, so it is not inside a string).
      if (!text.startsWith('tring":"', at + 5)) continue;
      const value = at + 13;
      if (text.charCodeAt(value + 10) !== 32 /* space */) continue;
      SPACED_DATE_STRING.lastIndex = value;
      if (!SPACED_DATE_STRING.test(text)) continue;
      parts.push(text.slice(copied, value + 10), 'T');
      copied = value + 11;
      at = value + 11 - 4;
      continue;
    }
    if (next !== 40 /* ( */) continue;
    // Opening: `"/Date(` or `"\/Date(`, the quote itself not escaped.
    let open = at - 1;
    if (text.charCodeAt(open) !== SLASH) continue;
    if (text.charCodeAt(open - 1) === BACKSLASH) open--;
    open--;
    if (text.charCodeAt(open) !== QUOTE || text.charCodeAt(open - 1) === BACKSLASH) continue;
    let i = at + 5;
    const negative = text.charCodeAt(i) === 45; /* - */
    if (negative) i++;
    const digitsFrom = i;
    let ms = 0;
    for (let c = text.charCodeAt(i); isDigit(c); c = text.charCodeAt(++i)) ms = ms * 10 + (c - 48);
    if (i === digitsFrom || i - digitsFrom > 16 || !Number.isSafeInteger(ms)) continue;
    if (negative) ms = -ms;
    let offsetMinutes = 0;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) {
      const h1 = text.charCodeAt(i + 1);
      const h2 = text.charCodeAt(i + 2);
      const m1 = text.charCodeAt(i + 3);
      const m2 = text.charCodeAt(i + 4);
      if (!isDigit(h1) || !isDigit(h2) || !isDigit(m1) || !isDigit(m2)) continue;
      offsetMinutes = (sign === 45 ? -1 : 1) * ((h1 - 48) * 600 + (h2 - 48) * 60 + (m1 - 48) * 10 + (m2 - 48));
      i += 5;
    }
    // Closing: `)/"` or `)\/"`.
    if (text.charCodeAt(i) !== 41 /* ) */) continue;
    i++;
    if (text.charCodeAt(i) === BACKSLASH) i++;
    if (text.charCodeAt(i) !== SLASH || text.charCodeAt(i + 1) !== QUOTE) continue;
    const quoted = quotedIso(ms, offsetMinutes);
    if (quoted === undefined) continue;
    parts.push(text.slice(copied, open), quoted);
    copied = i + 2;
    at = i + 2 - 4;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
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
