import { randomBytes } from 'node:crypto';
import { DAY, HOUR, MINUTE } from '../../clock';
import { WebhookKey } from '../../events/webhook';
import type { RecordChange } from '../accounting/store';
import { BadInput } from '../bad-input';
import type { Recorder } from '../observation';
import type { SimulatorClock } from '../types';
import { deliveryBytes, eventOf, type WebhookEvent } from './payload';
import { postSigned, type PostOutcome } from './post';

/**
 * Xero's webhooks, played for rehearsals (docs/simulator.md "Webhooks"): one delivery URL and key per
 * app; after every change of a contact, invoice or credit note of an organisation the app is
 * connected to, a signed delivery of the events in order, sequence-numbered per app. Deliveries
 * are queued and sent after the call that caused them has been answered, one at a time per app. A
 * failed delivery is tried again, less and less often, on the simulator's clock; one still failing
 * 24 hours after its first failure switches the webhook off and what waited is dropped, as Xero
 * does ("Configuring your server"). A webhook sends nothing until Xero's "intent to receive" check
 * has passed on its URL: a correctly and a wrongly signed empty delivery, answered 200 and 401.
 */
export const WEBHOOK_CATEGORIES = ['CONTACT', 'INVOICE', 'CREDITNOTE'] as const;
export type WebhookCategory = (typeof WEBHOOK_CATEGORIES)[number];

/** After the 1st, 2nd, ... failure of a delivery; the last repeats until 24 hours from the first failure. */
export const RETRY_DELAYS_MS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR];
export const SWITCH_OFF_AFTER_MS = DAY;
/** Xero answers must come within about 5 seconds. */
export const WEBHOOK_TIMEOUT_MS = 5000;
/** Xero's batch size is not documented; a delivery of this many events is a few tens of KB. */
export const MAX_EVENTS_PER_DELIVERY = 100;
/** Events waiting for a receiver that does not answer, per app; beyond it the newest are dropped (and counted). */
export const MAX_QUEUED_EVENTS = 100_000;

export type WebhookStatus = 'unverified' | 'on' | 'off';

export interface IntentToReceive {
  passed: boolean;
  at: string;
  checks: Array<{ signature: 'correct' | 'wrong'; expected: 200 | 401; status: number | null; error?: string }>;
}

/** A webhook as the admin API shows it: never its key. */
export interface WebhookView {
  clientId: string;
  url: string;
  categories: WebhookCategory[];
  status: WebhookStatus;
  held: boolean;
  intentToReceive: IntentToReceive | null;
  lastEventSequence: number;
  /** Events waiting to be delivered (the delivery being retried included). */
  queuedEvents: number;
  deliveries: number;
  deliveredEvents: number;
  failedAttempts: number;
  droppedEvents: number;
  failingSince: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  switchedOffAt: string | null;
}

export interface WebhookSettings {
  clientId: string;
  url: string;
  /** The app's webhook key; generated (as Xero's portal does) when absent. */
  key?: string;
  categories?: readonly string[];
}

/** What `deliverDue` did. */
export interface DeliveryRun {
  attempts: number;
  delivered: number;
  failed: number;
}

interface Delivery {
  events: WebhookEvent[];
  first: number;
  last: number;
  body: Buffer;
  signature: string;
}

interface Hook {
  clientId: string;
  url: URL;
  key: WebhookKey;
  categories: Set<string>;
  status: WebhookStatus;
  held: boolean;
  sequence: number;
  queue: Array<{ event: WebhookEvent; seq: number }>;
  outgoing: Delivery | null;
  inFlight: Promise<void> | null;
  failures: number;
  failingSince: number | null;
  nextAttemptAt: number | null;
  intentToReceive: IntentToReceive | null;
  counts: { deliveries: number; events: number; failedAttempts: number; dropped: number };
  lastError: string | null;
  switchedOffAt: number | null;
  removed: boolean;
}

export interface WebhooksOptions {
  clock: SimulatorClock;
  recorder: Recorder;
  /** Whether the app exists (its client id). */
  hasClient(clientId: string): boolean;
  /** Whether the app is connected to the organisation now: Xero sends an app the events of its organisations only. */
  isConnected(clientId: string, tenantId: string): boolean;
  timeoutMs?: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class Webhooks {
  private readonly hooks = new Map<string, Hook>();
  private ticker: NodeJS.Timeout | null = null;
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: WebhooksOptions) {}

  /** Sets (or replaces) an app's delivery URL and key, then runs the intent-to-receive check on it. */
  async configure(settings: WebhookSettings): Promise<{ webhook: WebhookView; key?: string }> {
    if (!this.options.hasClient(settings.clientId)) throw new BadInput('clientId', `no client ${settings.clientId}`);
    const url = webhookUrl(settings.url);
    const categories = webhookCategories(settings.categories);
    const generated = settings.key === undefined ? randomBytes(64).toString('base64') : undefined;
    const keyText = settings.key ?? (generated as string);
    if (keyText.trim() === '' || keyText.length > 1024) throw new BadInput('key', 'must be the webhook key, 1 to 1024 characters');
    const previous = this.hooks.get(settings.clientId);
    if (previous) this.retire(previous, 'the webhook was set again');
    const hook: Hook = {
      clientId: settings.clientId,
      url,
      key: new WebhookKey(keyText),
      categories: new Set(categories),
      status: 'unverified',
      held: false,
      sequence: previous?.sequence ?? 0,
      queue: [],
      outgoing: null,
      inFlight: null,
      failures: 0,
      failingSince: null,
      nextAttemptAt: null,
      intentToReceive: null,
      counts: { deliveries: 0, events: 0, failedAttempts: 0, dropped: 0 },
      lastError: null,
      switchedOffAt: null,
      removed: false,
    };
    this.hooks.set(hook.clientId, hook);
    this.options.recorder.record({ type: 'action', action: 'configureWebhook', detail: { clientId: hook.clientId, url: url.toString(), categories } });
    await this.probe(hook);
    return { webhook: this.viewOf(hook), ...(generated ? { key: generated } : {}) };
  }

  /** Xero's "intent to receive": passing turns the webhook on (also after it was switched off); failing leaves it sending nothing. */
  async intentToReceive(clientId: string): Promise<WebhookView> {
    const hook = this.hook(clientId);
    await this.probe(hook);
    return this.viewOf(hook);
  }

  remove(clientId: string): void {
    const hook = this.hook(clientId);
    this.retire(hook, 'the webhook was removed');
    this.hooks.delete(clientId);
  }

  /** As Xero does after a day of failures: nothing is sent until the intent-to-receive check passes again; what waited is dropped. */
  switchOff(clientId: string): WebhookView {
    const hook = this.hook(clientId);
    this.turnOff(hook, 'switched off through the admin API');
    return this.viewOf(hook);
  }

  /** While held, deliveries wait (nothing is tried, nothing fails); released, what is due goes out. */
  hold(clientId: string, held: boolean): WebhookView {
    const hook = this.hook(clientId);
    hook.held = held;
    this.options.recorder.record({ type: 'action', action: 'holdWebhook', detail: { clientId, held } });
    if (!held) this.schedule();
    return this.viewOf(hook);
  }

  list(): WebhookView[] {
    return [...this.hooks.values()].map((h) => this.viewOf(h));
  }

  view(clientId: string): WebhookView {
    return this.viewOf(this.hook(clientId));
  }

  /** Called after a call or seed changed an organisation's records: queues an event per change for each app that hears it. */
  publish(tenantId: string, changes: readonly RecordChange[]): void {
    for (const hook of this.hooks.values()) {
      if (hook.status !== 'on' || !this.options.isConnected(hook.clientId, tenantId)) continue;
      for (const change of changes) {
        if (!hook.categories.has(change.category)) continue;
        if (hook.queue.length >= MAX_QUEUED_EVENTS) {
          hook.counts.dropped++;
          continue;
        }
        hook.queue.push({ event: eventOf(tenantId, change), seq: ++hook.sequence });
      }
    }
    this.schedule();
  }

  /** Sends every delivery that is due now, retries included, and resolves once they have all been answered. */
  async deliverDue(): Promise<DeliveryRun> {
    const before = this.totals();
    for (;;) {
      for (const hook of this.hooks.values()) this.pump(hook);
      const flying = [...this.hooks.values()].flatMap((h) => (h.inFlight ? [h.inFlight] : []));
      if (flying.length === 0) break;
      await Promise.all(flying);
    }
    const after = this.totals();
    return { attempts: after.attempts - before.attempts, delivered: after.delivered - before.delivered, failed: after.failed - before.failed };
  }

  close(): void {
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  private hook(clientId: string): Hook {
    const hook = this.hooks.get(clientId);
    if (!hook) throw new BadInput('clientId', `no webhook is set for client ${clientId} (POST /__admin/webhooks sets one)`);
    return hook;
  }

  private totals(): { attempts: number; delivered: number; failed: number } {
    let delivered = 0;
    let failed = 0;
    for (const h of this.hooks.values()) {
      delivered += h.counts.deliveries;
      failed += h.counts.failedAttempts;
    }
    return { attempts: delivered + failed, delivered, failed };
  }

  /** Deliveries start after the current call has been answered, never inside it. */
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const hook of this.hooks.values()) this.pump(hook);
    });
  }

  private pump(hook: Hook): void {
    if (this.closed || hook.removed || hook.inFlight || hook.held || hook.status !== 'on') return;
    if (!hook.outgoing) {
      if (hook.queue.length === 0) return;
      const batch = hook.queue.splice(0, MAX_EVENTS_PER_DELIVERY);
      const events = batch.map((b) => b.event);
      const first = batch[0]?.seq ?? 0;
      const last = batch[batch.length - 1]?.seq ?? 0;
      // Signed once: a retry sends the same bytes, as a retry of the same delivery should.
      const body = deliveryBytes(events, first, last);
      hook.outgoing = { events, first, last, body, signature: hook.key.sign(body) };
    }
    if (hook.nextAttemptAt !== null && this.options.clock.now() < hook.nextAttemptAt) {
      this.tick();
      return;
    }
    hook.inFlight = this.attempt(hook, hook.outgoing).finally(() => {
      hook.inFlight = null;
      this.pump(hook);
    });
  }

  private async attempt(hook: Hook, delivery: Delivery): Promise<void> {
    const outcome = await postSigned(hook.url, delivery.body, delivery.signature, this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    if (hook.removed || hook.outgoing !== delivery) return;
    const ok = 'status' in outcome && outcome.status === 200;
    this.options.recorder.record({
      type: 'webhook',
      clientId: hook.clientId,
      kind: 'delivery',
      firstEventSequence: delivery.first,
      lastEventSequence: delivery.last,
      events: delivery.events.length,
      attempt: hook.failures + 1,
      ...answerOf(outcome),
    });
    if (ok) {
      hook.counts.deliveries++;
      hook.counts.events += delivery.events.length;
      hook.outgoing = null;
      hook.failures = 0;
      hook.failingSince = null;
      hook.nextAttemptAt = null;
      return;
    }
    const now = this.options.clock.now();
    hook.counts.failedAttempts++;
    hook.failures++;
    hook.failingSince ??= now;
    hook.lastError = 'status' in outcome ? `answered ${outcome.status}, not 200` : outcome.error;
    if (now - hook.failingSince >= SWITCH_OFF_AFTER_MS) {
      this.turnOff(hook, `deliveries failed for ${SWITCH_OFF_AFTER_MS / HOUR} hours`);
      return;
    }
    const delay = RETRY_DELAYS_MS[Math.min(hook.failures, RETRY_DELAYS_MS.length) - 1] as number;
    hook.nextAttemptAt = Math.min(now + delay, hook.failingSince + SWITCH_OFF_AFTER_MS);
    this.tick();
  }

  /** The intent-to-receive check: a correctly signed and a wrongly signed empty delivery, judged on 200 and 401. */
  private async probe(hook: Hook): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const checks: IntentToReceive['checks'] = [];
    for (const signature of ['correct', 'wrong'] as const) {
      const body = deliveryBytes([], 0, 0);
      const signer = signature === 'correct' ? hook.key : new WebhookKey(randomBytes(64).toString('base64'));
      const outcome = await postSigned(hook.url, body, signer.sign(body), timeoutMs);
      const expected = signature === 'correct' ? 200 : 401;
      checks.push({ signature, expected, ...('status' in outcome ? { status: outcome.status } : { status: null, error: outcome.error }) });
      this.options.recorder.record({ type: 'webhook', clientId: hook.clientId, kind: 'intent-to-receive', signature, ...answerOf(outcome) });
    }
    if (hook.removed) return;
    const passed = checks.every((c) => c.status === c.expected);
    hook.intentToReceive = { passed, at: new Date(this.options.clock.now()).toISOString(), checks };
    if (passed) {
      hook.status = 'on';
      hook.switchedOffAt = null;
      hook.lastError = null;
      this.schedule();
    } else if (hook.status === 'on') hook.status = 'unverified';
  }

  private turnOff(hook: Hook, why: string): void {
    hook.counts.dropped += hook.queue.length + (hook.outgoing?.events.length ?? 0);
    hook.queue = [];
    hook.outgoing = null;
    hook.status = 'off';
    hook.failures = 0;
    hook.failingSince = null;
    hook.nextAttemptAt = null;
    hook.switchedOffAt = this.options.clock.now();
    this.options.recorder.record({ type: 'action', action: 'webhookSwitchedOff', detail: { clientId: hook.clientId, why } });
  }

  private retire(hook: Hook, why: string): void {
    this.turnOff(hook, why);
    hook.removed = true;
  }

  /** A real-time tick while some delivery waits for its retry time, so retries go out as the simulator's clock reaches them. */
  private tick(): void {
    if (this.ticker || this.closed) return;
    this.ticker = setInterval(() => {
      const waiting = [...this.hooks.values()].filter((h) => h.nextAttemptAt !== null && h.status === 'on');
      if (waiting.length === 0 && this.ticker) {
        clearInterval(this.ticker);
        this.ticker = null;
      }
      for (const hook of waiting) this.pump(hook);
    }, 1000);
    this.ticker.unref();
  }

  private viewOf(h: Hook): WebhookView {
    return {
      clientId: h.clientId,
      url: h.url.toString(),
      categories: WEBHOOK_CATEGORIES.filter((c) => h.categories.has(c)),
      status: h.status,
      held: h.held,
      intentToReceive: h.intentToReceive,
      lastEventSequence: h.sequence,
      queuedEvents: h.queue.length + (h.outgoing?.events.length ?? 0),
      deliveries: h.counts.deliveries,
      deliveredEvents: h.counts.events,
      failedAttempts: h.counts.failedAttempts,
      droppedEvents: h.counts.dropped,
      failingSince: iso(h.failingSince),
      nextAttemptAt: iso(h.nextAttemptAt),
      lastError: h.lastError,
      switchedOffAt: iso(h.switchedOffAt),
    };
  }
}

function answerOf(outcome: PostOutcome): { status: number | 'error'; error?: string } {
  return 'status' in outcome ? { status: outcome.status } : { status: 'error', error: outcome.error };
}

function webhookUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInput('url', `"${value.slice(0, 200)}" is not a URL (give the receiver's full http:// or https:// address)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadInput('url', 'must be an http:// or https:// address');
  if (url.username || url.password) throw new BadInput('url', 'must not carry a user name or password');
  return url;
}

function webhookCategories(given: readonly string[] | undefined): WebhookCategory[] {
  if (given === undefined) return [...WEBHOOK_CATEGORIES];
  const wanted = given.map((c) => c.toUpperCase());
  const unknown = wanted.find((c) => !(WEBHOOK_CATEGORIES as readonly string[]).includes(c));
  if (unknown !== undefined || wanted.length === 0)
    throw new BadInput('categories', `must name some of ${WEBHOOK_CATEGORIES.join(', ')}${unknown ? ` (not ${unknown})` : ''}`);
  return WEBHOOK_CATEGORIES.filter((c) => wanted.includes(c));
}
