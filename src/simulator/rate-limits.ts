import { DAY, MINUTE, SECOND, type Clock } from '../clock';
import type { RateLimitSettings } from './types';
import type { RateLimitHeaders, RateLimitProblem } from './xero-errors';

export const XERO_RATE_LIMITS: RateLimitSettings = { perMinute: 60, perDay: 5000, concurrent: 5, appPerMinute: 10_000 };

export type Admission =
  { ok: true; headers: RateLimitHeaders; release: () => void } | { ok: false; problem: RateLimitProblem; retryAfterSeconds: number; headers: RateLimitHeaders };

/** Rolling windows, as Xero's limits are rolling rather than reset on the minute. */
class Window {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly spanMs: number) {}

  count(key: string, now: number): number {
    const list = this.hits.get(key);
    if (!list) return 0;
    while (list.length > 0 && (list[0] as number) <= now - this.spanMs) list.shift();
    return list.length;
  }

  add(key: string, now: number): void {
    const list = this.hits.get(key) ?? [];
    list.push(now);
    this.hits.set(key, list);
  }

  secondsUntilFree(key: string, now: number): number {
    const oldest = this.hits.get(key)?.[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.spanMs - now) / SECOND));
  }

  forgetWhere(match: (key: string) => boolean): void {
    for (const key of [...this.hits.keys()]) if (match(key)) this.hits.delete(key);
  }
}

/** The per-organisation windows are each app's own: Xero's limits apply per app and organisation. */
const appTenant = (clientId: string, tenantId: string): string => `${clientId} ${tenantId}`;

/**
 * Per-organisation (60/min, 5000/day, 5 concurrent) and per-app (10000/min) limits. Counted always,
 * so the remaining-headers are always sent as Xero sends them; enforced only when enabled, except an
 * app tier's day limit (1,000 on Starter), which is the tier's and holds whenever the app has a tier.
 */
export class RateLimiter {
  private readonly minute = new Window(MINUTE);
  private readonly day = new Window(DAY);
  private readonly appMinute = new Window(MINUTE);
  private readonly inFlight = new Map<string, number>();
  /** Per-organisation figures for every app, over the app tier's; `enabled` switches enforcement for the organisation whatever the app-wide switch says. */
  readonly tenantOverrides = new Map<string, Partial<RateLimitSettings> & { enabled?: boolean }>();

  constructor(
    private readonly clock: Clock,
    public enabled: boolean,
    public settings: RateLimitSettings = { ...XERO_RATE_LIMITS },
    /** The day limit of the app's tier, if it has one. */
    private readonly tierDayLimit: (clientId: string) => number | undefined = () => undefined,
  ) {}

  /** An accounting API call for one organisation. */
  admitTenant(clientId: string, tenantId: string): Admission {
    const now = this.clock.now();
    const key = appTenant(clientId, tenantId);
    const override = this.tenantOverrides.get(tenantId);
    const tierDay = this.tierDayLimit(clientId);
    const s = { ...this.settings, ...(tierDay === undefined ? {} : { perDay: tierDay }), ...override };
    const enforce = override?.enabled ?? this.enabled;
    const enforceDay = override?.enabled ?? (this.enabled || tierDay !== undefined);
    const minuteUsed = this.minute.count(key, now);
    const dayUsed = this.day.count(key, now);
    const appUsed = this.appMinute.count(clientId, now);
    const running = this.inFlight.get(key) ?? 0;
    const headers = (extra: number): RateLimitHeaders => ({
      'X-DayLimit-Remaining': String(Math.max(0, s.perDay - dayUsed - extra)),
      'X-MinLimit-Remaining': String(Math.max(0, s.perMinute - minuteUsed - extra)),
      'X-AppMinLimit-Remaining': String(Math.max(0, s.appPerMinute - appUsed - extra)),
    });
    const refuse = (problem: RateLimitProblem, retryAfterSeconds: number): Admission => ({ ok: false, problem, retryAfterSeconds, headers: headers(0) });
    if (enforceDay && dayUsed >= s.perDay) return refuse('day', this.day.secondsUntilFree(key, now));
    if (enforce) {
      if (appUsed >= s.appPerMinute) return refuse('appminute', this.appMinute.secondsUntilFree(clientId, now));
      if (minuteUsed >= s.perMinute) return refuse('minute', this.minute.secondsUntilFree(key, now));
      if (running >= s.concurrent) return refuse('concurrent', 1);
    }
    this.minute.add(key, now);
    this.day.add(key, now);
    this.appMinute.add(clientId, now);
    this.inFlight.set(key, running + 1);
    let released = false;
    return {
      ok: true,
      headers: headers(1),
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 1) - 1));
      },
    };
  }

  /** /connections counts only against the app, and carries only X-AppMinLimit-Remaining. */
  admitApp(clientId: string): Admission {
    const now = this.clock.now();
    const used = this.appMinute.count(clientId, now);
    const headers = (extra: number): RateLimitHeaders => ({ 'X-AppMinLimit-Remaining': String(Math.max(0, this.settings.appPerMinute - used - extra)) });
    if (this.enabled && used >= this.settings.appPerMinute) {
      return { ok: false, problem: 'appminute', retryAfterSeconds: this.appMinute.secondsUntilFree(clientId, now), headers: headers(0) };
    }
    this.appMinute.add(clientId, now);
    return { ok: true, headers: headers(1), release: () => undefined };
  }

  /** A reset demo organisation starts with fresh limits, for every app. */
  forgetTenant(tenantId: string): void {
    const ofTenant = (key: string): boolean => key.endsWith(` ${tenantId}`);
    this.minute.forgetWhere(ofTenant);
    this.day.forgetWhere(ofTenant);
  }
}
