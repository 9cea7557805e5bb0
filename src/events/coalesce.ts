/**
 * A read of the inbox that never queues up behind itself: asked while one runs, it runs once more
 * after it, however often it was asked meanwhile. Appends wake every reader at once, and a timer
 * asks again every few seconds, so without this the reads would pile up behind a slow ledger.
 */
export function coalescing(run: () => Promise<void>): () => void {
  // The hosts' runs report their own failures (once while they last); one that still rejects must not
  // stop later reads nor take the process down as an unhandled rejection.
  let running = false;
  let again = false;
  const ask = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const finished = (): void => {
      running = false;
      if (again) {
        again = false;
        ask();
      }
    };
    void run().then(finished, finished);
  };
  return ask;
}
