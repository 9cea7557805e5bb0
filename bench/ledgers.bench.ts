/**
 * Ledger backends compared, each against a baseline measured in the same run:
 * - warm getAccessToken (must touch neither ledger nor network: counted, and reported) vs Map.get;
 * - cold refresh (lease, intent, token call, result, release) vs the bare token-endpoint round trip;
 * - lease acquire+release round trips per second, uncontended and with 8 processes contending
 *   for the same connection's lease.
 * The contending processes are this file run again as children (XG_LEASE_BENCH_CHILD set).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { OffsetClock, systemClock } from '../src/clock';
import { TokenEngine } from '../src/engine';
import type { Ledger } from '../src/ledger';
import { XeroIdentityClient } from '../src/xero';
import { dropLedgerSpec, makeLedgerSpec, openLedger, type LedgerKind, type LedgerSpec } from '../tools/ledgers/ledger-factory';
import { CLIENT, startTokenServer } from '../tools/services/token-server';
import { emit, percentiles, ratio, sample } from './measure';

const KINDS: LedgerKind[] = ['file', 'postgres', 'redis', 'redis+postgres'];
const KEY = 'xero:bench:root';
const BATCH = 1000;
const CONTENDERS = 8;
const CYCLES_PER_CONTENDER = 60;
const UNCONTENDED_CYCLES = 400;

export async function run(): Promise<void> {
  const server = await startTokenServer({ clock: new OffsetClock(), mode: 'same-pair' });
  const identity = new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl } });
  try {
    const bare = percentiles(await sample(60, 10, () => identity.refresh(CLIENT, server.seed().refreshToken)));
    for (const kind of KINDS) {
      const spec = makeLedgerSpec(kind, 'bench-key');
      // The system clock: Postgres leases then run on the database's clock, as in production.
      const ledger = await openLedger(spec, systemClock);
      try {
        await benchBackend(kind, spec, ledger, identity, server.seed(), bare.p50);
      } finally {
        await ledger.close();
        await dropLedgerSpec(spec);
      }
    }
  } finally {
    await server.close();
  }
}

async function benchBackend(
  kind: LedgerKind,
  spec: LedgerSpec,
  ledger: Ledger,
  identity: XeroIdentityClient,
  seeded: { accessToken: string; refreshToken: string; expiresAt: number; obtainedAt: number },
  bareP50: number,
): Promise<void> {
  const engine = new TokenEngine({ ledger, identity, client: CLIENT });
  await engine.adoptGrant(KEY, { ...seeded, tokenType: 'Bearer', scope: [] });
  await engine.getAccessToken(KEY);

  // Warm path, with every ledger call counted: the figure is only meaningful if it is zero.
  let ledgerCalls = 0;
  const counted = countCalls(ledger, () => ledgerCalls++);
  const map = new Map([[KEY, seeded.accessToken]]);
  let sink = 0;
  const mapBatches = await sample(200, 20, () => {
    for (let i = 0; i < BATCH; i++) sink += map.get(KEY)?.length ?? 0;
  });
  const warmBatches = await sample(200, 20, async () => {
    for (let i = 0; i < BATCH; i++) sink += (await engine.getAccessToken(KEY)).length;
  });
  counted.restore();
  const mapNs = percentiles(mapBatches.map((ns) => ns / BATCH));
  const warmNs = percentiles(warmBatches.map((ns) => ns / BATCH));
  emit({
    bench: `ledgers.${kind}.warm_getAccessToken`,
    unit: 'ns/call',
    p50: round(warmNs.p50),
    p99: round(warmNs.p99),
    baseline: 'Map.get',
    baselineP50: round(mapNs.p50),
    ratioP50: ratio(warmNs.p50, mapNs.p50),
    ledgerCallsDuringWarmPath: ledgerCalls,
    sink: sink > 0,
  });

  const cold = percentiles(await sample(40, 5, () => engine.refresh(KEY, { force: true })));
  emit({
    bench: `ledgers.${kind}.cold_refresh`,
    unit: 'ms',
    p50: round(cold.p50 / 1e6, 3),
    p99: round(cold.p99 / 1e6, 3),
    baseline: 'bare token-endpoint round trip (same local server, same run)',
    baselineP50: round(bareP50 / 1e6, 3),
    ratioP50: ratio(cold.p50, bareP50),
    overheadMsP50: round((cold.p50 - bareP50) / 1e6, 3),
  });

  const leaseKey = `bench-lease-${randomUUID()}`;
  const started = process.hrtime.bigint();
  await leaseCycles(ledger, leaseKey, UNCONTENDED_CYCLES, 'uncontended');
  const uncontendedS = Number(process.hrtime.bigint() - started) / 1e9;
  const contended = await contend(spec, `bench-contended-${randomUUID()}`);
  emit({
    bench: `ledgers.${kind}.lease_round_trips`,
    unit: 'acquire+release per second',
    uncontended: round(UNCONTENDED_CYCLES / uncontendedS),
    contended8Processes: round(contended.cycles / contended.seconds),
    contendedCycles: contended.cycles,
    note: 'contended: 8 processes on one connection key; a waiter polls (2 ms doubling to 50 ms), so this measures hand-over, not the store alone',
  });
}

async function leaseCycles(ledger: Ledger, key: string, cycles: number, owner: string): Promise<void> {
  for (let i = 0; i < cycles; i++) {
    const lease = await ledger.acquireLease(key, { owner, ttlMs: 30_000, waitMs: 60_000 });
    if (!lease) throw new Error(`lease for ${key} not obtained within 60 s`);
    await ledger.releaseLease(lease);
  }
}

/** Forks CONTENDERS children that all cycle the same key; times from "all ready" to "all done". */
async function contend(spec: LedgerSpec, key: string): Promise<{ cycles: number; seconds: number }> {
  const children = Array.from({ length: CONTENDERS }, () =>
    fork(__filename, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, XG_LEASE_BENCH_CHILD: JSON.stringify({ spec, key }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const message = (child: (typeof children)[number], type: string) =>
    new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type: string }) => m.type === type && resolve());
      child.once('exit', (code) => code !== 0 && reject(new Error(`lease bench child exited with ${code}`)));
    });
  await Promise.all(children.map((c) => message(c, 'ready')));
  const started = process.hrtime.bigint();
  const done = Promise.all(children.map((c) => message(c, 'done')));
  for (const child of children) child.send({ type: 'go' });
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const child of children) child.send({ type: 'exit' });
  return { cycles: CONTENDERS * CYCLES_PER_CONTENDER, seconds };
}

async function childMain(config: { spec: LedgerSpec; key: string }): Promise<void> {
  const ledger = await openLedger(config.spec, systemClock);
  // Connect before the clock starts.
  await ledger.keys();
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'go') {
      await leaseCycles(ledger, config.key, CYCLES_PER_CONTENDER, `bench-${process.pid}`);
      process.send?.({ type: 'done' });
    }
    if (m.type === 'exit') {
      await ledger.close();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready' });
}

function countCalls(ledger: Ledger, onCall: () => void): { restore(): void } {
  const methods = ['read', 'write', 'acquireLease', 'renewLease', 'releaseLease', 'keys'] as const;
  const originals = methods.map((m) => ledger[m]);
  for (const method of methods) {
    const original = ledger[method].bind(ledger) as (...args: unknown[]) => Promise<unknown>;
    (ledger as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      onCall();
      return original(...args);
    };
  }
  return {
    restore() {
      methods.forEach((m, i) => ((ledger as unknown as Record<string, unknown>)[m] = originals[i]));
    },
  };
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (process.env.XG_LEASE_BENCH_CHILD) {
  childMain(JSON.parse(process.env.XG_LEASE_BENCH_CHILD) as { spec: LedgerSpec; key: string }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
