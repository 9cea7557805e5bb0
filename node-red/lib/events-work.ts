/**
 * How a `xero events` node runs its work: one piece at a time (a read of the inbox, a sweep, a poll),
 * timers stopped at close (which waits for the piece under way), a failure said once while it
 * lasts (a ledger that is down would otherwise be reported every few seconds), and every text the
 * node writes cut free of its secrets (the webhook key, the connection's).
 */
import { shortStatus } from '../../src/host';
import { redactSecrets } from '../../src/secrets';
import type { RuntimeNode } from './red';

export class NodeWork {
  private readonly stops: Array<() => void> = [];
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private lastProblem = '';

  constructor(
    readonly node: RuntimeNode,
    private readonly secrets: readonly string[],
  ) {}

  /** Text with the node's secrets cut out. */
  scrub(text: string): string {
    return redactSecrets(
      text,
      this.secrets.filter((s) => s.length >= 4),
    );
  }

  /** An error's message, scrubbed. */
  say(error: unknown): string {
    return this.scrub(error instanceof Error ? error.message : String(error));
  }

  warn(text: string): void {
    this.node.warn(this.scrub(text));
  }

  /** A red status and, the first time it is seen, the error in the log. */
  broken(error: unknown): void {
    const text = this.say(error);
    this.node.status({ fill: 'red', shape: 'dot', text: shortStatus(text) });
    if (text !== this.lastProblem) this.node.error(text);
    this.lastProblem = text;
  }

  /** A green status: whatever failed before works again. */
  working(shape: 'dot' | 'ring', text: string): void {
    this.lastProblem = '';
    this.node.status({ fill: 'green', shape, text: shortStatus(text) });
  }

  /** Runs `work` after whatever runs now; a failure is reported, never thrown. */
  serial(work: () => Promise<void>): Promise<void> {
    this.running = this.running
      .then(async () => {
        if (!this.closed) await work();
      })
      .catch((error: unknown) => this.broken(error));
    return this.running;
  }

  every(ms: number, work: () => void): void {
    const timer = setInterval(work, ms);
    this.onClose(() => clearInterval(timer));
  }

  onClose(stop: () => void): void {
    this.stops.push(stop);
  }

  /** Stops the timers and routes; resolves once the work under way is done. */
  close(): Promise<void> {
    this.closed = true;
    for (const stop of this.stops) stop();
    return this.running;
  }
}

/** A value built on first use, and built again on the next use after its building failed (the ledger or Xero down at deploy). */
export function lazily<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | null = null;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = null;
      throw error;
    });
    return made;
  };
}
