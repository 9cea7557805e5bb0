import { coalescing } from '../../../src/events';

/** A run the test finishes by hand, counting how many were started. */
function gatedRun(): { run: () => Promise<void>; started: () => number; finish: () => Promise<void> } {
  const gates: Array<() => void> = [];
  let started = 0;
  return {
    run: () =>
      new Promise<void>((resolve) => {
        started += 1;
        gates.push(resolve);
      }),
    started: () => started,
    async finish() {
      gates.shift()?.();
      // Let the finally and the next run start.
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
    },
  };
}

describe('coalescing', () => {
  it('asked three times while one run is under way: one more run after it, not three', async () => {
    const gated = gatedRun();
    const read = coalescing(gated.run);
    read();
    read();
    read();
    read();
    expect(gated.started()).toBe(1);
    await gated.finish();
    expect(gated.started()).toBe(2);
    await gated.finish();
    expect(gated.started()).toBe(2);
  });

  it('asked again after a run finished: runs again; a failed run does not stop the next', async () => {
    let calls = 0;
    const read = coalescing(async () => {
      calls += 1;
      if (calls === 1) throw new Error('ledger down');
    });
    read();
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    read();
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    expect(calls).toBe(2);
  });
});
