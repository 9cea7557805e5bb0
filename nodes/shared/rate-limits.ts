import type { RateLimitReading } from '../../src/check';

/**
 * Xero's remaining-call headers (X-DayLimit-Remaining, X-MinLimit-Remaining, X-AppMinLimit-Remaining)
 * of one answer. A local adapter until src/xero's readRateLimits is on this branch: the lead swaps
 * this body for `return readRateLimits(headers)`; the shape is the same.
 */
export function readRateLimits(headers: Record<string, string | undefined>): RateLimitReading {
  const count = (name: string): number | undefined => {
    const raw = headers[name] ?? headers[name.toLowerCase()];
    if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
    return Number(raw);
  };
  const reading: RateLimitReading = {};
  const day = count('x-daylimit-remaining');
  const minute = count('x-minlimit-remaining');
  const appMinute = count('x-appminlimit-remaining');
  if (day !== undefined) reading.dayRemaining = day;
  if (minute !== undefined) reading.minuteRemaining = minute;
  if (appMinute !== undefined) reading.appMinuteRemaining = appMinute;
  return reading;
}
