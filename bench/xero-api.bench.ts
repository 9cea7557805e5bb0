/**
 * The Accounting API client reading 10,000 invoices from the simulator, page by page, against the
 * bare page round trips (the same GETs with fetch and JSON.parse, nothing else) in the same run.
 * Target (issue 15): wall time <= 1.2x the bare round trips. Also the peak live heap growth per
 * 1,000 records while streaming, against keeping every record: a client that kept pages would
 * grow with the list. The simulator runs in a child process (bench/xero-api-simulator.ts), so this
 * process's heap holds only the client and what the bench keeps.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_MAX_JSON_BYTES, fetchTransport, staticTokenSource, XeroAccountingClient } from '../src/xero';
import { emit, ratio } from './measure';
import type { BenchSimulatorReady } from './xero-api-simulator';

const INVOICES = 10_000;
const ROUNDS = 7;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** A full collection before each memory reading, so the figures are live heap and not garbage. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose_gc');
  const collect = runInNewContext('gc') as () => void;
  // Twice: the first pass can leave what finalizers or weak maps release only afterwards.
  return () => {
    collect();
    collect();
  };
}
const gc = exposeGc();

/** The seeded simulator in a child process (tsx's loader passed on through execArgv). */
function startChildSimulator(): Promise<{ child: ChildProcess; ready: BenchSimulatorReady }> {
  const child = fork(join(__dirname, 'xero-api-simulator.ts'), [String(INVOICES)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as BenchSimulatorReady }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench simulator (bench/xero-api-simulator.ts) exited with code ${code} before it was ready`)));
  });
}

export async function run(): Promise<void> {
  const { child, ready } = await startChildSimulator();
  try {
    const { apiUrl, token, tenantId } = ready;
    const client = new XeroAccountingClient({ tokens: staticTokenSource(token), tenantId, endpoints: { apiUrl } });
    const headers = { authorization: `Bearer ${token}`, 'xero-tenant-id': tenantId, accept: 'application/json' };

    for (const pageSize of [1000, 100]) {
      const pages = Math.ceil(INVOICES / pageSize);
      const barePage = async (page: number): Promise<number> => {
        const r = await fetchTransport({
          method: 'GET',
          url: `${apiUrl}/api.xro/2.0/Invoices?page=${page}&pageSize=${pageSize}`,
          headers,
          // The client's own cap for JSON answers (a 1,000-invoice page is over the transport's 1 MiB default).
          maxResponseBytes: DEFAULT_MAX_JSON_BYTES + 1,
        });
        return (JSON.parse(r.body) as { Invoices: unknown[] }).Invoices.length;
      };
      const clientPages = () => client.pages({ path: 'Invoices', query: { pageSize } })[Symbol.asyncIterator]();

      // Memory first, before any timed round has left sockets, timers or buffers behind. Live heap
      // (after a full collection) while each page is held, above the lower of the readings before
      // and after the read: what the read itself holds, even if something older is freed meanwhile.
      gc();
      const before = getHeapStatistics().used_heap_size;
      let highest = 0;
      let streamed = 0;
      for await (const page of client.pages({ path: 'Invoices', query: { pageSize } })) {
        gc();
        highest = Math.max(highest, getHeapStatistics().used_heap_size);
        // Read after the measurement, so the page is still live when the heap is read.
        streamed += page.records.length;
      }
      gc();
      const streamingPeak = Math.max(0, highest - Math.min(before, getHeapStatistics().used_heap_size));
      // Against it, the same records kept in one array, as a client that concatenated pages would hold them.
      gc();
      const keptBefore = getHeapStatistics().used_heap_size;
      const kept: unknown[] = [];
      for await (const page of client.pages({ path: 'Invoices', query: { pageSize } })) for (const r of page.records) kept.push(r);
      gc();
      const keptGrowth = getHeapStatistics().used_heap_size - keptBefore;
      const recordsKept = kept.length;
      if (streamed !== INVOICES || recordsKept !== INVOICES) throw new Error(`streamed ${streamed} and kept ${recordsKept} invoices, expected ${INVOICES}`);
      kept.length = 0;

      // Time: each page fetched bare and through the client back to back, in alternating order, so
      // the load of a shared machine falls on both alike. Wall time is the target; this process's
      // CPU time (the simulator runs in the child) is the client's own cost, free of the server's.
      const round = async (): Promise<{ bareMs: number; clientMs: number; bareCpuMs: number; clientCpuMs: number }> => {
        const t = { bareMs: 0, clientMs: 0, bareCpuMs: 0, clientCpuMs: 0 };
        const it = clientPages();
        let bareRecords = 0;
        let clientRecords = 0;
        const timeBare = async (page: number): Promise<void> => {
          const cpu0 = process.cpuUsage();
          const t0 = process.hrtime.bigint();
          bareRecords += await barePage(page);
          t.bareMs += Number(process.hrtime.bigint() - t0) / 1e6;
          const cpu = process.cpuUsage(cpu0);
          t.bareCpuMs += (cpu.user + cpu.system) / 1000;
        };
        const timeClient = async (): Promise<void> => {
          const cpu0 = process.cpuUsage();
          const t0 = process.hrtime.bigint();
          const next = await it.next();
          t.clientMs += Number(process.hrtime.bigint() - t0) / 1e6;
          const cpu = process.cpuUsage(cpu0);
          t.clientCpuMs += (cpu.user + cpu.system) / 1000;
          if (!next.done) clientRecords += next.value.records.length;
        };
        for (let page = 1; page <= pages; page++) {
          if (page % 2 === 0) {
            await timeBare(page);
            await timeClient();
          } else {
            await timeClient();
            await timeBare(page);
          }
        }
        if ((await it.next()).done !== true || bareRecords !== INVOICES || clientRecords !== INVOICES)
          throw new Error(`read ${clientRecords} invoices through the client and ${bareRecords} bare, expected ${INVOICES}`);
        return t;
      };
      await round(); // warm both paths (JIT, sockets)
      const rounds: Array<Awaited<ReturnType<typeof round>>> = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
      const sum = (key: keyof (typeof rounds)[number]): number => rounds.reduce((s, r) => s + r[key], 0);
      emit({
        bench: 'xero-api',
        case: `read ${INVOICES} invoices, pageSize ${pageSize}`,
        pages,
        rounds: ROUNDS,
        bareMsMedian: Math.round(median(rounds.map((r) => r.bareMs))),
        clientMsMedian: Math.round(median(rounds.map((r) => r.clientMs))),
        // Wall time over all rounds, and the median of the rounds' own ratios.
        ratioToBare: ratio(sum('clientMs'), sum('bareMs')),
        ratioToBareMedianRound: median(rounds.map((r) => ratio(r.clientMs, r.bareMs))),
        target: '<= 1.2',
        cpuRatioToBare: ratio(sum('clientCpuMs'), sum('bareCpuMs')),
        streamingPeakHeapGrowthBytes: streamingPeak,
        streamingPeakHeapGrowthPer1000RecordsBytes: Math.round(streamingPeak / (INVOICES / 1000)),
        keepAllHeapGrowthBytes: keptGrowth,
        keepAllHeapGrowthPer1000RecordsBytes: Math.round(keptGrowth / (INVOICES / 1000)),
        streamingPeakToKeepAll: ratio(streamingPeak, keptGrowth),
        recordsKept,
      });
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  }
}
