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

  forget(key: string): void {
    this.hits.delete(key);
  }
}

/**
 * Per-organisation (60/min, 5000/day, 5 concurrent) and per-app (10000/min) limits. Counted always,
 * so the remaining-headers are always sent as Xero sends them; enforced only when enabled.
 */
export class RateLimiter {
  private readonly minute = new Window(MINUTE);
  private readonly day = new Window(DAY);
  private readonly appMinute = new Window(MINUTE);
  private readonly inFlight = new Map<string, number>();
  /** Per-organisation limits (a Starter-tier organisation's 1,000 a day), enforced even when the app-wide switch is off. */
  readonly tenantOverrides = new Map<string, Partial<RateLimitSettings> & { enabled?: boolean }>();

  constructor(
    private readonly clock: Clock,
    public enabled: boolean,
    public settings: RateLimitSettings = { ...XERO_RATE_LIMITS },
  ) {}

  /** An accounting API call for one organisation. */
  admitTenant(clientId: string, tenantId: string): Admission {
    const now = this.clock.now();
    const override = this.tenantOverrides.get(tenantId);
    const s = override ? { ...this.settings, ...override } : this.settings;
    const enforce = override?.enabled ?? this.enabled;
    const minuteUsed = this.minute.count(tenantId, now);
    const dayUsed = this.day.count(tenantId, now);
    const appUsed = this.appMinute.count(clientId, now);
    const running = this.inFlight.get(tenantId) ?? 0;
    const headers = (extra: number): RateLimitHeaders => ({
      'X-DayLimit-Remaining': String(Math.max(0, s.perDay - dayUsed - extra)),
      'X-MinLimit-Remaining': String(Math.max(0, s.perMinute - minuteUsed - extra)),
      'X-AppMinLimit-Remaining': String(Math.max(0, s.appPerMinute - appUsed - extra)),
    });
    if (enforce) {
      const refuse = (problem: RateLimitProblem, retryAfterSeconds: number): Admission => ({ ok: false, problem, retryAfterSeconds, headers: headers(0) });
      if (dayUsed >= s.perDay) return refuse('day', this.day.secondsUntilFree(tenantId, now));
      if (appUsed >= s.appPerMinute) return refuse('appminute', this.appMinute.secondsUntilFree(clientId, now));
      if (minuteUsed >= s.perMinute) return refuse('minute', this.minute.secondsUntilFree(tenantId, now));
      if (running >= s.concurrent) return refuse('concurrent', 1);
    }
    this.minute.add(tenantId, now);
    this.day.add(tenantId, now);
    this.appMinute.add(clientId, now);
    this.inFlight.set(tenantId, running + 1);
    let released = false;
    return {
      ok: true,
      headers: headers(1),
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(tenantId, Math.max(0, (this.inFlight.get(tenantId) ?? 1) - 1));
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

  /** A reset demo organisation starts with fresh limits. */
  forgetTenant(tenantId: string): void {
    this.minute.forget(tenantId);
    this.day.forget(tenantId);
  }
}
