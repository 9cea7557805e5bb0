/**
 * xero connection watch: checks the connection on an interval (which also keeps the refresh token
 * alive: the engine rotates it once it is older than the keep-alive age) and sends a message only
 * when the state changes: connected -> problem, problem -> connected, one problem -> another. The
 * change detector is the core's, the same the n8n trigger uses. Any input message checks now.
 */
import { detectStateChange, isWatchState, type CheckResult, type StateChangeEvent, type WatchState } from '../src/check';
import { shortStatus } from '../src/host';
import { checkThrough, connectionOf, type ConnectionHandle } from './lib/connection-handle';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';
import { editorUrl } from './lib/settings';
import { showInitialStatus, statusForResult } from './lib/status';

const UNIT_MS = { seconds: 1000, minutes: 60 * 1000, hours: 60 * 60 * 1000 } as const;
type Unit = keyof typeof UNIT_MS;
/** setTimeout's limit; longer intervals are clamped. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export = function register(red: RED): void {
  function XeroConnectionWatchNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const amount = Number(config.interval);
    const unit: Unit = typeof config.intervalUnits === 'string' && config.intervalUnits in UNIT_MS ? (config.intervalUnits as Unit) : 'minutes';
    const periodMs = Math.min(MAX_TIMER_MS, Number.isFinite(amount) && amount > 0 ? amount * UNIT_MS[unit] : 5 * UNIT_MS.minutes);
    const emitEveryPoll = config.emitEveryPoll === true || config.emitEveryPoll === 'true';
    const ownTenant = typeof config.tenantId === 'string' ? config.tenantId.trim() : '';
    const tenantId = () => ownTenant || (conn?.settings.tenantId ?? '');
    const context = this.context();
    const remembered = context.get('watchState');
    let state: WatchState | null = isWatchState(remembered) ? remembered : null;
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    /** Polls run one at a time: an input while the timer's poll runs waits for it. */
    let queue: Promise<void> = Promise.resolve();

    const pollOnce = async (): Promise<void> => {
      const { result, fix } = await checkThrough(conn, tenantId());
      if (closed) return;
      const { event, state: next } = detectStateChange(state, result, { emitEveryPoll });
      state = next;
      context.set('watchState', next);
      const dot = statusForResult(result, fix);
      this.status({ ...dot, text: shortStatus(`${dot.text} (${new Date().toISOString().slice(11, 19)})`) });
      if (event) this.send({ topic: `xero/connection/${event.kind}`, payload: alertOf(red, result, event, conn) });
    };

    const poll = (): Promise<void> => {
      queue = queue.then(pollOnce).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.error(conn ? conn.scrub(message) : message);
      });
      return queue;
    };

    const schedule = (): void => {
      if (closed) return;
      timer = setTimeout(() => {
        void poll().then(schedule);
      }, periodMs);
    };

    showInitialStatus(this, conn);
    if (config.checkOnStart !== false && config.checkOnStart !== 'false') void poll().then(schedule);
    else schedule();

    this.on('input', (_msg, _send, done) => {
      void poll().then(() => done());
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      queue.then(done, done);
    });
  }

  red.nodes.registerType('xero connection watch', XeroConnectionWatchNode);
};

/** The alert a state change sends: the check result, what changed, and how a person reconnects. */
function alertOf(red: RED, result: CheckResult, event: StateChangeEvent, connection: ConnectionHandle | null): Record<string, unknown> {
  const problem = result.problem ?? null;
  const name = connection ? connection.name || connection.settings.name || null : null;
  return {
    ...result,
    event,
    connection: connection ? { id: connection.id, name } : null,
    summary: problem ? problem.summary : result.reason,
    advice: problem ? problem.advice : null,
    reconnect:
      problem && problem.action === 'reauthenticate' && connection
        ? {
            how: `Open the xero-connection node "${connection.name || connection.id}" in the Node-RED editor and click "Connect to Xero".`,
            url: `${editorUrl(red)}/#node/${connection.id}`,
          }
        : null,
  };
}
