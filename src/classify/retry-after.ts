/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3). */

const MAX_SECONDS = 7 * 24 * 3600;

export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(?:\.\d+)?$/.test(v)) return Math.min(MAX_SECONDS, Math.ceil(Number(v)));
  // Only things shaped like a date: Date.parse accepts odd strings such as "1" or "minute 5".
  if (!/\d{4}/.test(v) || !/[a-z]{3}/i.test(v) || v.length > 64) return null;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return null;
  return Math.min(MAX_SECONDS, Math.max(0, Math.ceil((at - nowMs) / 1000)));
}
