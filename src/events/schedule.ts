import { MINUTE } from '../clock';
import { EventsConfigError } from './errors';

/**
 * The adaptive poll interval (docs/design/events.md "Budget"): every quiet poll doubles the wait,
 * up to the ceiling the user set; the first change brings it back to the interval. Pure: the host
 * keeps the state and may call as often as it likes (n8n's poll times, a Node-RED timer); a call
 * before the next poll is due costs nothing.
 */
export interface PollSchedule {
  intervalMs: number;
  /** Default: the interval (no back-off). */
  ceilingMs?: number;
}

export interface ScheduleState {
  /** The wait chosen after the last poll. */
  waitMs: number;
  nextPollAt: number;
}

export function checkSchedule(schedule: PollSchedule): Required<PollSchedule> {
  const { intervalMs } = schedule;
  const ceilingMs = schedule.ceilingMs ?? intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs < MINUTE) {
    throw new EventsConfigError(
      `The poll interval must be at least a minute (got ${JSON.stringify(intervalMs)} ms): Xero allows 60 calls a minute per organisation.`,
    );
  }
  if (!Number.isFinite(ceilingMs) || ceilingMs < intervalMs) {
    throw new EventsConfigError(`The poll ceiling (${JSON.stringify(ceilingMs)} ms) must be at least the poll interval (${intervalMs} ms).`);
  }
  return { intervalMs, ceilingMs };
}

/**
 * Due when the next poll time has come. A host's timer firing a little early (n8n's poll times
 * are minute-aligned) still counts: within a tenth of the interval, at most a minute.
 */
export function pollDue(state: ScheduleState | null | undefined, now: number, schedule: PollSchedule): boolean {
  if (!state || !Number.isFinite(state.nextPollAt)) return true;
  return now >= state.nextPollAt - Math.min(MINUTE, schedule.intervalMs / 10);
}

/** After a poll: back to the interval on a change, else double the wait up to the ceiling. */
export function afterPoll(state: ScheduleState | null | undefined, changed: boolean, now: number, schedule: PollSchedule): ScheduleState {
  const { intervalMs, ceilingMs } = checkSchedule(schedule);
  const waitMs = changed || !state ? intervalMs : Math.min(ceilingMs, Math.max(intervalMs, state.waitMs * 2));
  return { waitMs, nextPollAt: now + waitMs };
}
