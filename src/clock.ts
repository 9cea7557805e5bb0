/**
 * The one clock of the project. Everything that reads time or waits takes a Clock, so tests can
 * travel 60 days or wait out a lease without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * Virtual time for single-process tests: time stands still until a test moves it, and a sleep
 * moves it forward by exactly the time slept, at once.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  set(time: number | Date): void {
    this.current = typeof time === 'number' ? time : time.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
    // Yield so that other callers interleave as they would while a real timer runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Real time that can be jumped: used by the simulator and by multi-process tests, where time must
 * keep flowing for every process but a test can move it by days.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  set(time: number | Date): void {
    const target = typeof time === 'number' ? time : time.getTime();
    this.offsetMs = target - this.base.now();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }

  sleep(ms: number): Promise<void> {
    return this.base.sleep(ms);
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
