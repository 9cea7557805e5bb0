import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildConfig, ChildMessage, ParentMessage } from './storm-child';

/** A set of OS processes sharing one ledger, each running its own TokenEngine. */
export class Storm {
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(count: number, config: ChildConfig): Promise<Storm> {
    const children = Array.from({ length: count }, () =>
      fork(join(__dirname, 'storm-child.ts'), [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, STORM_CHILD_CONFIG: JSON.stringify(config) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    await Promise.all(children.map((child) => nextMessage(child, 'ready')));
    return new Storm(children);
  }

  /** Every process fires `callers` concurrent getAccessToken calls at time now + offsetMs. */
  async round(offsetMs: number, callers: number, rejected?: string): Promise<Extract<ChildMessage, { type: 'result' }>[]> {
    const results = this.children.map((child) => nextMessage(child, 'result'));
    for (const child of this.children) child.send({ type: 'round', offsetMs, callers, rejected } satisfies ParentMessage);
    return Promise.all(results) as Promise<Extract<ChildMessage, { type: 'result' }>[]>;
  }

  /** One process (by index) fires `callers` concurrent calls; the others stay idle. */
  async roundOn(index: number, offsetMs: number, callers: number): Promise<Extract<ChildMessage, { type: 'result' }>[]> {
    const child = this.children[index];
    const result = nextMessage(child, 'result');
    child.send({ type: 'round', offsetMs, callers } satisfies ParentMessage);
    return [(await result) as Extract<ChildMessage, { type: 'result' }>];
  }

  /** Sends one round to one process and resolves when it exits (used to crash it at an engine event). */
  static async crashOnce(config: ChildConfig, offsetMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const storm = await Storm.start(1, config);
    const child = storm.children[0];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.send({ type: 'round', offsetMs, callers: 1 } satisfies ParentMessage);
    return exited;
  }

  /**
   * One process, one caller: resolves when the child has stopped itself at `config.stopAt`; `resume`
   * sends SIGCONT and gives that caller's result.
   */
  static async runUntilStopped(config: ChildConfig, offsetMs: number): Promise<{ storm: Storm; resume(): Promise<Extract<ChildMessage, { type: 'result' }>> }> {
    const storm = await Storm.start(1, config);
    const child = storm.children[0];
    const stopped = nextMessage(child, 'stopped');
    const result = nextMessage(child, 'result') as Promise<Extract<ChildMessage, { type: 'result' }>>;
    result.catch(() => undefined);
    child.send({ type: 'round', offsetMs, callers: 1 } satisfies ParentMessage);
    await stopped;
    return {
      storm,
      resume: () => {
        child.kill('SIGCONT');
        return result;
      },
    };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send({ type: 'exit' } satisfies ParentMessage);
          }),
      ),
    );
  }
}

function nextMessage(child: ChildProcess, type: ChildMessage['type']): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`storm child exited (code ${code}, signal ${signal}) while waiting for "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
