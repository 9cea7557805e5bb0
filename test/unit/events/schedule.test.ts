import { MINUTE, SECOND } from '../../../src/clock';
import { afterPoll, pollDue } from '../../../src/events';

const schedule = { intervalMs: 15 * MINUTE, ceilingMs: 2 * 60 * MINUTE };

describe('the adaptive poll schedule', () => {
  test('due at the next poll time; a timer a little early (within a tenth of the interval, at most a minute) still counts', () => {
    const state = afterPoll(null, false, 0, schedule);
    expect(state).toEqual({ waitMs: 15 * MINUTE, nextPollAt: 15 * MINUTE });
    expect(pollDue(null, 0, schedule)).toBe(true);
    expect(pollDue(state, 14 * MINUTE - SECOND, schedule)).toBe(false);
    expect(pollDue(state, 14 * MINUTE, schedule)).toBe(true);
    // A one-minute interval: a tenth of it, 6 s, is the margin.
    expect(pollDue({ waitMs: 60_000, nextPollAt: 60_000 }, 53_999, { intervalMs: 60_000 })).toBe(false);
    expect(pollDue({ waitMs: 60_000, nextPollAt: 60_000 }, 54_000, { intervalMs: 60_000 })).toBe(true);
  });

  test('doubles while quiet up to the ceiling, back to the interval on a change', () => {
    let state = afterPoll(null, false, 0, schedule);
    const waits = [state.waitMs];
    for (let i = 0; i < 5; i++) {
      state = afterPoll(state, false, state.nextPollAt, schedule);
      waits.push(state.waitMs);
    }
    expect(waits.map((w) => w / MINUTE)).toEqual([15, 30, 60, 120, 120, 120]);
    state = afterPoll(state, true, state.nextPollAt, schedule);
    expect(state.waitMs).toBe(15 * MINUTE);
    // No ceiling set: no back-off.
    expect(afterPoll({ waitMs: 15 * MINUTE, nextPollAt: 0 }, false, 0, { intervalMs: 15 * MINUTE }).waitMs).toBe(15 * MINUTE);
  });

  test('refuses an interval under a minute and a ceiling under the interval', () => {
    expect(() => afterPoll(null, false, 0, { intervalMs: 30 * SECOND })).toThrow(/at least a minute/);
    expect(() => afterPoll(null, false, 0, { intervalMs: 15 * MINUTE, ceilingMs: MINUTE })).toThrow(/ceiling/);
  });
});
