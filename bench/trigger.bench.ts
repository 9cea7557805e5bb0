/**
 * `npm run bench -- trigger` (issue 26): what watching five resources of one organisation costs in
 * Xero calls over a simulated day, and how long a change takes to reach the workflow, for the Xero
 * Guard trigger (polling; webhook) next to what n8n offers without it: a Schedule Trigger every 15
 * minutes and n8n's own Xero node's Get Many (Return All).
 *
 * The simulated day: the simulator as an HTTP server (its clock moved by the bench: a day takes
 * seconds), the real Accounting client, the events core, a receiving endpoint for the simulator's
 * signed deliveries. n8n's own node is modelled there by replaying its request pattern (n8n-nodes-base
 * nodes/Xero/GenericFunctions.ts xeroApiRequestAllItems: `page=1, 2, ...` with no page size and no
 * If-Modified-Since, until a page comes back empty): what a Return All that worked would cost.
 *
 * Then one real n8n 2.41.1 with the packed package (bench/trigger-n8n.ts): n8n's own Xero node runs
 * one tick of that job for real (on 2.41.1 its Return All loses the tenant header after page 1 and
 * gets a 403, so a tick of Get Many limited to 100, one call per resource, is measured too: what a
 * tick that works costs, and what it does not see), and the Xero Guard Trigger in webhook mode starts
 * an execution per change: the delay is from the change's answer to the execution's startedAt as n8n
 * records it. Polling on real n8n would take real minutes, so the polling delay stays the core's, on
 * the simulated clock. XG_BENCH_SKIP_N8N=1 leaves the real n8n part out (about 20 s of a 30 s run on
 * 2 cores, most of it n8n's boot).
 *
 * Calls are counted from the simulator's own request log. Delays in wall time are given as a ratio to
 * one plain HTTP round trip to the same simulator measured in the same run. No thresholds.
 */
import { hostname, cpus } from 'node:os';
import { DAY, HOUR, MINUTE } from '../src/clock';
import { ChangePoller, pollAndEmit, runCatchUp, type ChangeItem, type PollState, type WatchName } from '../src/events';
import { MemoryLedger } from '../src/ledger';
import { DEMO_TENANT_ID } from '../src/simulator';
import { DEFAULT_MAX_JSON_BYTES, fetchTransport } from '../src/xero';
import { XERO_TIERS } from '../src/xero-tiers';
import { emit, percentiles, ratio, sample } from './measure';
import { measureOnN8n, type LoggedCall, type N8nSection } from './trigger-n8n';
import { Bookkeeper, DAY_START, expectedPollDelayMs, startWorld, WebhookReceiver, type World } from './trigger-world';

/** Enough records that paging shows: 800 invoices (sales and bills) and 300 contacts. */
const BOOK = { contacts: 300, invoices: 800 };
const TICK_MS = 15 * MINUTE;
const SCHEDULE = { intervalMs: TICK_MS, ceilingMs: 60 * MINUTE };
/** Busy day: a change every 5 minutes, in turn a sales invoice, a bill, a payment, a contact, a credit note. */
const BUSY_EVERY_MS = 5 * MINUTE;
const FIVE: WatchName[] = ['sales_invoices', 'bills', 'payments', 'contacts', 'credit_notes'];
/** What n8n's own Xero node can list (resources Contact and Invoice only). */
const N8N_CAN: WatchName[] = ['sales_invoices', 'bills', 'contacts'];
const N8N_CANNOT: WatchName[] = ['payments', 'credit_notes'];
const STARTER_DAY = XERO_TIERS.starter.dayLimit;
/** A webhook delivery not emitted within this (real) time is counted as missing, not waited for. */
const EMIT_TIMEOUT_MS = 15_000;
const TICKS_PER_DAY = DAY / TICK_MS;
/** Changes whose delay to a started n8n execution is measured on real n8n (one at a time, each waited for). */
const N8N_CHANGES = 20;
const SKIP_N8N = process.env.XG_BENCH_SKIP_N8N === '1';

interface PollHost {
  poller: ChangePoller;
  state: PollState;
  pollTimes: number[];
  /** Simulated ms from each change's UpdatedDateUTC to the poll that emitted it. */
  delays: number[];
  items: ChangeItem[];
}

function pollHost(world: World, consumer: string, watches: WatchName[]): PollHost {
  const poller = new ChangePoller({
    store: new MemoryLedger({ clock: world.clock }).eventStore(),
    consumer,
    reader: world.reader,
    clock: world.clock,
    watches: watches.map((watch) => ({ tenantId: DEMO_TENANT_ID, watch })),
    schedule: SCHEDULE,
  });
  return { poller, state: poller.begin(null), pollTimes: [], delays: [], items: [] };
}

/** One tick of n8n's poll timer: a poll when the core says it is due, else nothing read. */
async function tick(host: PollHost, now: number): Promise<void> {
  const result = await pollAndEmit(host.poller, host.state, (items) => {
    for (const item of items) {
      host.items.push(item);
      host.delays.push(now - Date.parse(item.updatedDateUtc));
    }
  });
  host.state = result.state;
  if (result.due) host.pollTimes.push(now);
}

/** n8n's Xero node, Get Many with Return All, as xeroApiRequestAllItems sends it. */
async function n8nGetManyAll(world: World, resource: 'Invoices' | 'Contacts'): Promise<number> {
  let page = 1;
  let records: unknown[];
  let total = 0;
  do {
    const token = await world.tokens.getAccessToken();
    const r = await fetchTransport({
      method: 'GET',
      url: `${world.sim.apiUrl}/api.xro/2.0/${resource}?page=${page}`,
      headers: { 'Content-Type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}`, 'Xero-tenant-id': DEMO_TENANT_ID },
      maxResponseBytes: DEFAULT_MAX_JSON_BYTES,
    });
    if (r.status !== 200) throw new Error(`the replay of n8n's Get Many ${resource} page ${page} got ${r.status}: ${r.body.slice(0, 200)}`);
    page++;
    records = (JSON.parse(r.body) as Record<string, unknown[]>)[resource] ?? [];
    total += records.length;
  } while (records.length !== 0);
  return total;
}

interface DayResult {
  day: 'quiet' | 'busy';
  world: World;
  changes: number;
  writes: number;
  poll5: PollHost;
  poll3: PollHost;
  payments: PollHost;
  receiver: WebhookReceiver;
  webhookDelaysNs: number[];
  webhookMissing: number;
  n8nRecordsPerRun: number;
  expectedWebhookChanges: number;
}

async function playDay(day: 'quiet' | 'busy'): Promise<DayResult> {
  const world = await startWorld(BOOK);
  const { clock, meter } = world;
  const poll5 = pollHost(world, 'bench:poll5', FIVE);
  const poll3 = pollHost(world, 'bench:poll3', N8N_CAN);
  // Webhook mode: Xero sends no payment events, so payments are polled beside the webhook.
  const payments = pollHost(world, 'bench:payments', ['payments']);
  const store = new MemoryLedger({ clock }).eventStore();
  const receiver = new WebhookReceiver(store, clock, world.reader);
  await receiver.start(world.sim);
  meter.take('setup');

  const bookkeeper = new Bookkeeper(world.reader, world.contactIds);
  const end = DAY_START + DAY;
  const timeline: Array<{ at: number; what: 'tick' | 'change' }> = [];
  for (let at = DAY_START; at < end; at += TICK_MS) timeline.push({ at, what: 'tick' });
  if (day === 'busy') for (let at = DAY_START + 2 * MINUTE; at < end; at += BUSY_EVERY_MS) timeline.push({ at, what: 'change' });
  timeline.sort((a, b) => a.at - b.at);

  let changes = 0;
  let expectedWebhookChanges = 0;
  let webhookMissing = 0;
  let n8nRecordsPerRun = 0;
  const webhookDelaysNs: number[] = [];
  for (const step of timeline) {
    clock.set(step.at);
    if (step.what === 'change') {
      // Wall time from sending the change to Xero (the simulator) to the trigger emitting its record.
      receiver.emittedAt.clear();
      const t0 = process.hrtime.bigint();
      const change = await bookkeeper.change();
      changes++;
      expectedWebhookChanges++;
      let timer: NodeJS.Timeout | undefined;
      const emitted = await Promise.race([
        receiver.emittedFor(change.eventResourceId).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), EMIT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      const at = receiver.emittedAt.get(change.eventResourceId);
      if (emitted && at !== undefined) webhookDelaysNs.push(Number(at - t0));
      else webhookMissing++;
      meter.take('webhook.fetch');
      continue;
    }
    await tick(poll5, step.at);
    meter.take('poll5');
    await tick(poll3, step.at);
    meter.take('poll3');
    n8nRecordsPerRun = (await n8nGetManyAll(world, 'Invoices')) + (await n8nGetManyAll(world, 'Contacts'));
    meter.take('n8n');
    await runCatchUp({ store, inbox: receiver.inboxName, reader: world.reader, tenantIds: [DEMO_TENANT_ID], clock, intervalMs: HOUR });
    await receiver.drain();
    meter.take('webhook.catchup');
    await tick(payments, step.at);
    meter.take('webhook.payments');
  }
  return {
    day,
    world,
    changes,
    writes: meter.writes,
    poll5,
    poll3,
    payments,
    receiver,
    webhookDelaysNs,
    webhookMissing,
    n8nRecordsPerRun,
    expectedWebhookChanges,
  };
}

const minutes = (ms: number): number => Math.round((ms / MINUTE) * 10) / 10;

export async function run(): Promise<void> {
  const started = Date.now();
  const rows: Array<Record<string, string | number>> = [];
  let webhookP50Ns = 0;
  let roundTripP50Ns = 0;
  const pollDelays: Array<{ day: string; expectedMs: number; measuredMeanMs: number | null; polls: number }> = [];
  for (const day of ['quiet', 'busy'] as const) {
    const r = await playDay(day);
    const { meter } = r.world;
    try {
      const n8n = meter.get('n8n');
      const webhook = meter.get('webhook.fetch') + meter.get('webhook.catchup') + meter.get('webhook.payments');
      const common = { bench: 'trigger', day, changes: r.changes, n8nCallsPerOrgPerDay: n8n, starterDayLimit: STARTER_DAY };
      const line = (watcher: string, resources: readonly string[], calls: number, extra: Record<string, unknown>) => {
        emit({
          ...common,
          watcher,
          resources,
          callsPerOrgPerDay: calls,
          ratioToN8n: ratio(calls, n8n),
          shareOfStarterDay: ratio(calls, STARTER_DAY),
          ...extra,
        });
        rows.push({ day, watcher, resources: resources.length, calls, ratioToN8n: ratio(calls, n8n), starter: ratio(calls, STARTER_DAY) });
      };
      line('n8n Schedule Trigger (15 min) + Xero node Get Many, Return All (replay of its request pattern)', N8N_CAN, n8n, {
        notPossible: N8N_CANNOT,
        note: "n8n's Xero node lists Contacts and Invoices only (no payments, no credit notes); one Get Many of all invoices serves sales invoices and bills",
        callsByPath: meter.byPath('n8n'),
        recordsReadPerRun: r.n8nRecordsPerRun,
      });
      line('Xero Guard trigger, polling (adaptive 15 -> 60 min)', N8N_CAN, meter.get('poll3'), {
        polls: r.poll3.pollTimes.length,
        emitted: r.poll3.items.length,
        emittedTwice: repeats(r.poll3.items.map((i) => i.key)),
        callsByPath: meter.byPath('poll3'),
      });
      line('Xero Guard trigger, polling (adaptive 15 -> 60 min)', FIVE, meter.get('poll5'), {
        polls: r.poll5.pollTimes.length,
        emitted: r.poll5.items.length,
        emittedTwice: repeats(r.poll5.items.map((i) => i.key)),
        emittedByWatch: countBy(r.poll5.items.map((i) => i.watch ?? i.kind)),
        callsByPath: meter.byPath('poll5'),
      });
      line('Xero Guard trigger, webhook + record fetch + hourly catch-up (payments polled)', FIVE, webhook, {
        recordFetches: meter.get('webhook.fetch'),
        // Fetching is the user's choice (events alone carry IDs only): the same day without it.
        withoutRecordFetch: webhook - meter.get('webhook.fetch'),
        catchUpCalls: meter.get('webhook.catchup'),
        paymentPollCalls: meter.get('webhook.payments'),
        emitted: r.receiver.emitted.length,
        emittedTwice: repeats(r.receiver.emitted.map((i) => i.eventId)),
        emittedBySource: countBy(r.receiver.emitted.map((i) => i.source)),
        paymentsEmitted: r.payments.items.length,
        webhookMissing: r.webhookMissing,
      });
      emit({ ...common, case: 'bookkeeper writes (not counted above)', writes: r.writes });

      const dayEnd = DAY_START + DAY;
      const delays = r.poll5.delays;
      pollDelays.push({
        day,
        polls: r.poll5.pollTimes.length,
        expectedMs: expectedPollDelayMs(r.poll5.pollTimes, dayEnd),
        measuredMeanMs: delays.length > 0 ? delays.reduce((s, d) => s + d, 0) / delays.length : null,
      });

      if (day === 'busy') {
        // The baseline: one plain HTTP round trip to the same simulator, in the same process and run.
        const token = await r.world.tokens.getAccessToken();
        const roundTrip = percentiles(
          await sample(200, 20, () =>
            fetchTransport({
              method: 'GET',
              url: `${r.world.sim.apiUrl}/api.xro/2.0/Organisation`,
              headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'xero-tenant-id': DEMO_TENANT_ID },
            }),
          ),
        );
        const webhook = percentiles(r.webhookDelaysNs);
        webhookP50Ns = webhook.p50;
        roundTripP50Ns = roundTrip.p50;
        emit({
          bench: 'trigger',
          case: 'baseline: one plain HTTP GET round trip to the simulator',
          p50Ms: ms(roundTrip.p50),
          p99Ms: ms(roundTrip.p99),
          n: roundTrip.n,
        });
        emit({
          bench: 'trigger',
          case: 'delay, webhook path: change sent -> signed delivery -> verify -> inbox -> consumer (record fetched) -> emitted',
          clock: 'wall',
          p50Ms: ms(webhook.p50),
          p90Ms: ms(webhook.p90),
          p99Ms: ms(webhook.p99),
          meanMs: ms(webhook.mean),
          n: webhook.n,
          ratioToRoundTripP50: ratio(webhook.p50, roundTrip.p50),
        });
      }
    } finally {
      await r.receiver.close();
      await r.world.close();
    }
  }
  for (const d of pollDelays) {
    emit({
      bench: 'trigger',
      case: `delay, polling path (${d.day} day)`,
      clock: 'simulated',
      // n8n's poll timer runs in real minutes: no real n8n poll is waited for, the core's poll times are.
      note: "the core's poll times on the simulated clock, not a real n8n poll",
      polls: d.polls,
      effectiveIntervalMin: minutes(DAY / d.polls),
      expectedDelayMin: minutes(d.expectedMs),
      measuredMeanDelayMin: d.measuredMeanMs === null ? null : minutes(d.measuredMeanMs),
      ratioToWebhookP50: ratio(d.expectedMs * 1e6, webhookP50Ns),
      ratioToRoundTripP50: ratio(d.expectedMs * 1e6, roundTripP50Ns),
    });
  }
  const real = SKIP_N8N ? undefined : await measureOnN8n(BOOK, N8N_CHANGES);
  if (real) emitReal(real, webhookP50Ns);

  // The same figures as a table, for a reader (stderr, so stdout stays JSON lines).
  const out = (line: string): void => void process.stderr.write(`${line}\n`);
  out(`\ncalls per organisation per day (Starter allows ${STARTER_DAY}), ${hostname()} ${cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s`);
  for (const row of rows) {
    out(
      `  ${String(row.day).padEnd(5)} ${String(row.calls).padStart(5)}  x${String(row.ratioToN8n).padEnd(5)} of n8n  ${String(row.starter).padEnd(5)} of Starter  ${row.resources} resources  ${row.watcher}`,
    );
  }
  if (real) {
    const all = real.returnAll;
    const limitedDay = real.limited.calls.length * TICKS_PER_DAY;
    out(
      `  both  ${String(all.calls.length * TICKS_PER_DAY).padStart(5)}  ${''.padEnd(14)}  ${String(ratio(all.calls.length * TICKS_PER_DAY, STARTER_DAY)).padEnd(5)} of Starter  3 resources  n8n's own node, real n8n ${real.version}, Return All: ${returnAllVerdict(all)}; ${all.calls.length} x ${TICKS_PER_DAY} ticks${all.status === 'success' ? '' : ', each failing'}`,
    );
    out(
      `  both  ${String(limitedDay).padStart(5)}  ${''.padEnd(14)}  ${String(ratio(limitedDay, STARTER_DAY)).padEnd(5)} of Starter  3 resources  n8n's own node, real n8n ${real.version}, Get Many limit 100: ${real.limited.calls.length} calls a tick x ${TICKS_PER_DAY}; sees the first 100 of each list only (an invoice made just before the tick: ${real.limited.seesNewInvoice ? 'seen' : 'not seen'})`,
    );
  }
  out('\ndelay from a change to the workflow');
  out(
    `  baseline: one plain HTTP GET round trip to the simulator   p50 ${ms(roundTripP50Ns)} ms (the day's simulator)${real ? `, ${round(real.roundTrip.p50 / 1e6)} ms (real n8n's)` : ''}`,
  );
  out(`  webhook, core: change sent -> emitted                        p50 ${ms(webhookP50Ns)} ms  x${ratio(webhookP50Ns, roundTripP50Ns)} round trip`);
  if (real) {
    const d = percentiles(real.delaysMs);
    out(
      `  webhook, real n8n: change answered -> execution startedAt   p50 ${round(d.p50)} ms  p90 ${round(d.p90)} ms  x${ratio(d.p50 * 1e6, real.roundTrip.p50)} round trip  (${d.n} changes, ${real.missing} missing; n8n answered the delivery at p50 ${round(percentiles(real.toDeliveredMs).p50)} ms)`,
    );
  }
  for (const d of pollDelays)
    out(
      `  polling (${d.day}), the core on the simulated clock            mean ${minutes(d.expectedMs)} min (${d.polls} polls); not a real n8n poll: its timer runs in real minutes`,
    );
}

/** What one real tick of n8n's own Return All did, in a few words. */
function returnAllVerdict(run: N8nSection['returnAll']): string {
  const failed = run.calls.findIndex((c: LoggedCall) => c.status !== 200);
  if (run.status === 'success') return `worked, ${run.calls.length} calls`;
  if (failed < 0) return `ended ${run.status} after ${run.calls.length} calls: ${run.error ?? ''}`;
  const page = /page=(\d+)/.exec(run.calls[failed]?.request ?? '')?.[1] ?? '?';
  return `fails on page ${page} of Return All: ${failed} call${failed === 1 ? '' : 's'} then a ${run.calls[failed]?.status}`;
}

function emitReal(real: N8nSection, coreWebhookP50Ns: number): void {
  const where = `real n8n ${real.version}`;
  const all = real.returnAll;
  emit({
    bench: 'trigger',
    day: 'quiet and busy',
    watcher: `n8n Schedule Trigger (15 min) + Xero node Get Many, Return All: one tick on ${where}`,
    resources: N8N_CAN,
    verdict: returnAllVerdict(all),
    executionStatus: all.status,
    callsPerTick: all.calls.length,
    calls: all.calls,
    nodesRan: all.ran,
    itemsOut: all.itemsOut,
    error: all.error,
    // Every tick does the same, so a failed one is the day of a workflow that fails every 15 minutes.
    callsPerOrgPerDay: all.calls.length * TICKS_PER_DAY,
    shareOfStarterDay: ratio(all.calls.length * TICKS_PER_DAY, STARTER_DAY),
    ...(all.status === 'success'
      ? {}
      : {
          note: "GenericFunctions.ts deletes organizationId from the body it shares between pages, so page 2 goes without the Xero-tenant-id header; the replay's rows are what a Return All that worked would cost",
        }),
  });
  const limited = real.limited;
  emit({
    bench: 'trigger',
    day: 'quiet and busy',
    watcher: `n8n Schedule Trigger (15 min) + Xero node Get Many, limit 100 (no Return All): one tick on ${where}`,
    resources: N8N_CAN,
    executionStatus: limited.status,
    callsPerTick: limited.calls.length,
    calls: limited.calls,
    itemsOut: limited.itemsOut,
    callsPerOrgPerDay: limited.calls.length * TICKS_PER_DAY,
    shareOfStarterDay: ratio(limited.calls.length * TICKS_PER_DAY, STARTER_DAY),
    book: real.book,
    seesInvoiceMadeJustBefore: limited.seesNewInvoice ?? null,
    sees: 'one call per resource with no page: the simulator answers the whole list (invoices without line items, in the order the records were made) and the node keeps the first 100, the oldest: a new record is never among them, an edit only when it is to one of those 100',
  });
  emit({
    bench: 'trigger',
    case: `baseline (${where} section): one plain HTTP GET round trip to its simulator`,
    p50Ms: ms(real.roundTrip.p50),
    p90Ms: ms(real.roundTrip.p90),
    n: real.roundTrip.n,
  });
  const d = percentiles(real.delaysMs);
  const sent = percentiles(real.fromSentMs);
  const stopped = percentiles(real.toStoppedMs);
  emit({
    bench: 'trigger',
    case: `delay, webhook path on ${where}: change answered -> signed delivery -> n8n's webhook -> inbox -> Xero Guard Trigger (record fetched) -> execution startedAt`,
    clock: 'wall',
    p50Ms: round(d.p50),
    p90Ms: round(d.p90),
    meanMs: round(d.mean),
    n: d.n,
    missing: real.missing,
    executions: real.executions,
    kinds: countBy(real.kinds),
    ratioToRoundTripP50: ratio(d.p50 * 1e6, real.roundTrip.p50),
    // The core's figure counts from sending the change: the same start point for this ratio.
    fromSentP50Ms: round(sent.p50),
    ratioToCoreEmitP50: ratio(sent.p50 * 1e6, coreWebhookP50Ns),
    deliveryAnsweredP50Ms: round(percentiles(real.toDeliveredMs).p50),
    toStoppedAtP50Ms: round(stopped.p50),
    bootMs: real.bootMs,
  });
}

const round = (value: number): number => Math.round(value * 10) / 10;

function ms(ns: number): number {
  return Math.round(ns / 1e4) / 100;
}

/** Identities emitted more than once (each change must reach the workflow once). */
function repeats(keys: readonly string[]): number {
  return keys.length - new Set(keys).size;
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
