/**
 * xero connection watch: Node-RED's side of the core's one watch step (src/host/watch.ts), the
 * same the n8n Connection Trigger runs, so both report the same events with the same texts (in
 * Node-RED's words). It checks the connection on an interval (which also keeps the refresh token
 * alive: the engine rotates it once it is older than the keep-alive age) and sends a message only
 * when something changes: the connection (connected -> problem, problem -> connected, one problem
 * -> another), each organisation (disconnected, refused with a 403, added, recovered) and each
 * organisation's call budget (one warning under the threshold, one on recovery). A whole connection
 * failing is one message, not one per organisation. Any input message checks now. What it saw
 * last lives beside the chain in the ledger (lib/watch-memory.ts): a deploy, a restart or a second
 * watch of the same connection never sends a change twice.
 */
import {
  failedObservation,
  organisationList,
  watchPoll,
  watchStep,
  type BudgetWatchEvent,
  type CapWatchEvent,
  type ConnectionWatchEvent,
  type OrganisationWatchEvent,
  type WatchEvent,
  type WatchSettings,
  type WatchStepResult,
  type WatchTexts,
} from '../src/host';
import { systemClock } from '../src/clock';
import { connectionOf, type ConnectionHandle } from './lib/connection-handle';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';
import { noConnectionError, runtimeOptions } from './lib/settings';
import { fitText, followConnection, NODE_RED_WORDS, STATUS_TEXT_LENGTH, statusForResult } from './lib/status';
import { nodeWatchMemory, watchMemoryOf } from './lib/watch-memory';

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
    const ownTenant = typeof config.tenantId === 'string' ? config.tenantId.trim() : '';
    const warnPercent = Number(config.budgetWarnPercent);
    const settings: WatchSettings = {
      tenantId: ownTenant || (conn?.settings.tenantId ?? ''),
      organisations: true,
      only: organisationList(config.organisations),
      probe: config.probeOrganisations !== false && config.probeOrganisations !== 'false',
      budget: {
        ...runtimeOptions(red).budget,
        ...(Number.isFinite(warnPercent) && warnPercent > 0 && warnPercent < 100 && config.budgetWarnPercent !== '' ? { warnFraction: warnPercent / 100 } : {}),
      },
      emitEveryPoll: config.emitEveryPoll === true || config.emitEveryPoll === 'true',
    };
    const texts: WatchTexts = { words: NODE_RED_WORDS, connectionName: conn?.label ?? null, link: null, secrets: conn?.secrets ?? [] };
    const memory = conn ? watchMemoryOf(this, conn, settings, runtimeOptions(red).clock ?? systemClock, (m) => this.warn(m)) : nodeWatchMemory();
    const dots = followConnection(this, conn);
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    /** Polls run one at a time: an input while the timer's poll runs waits for it. */
    let queue: Promise<void> = Promise.resolve();

    const pollOnce = async (): Promise<void> => {
      const before = await memory.load();
      const withLink = { ...texts, link: conn ? await conn.editorLink() : null };
      const polled: WatchStepResult & { failure?: unknown } = conn
        ? await watchPoll(conn.session, before, settings, withLink)
        : watchStep(before, failedObservation(noConnectionError()), settings, withLink);
      if (closed) return;
      const fix = conn ? conn.fixFor(polled.result, settings.tenantId, polled.failure) : (noConnectionError().fix ?? null);
      const dot = statusForResult(polled.result, fix);
      const at = ` (${new Date().toISOString().slice(11, 19)})`;
      dots.show({ ...dot, text: `${fitText(dot.text ?? '', STATUS_TEXT_LENGTH - at.length)}${at}` });
      // Each change claimed beside the chain first: another watch of the connection may have sent it already.
      await memory.report(polled.events, (events) => {
        for (const event of events) this.send(messageOf(event, polled.result, conn));
      });
      await memory.save(polled.memory);
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

    if (config.checkOnStart !== false && config.checkOnStart !== 'false') void poll().then(schedule);
    else schedule();

    this.on('input', (_msg, _send, done) => {
      void poll().then(() => done());
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      dots.close();
      if (timer) clearTimeout(timer);
      queue.then(done, done);
    });
  }

  red.nodes.registerType('xero connection watch', XeroConnectionWatchNode);
};

/** One event as a message: `xero/connection/<kind>` or `xero/organisation/<kind>`, the texts from the core's alert table. */
function messageOf(event: WatchEvent, result: WatchStepResult['result'], conn: ConnectionHandle | null): { topic: string; payload: Record<string, unknown> } {
  if (event.scope === 'connection') return { topic: `xero/connection/${event.kind}`, payload: connectionPayload(event, result, conn) };
  if (event.scope === 'app') return { topic: `xero/app/${event.kind}`, payload: capPayload(event, conn) };
  return { topic: `xero/organisation/${event.kind}`, payload: organisationPayload(event, conn) };
}

/** The check result, what changed, the organisations it is about, and how a person reconnects. */
function connectionPayload(event: ConnectionWatchEvent, result: WatchStepResult['result'], conn: ConnectionHandle | null): Record<string, unknown> {
  const { problem: _classifierWords, ...checked } = result;
  return {
    ...checked,
    ...(event.problem ? { problem: event.problem } : {}),
    event: event.change,
    connection: conn ? { id: conn.id, name: conn.label } : null,
    // Scopes a reconnect lost: the connection answers, so the check's reason ("Connected...") would hide what is wrong.
    summary: event.problem?.summary ?? (event.kind === 'scopes_lost' ? event.alert.summary : result.reason),
    ...texts(event),
    reconnect: reconnectOf(event),
    organisations: event.organisations,
  };
}

/** One organisation's change, or its call budget crossing the threshold: which, what happened, what to do. */
function organisationPayload(event: OrganisationWatchEvent | BudgetWatchEvent, conn: ConnectionHandle | null): Record<string, unknown> {
  return {
    event: event.change,
    organisation: event.organisation,
    connection: conn ? { id: conn.id, name: conn.label } : null,
    summary: event.alert.summary,
    ...texts(event),
    ...(event.scope === 'organisation' ? { reconnect: reconnectOf(event) } : {}),
  };
}

/** The Xero app one connection short of its tier's cap, or at it: the app by its fingerprint, never its client id. */
function capPayload(event: CapWatchEvent, conn: ConnectionHandle | null): Record<string, unknown> {
  return {
    event: event.change,
    app: event.change.app,
    connection: conn ? { id: conn.id, name: conn.label } : null,
    summary: event.alert.summary,
    ...texts(event),
  };
}

function texts(event: WatchEvent): { advice: string | null; title: string; message: string } {
  return { advice: event.alert.advice, title: event.alert.title, message: event.alert.message };
}

/** When only a new "Connect to Xero" fixes it: the step, and the link to the xero-connection node in the editor. */
function reconnectOf(event: WatchEvent): { how: string; url: string } | null {
  return event.reconnect && event.link ? { how: `${NODE_RED_WORDS.reconnect}.`, url: event.link } : null;
}
