/**
 * The Accounting API client reading 10,000 invoices from the simulator, page by page, against the
 * bare page round trips (the same GETs with fetch and JSON.parse, nothing else) in the same run.
 * Target (issue 15): wall time <= 1.2x the bare round trips. Also the peak heap growth while
 * streaming, per 1,000 records: a client that kept pages would grow with the list.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEMO_TENANT_ID, startSimulator } from '../src/simulator';
import { fetchTransport, staticTokenSource, XeroAccountingClient } from '../src/xero';
import { emit, ratio } from './measure';

const INVOICES = 10_000;
const ROUNDS = 7;
const SCOPES = ['offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'];

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

export async function run(): Promise<void> {
  const sim = await startSimulator();
  try {
    const token = sim.seedGrant({ scopes: SCOPES }).access_token;
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 200, invoices: INVOICES, seed: 15 });
    const client = new XeroAccountingClient({ tokens: staticTokenSource(token), tenantId: DEMO_TENANT_ID, endpoints: { apiUrl: sim.apiUrl } });
    const headers = { authorization: `Bearer ${token}`, 'xero-tenant-id': DEMO_TENANT_ID, accept: 'application/json' };

    for (const pageSize of [1000, 100]) {
      const pages = Math.ceil(INVOICES / pageSize);
      const bare = async (): Promise<number> => {
        let n = 0;
        for (let page = 1; page <= pages; page++) {
          const r = await fetchTransport({ method: 'GET', url: `${sim.apiUrl}/api.xro/2.0/Invoices?page=${page}&pageSize=${pageSize}`, headers });
          n += (JSON.parse(r.body) as { Invoices: unknown[] }).Invoices.length;
        }
        return n;
      };
      let peak = 0;
      let base = 0;
      const viaClient = async (track: boolean): Promise<number> => {
        let n = 0;
        for await (const page of client.pages({ path: 'Invoices', query: { pageSize } })) {
          if (track) {
            // Live heap while this page is held: collect first, so garbage does not count.
            gc();
            peak = Math.max(peak, getHeapStatistics().used_heap_size - base);
          }
          // Read after the measurement, so the page is still live when the heap is read.
          n += page.records.length;
        }
        return n;
      };
      // Warm both paths once (JIT, sockets), then interleave so drift hits both alike.
      await bare();
      await viaClient(false);
      const bareMs: number[] = [];
      const clientMs: number[] = [];
      let records = 0;
      for (let round = 0; round < ROUNDS; round++) {
        let t0 = process.hrtime.bigint();
        const a = await bare();
        bareMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        t0 = process.hrtime.bigint();
        records = await viaClient(false);
        clientMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (a !== records || records !== INVOICES) throw new Error(`read ${records} invoices through the client and ${a} bare, expected ${INVOICES}`);
      }
      // Memory in its own untimed round: reading the heap on every page costs time. Against it, the
      // same records kept in one array, as a client that concatenated pages would hold them.
      gc();
      base = getHeapStatistics().used_heap_size;
      await viaClient(true);
      const streamingPeak = peak;
      gc();
      base = getHeapStatistics().used_heap_size;
      const kept: unknown[] = [];
      for await (const page of client.pages({ path: 'Invoices', query: { pageSize } })) for (const r of page.records) kept.push(r);
      gc();
      const keptGrowth = getHeapStatistics().used_heap_size - base;
      const recordsKept = kept.length;
      if (recordsKept !== INVOICES) throw new Error(`kept ${recordsKept} invoices, expected ${INVOICES}`);
      kept.length = 0;
      peak = streamingPeak;
      emit({
        bench: 'xero-api',
        case: `read ${INVOICES} invoices, pageSize ${pageSize}`,
        pages,
        bareMsMedian: Math.round(median(bareMs)),
        clientMsMedian: Math.round(median(clientMs)),
        ratioToBare: ratio(median(clientMs), median(bareMs)),
        // Best of each: on a shared machine the fastest round is the one least disturbed by others.
        ratioToBareBest: ratio(Math.min(...clientMs), Math.min(...bareMs)),
        target: '<= 1.2',
        peakLiveHeapGrowthBytes: peak,
        peakLiveHeapGrowthPer1000RecordsBytes: Math.round(peak / (records / 1000)),
        keepAllHeapGrowthBytes: keptGrowth,
        streamingPeakToKeepAll: ratio(peak, keptGrowth),
        recordsKept,
      });
    }
  } finally {
    await sim.close();
  }
}
