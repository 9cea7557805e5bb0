import { detectStateChange, isWatchState, type WatchState } from '../../../src/check';
import type { Classification } from '../../../src/classify';

const problem = (category: string) => ({ category }) as unknown as Classification;
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();

describe('detectStateChange', () => {
  it('stays quiet on a healthy first poll and reports a broken one', () => {
    expect(detectStateChange(null, { status: 'connected', checkedAt: at(0) }).event).toBeNull();
    const first = detectStateChange(undefined, { status: 'disconnected', problem: problem('refresh_token_invalid'), checkedAt: at(0) });
    expect(first.event).toEqual({ kind: 'problem', from: null, to: 'disconnected', previousSince: null });
    expect(first.state).toEqual({ status: 'disconnected', category: 'refresh_token_invalid', since: at(0) });
  });

  it('reports connected -> problem once, then recovery once', () => {
    let state: WatchState = { status: 'connected', category: null, since: at(0) };
    const events: string[] = [];
    const sequence = [
      { status: 'connected' as const },
      { status: 'disconnected' as const, problem: problem('access_revoked') },
      { status: 'disconnected' as const, problem: problem('access_revoked') },
      { status: 'disconnected' as const, problem: problem('refresh_token_invalid') },
      { status: 'connected' as const },
      { status: 'connected' as const },
    ];
    sequence.forEach((s, i) => {
      const out = detectStateChange(state, { ...s, checkedAt: at(i + 1) });
      if (out.event) events.push(`${out.event.kind}:${out.event.from}->${out.event.to}`);
      state = out.state;
    });
    expect(events).toEqual(['problem:connected->disconnected', 'recovered:disconnected->connected']);
  });

  it('keeps "since" while the status holds and reports degraded <-> disconnected as changed', () => {
    const s0: WatchState = { status: 'degraded', category: 'rate_limit_minute', since: at(0) };
    const same = detectStateChange(s0, { status: 'degraded', problem: problem('server_error'), checkedAt: at(5) });
    expect(same.event).toBeNull();
    expect(same.state.since).toBe(at(0));
    const worse = detectStateChange(s0, { status: 'disconnected', problem: problem('refresh_token_invalid'), checkedAt: at(6) });
    expect(worse.event?.kind).toBe('changed');
    expect(worse.event?.previousSince).toBe(at(0));
  });

  it('reports every poll when asked', () => {
    expect(detectStateChange(null, { status: 'connected', checkedAt: at(0) }, { emitEveryPoll: true }).event?.kind).toBe('first');
    const s: WatchState = { status: 'connected', category: null, since: at(0) };
    expect(detectStateChange(s, { status: 'connected', checkedAt: at(1) }, { emitEveryPoll: true }).event?.kind).toBe('poll');
  });

  it('treats malformed remembered state as no state', () => {
    expect(isWatchState({ status: 'weird' })).toBe(false);
    expect(detectStateChange({ status: 'nope' } as unknown as WatchState, { status: 'connected', checkedAt: at(0) }).event).toBeNull();
  });
});
