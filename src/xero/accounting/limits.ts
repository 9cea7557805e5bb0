/**
 * What Xero says is left of its call budget, from the headers on every Accounting API answer
 * (developer.xero.com/documentation/guides/oauth2/limits: X-DayLimit-Remaining,
 * X-MinLimit-Remaining, X-AppMinLimit-Remaining). null when an answer does not carry one
 * (/connections has only the app figure; a proxy may strip them).
 */
export interface XeroLimits {
  /** Calls left for this organisation in the rolling day (5,000; 1,000 on the Starter tier from March 2026). */
  dayRemaining: number | null;
  /** Calls left for this organisation in the rolling minute (60). */
  minuteRemaining: number | null;
  /** Calls left for the whole app across organisations in the rolling minute (10,000). */
  appMinuteRemaining: number | null;
}

function count(headers: Record<string, string | undefined>, name: string): number | null {
  const raw = headers[name] ?? headers[name.toLowerCase()];
  if (raw === undefined) return null;
  const n = Number(raw.trim());
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** Header names in any case. */
export function readRateLimits(headers: Record<string, string | undefined>): XeroLimits {
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return {
    dayRemaining: count(lower, 'x-daylimit-remaining'),
    minuteRemaining: count(lower, 'x-minlimit-remaining'),
    appMinuteRemaining: count(lower, 'x-appminlimit-remaining'),
  };
}
