/**
 * Token engine cost. Warm path: getAccessToken on a fresh cached token, against a plain Map lookup
 * (both timed in batches, since one call is shorter than the timer's resolution). Cold path: a full
 * rotation through the file ledger (lease, re-read, write-ahead intent, token call, result write,
 * release) against the bare token-endpoint round trip to the same local server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffsetClock } from '../src/clock';
import { TokenEngine } from '../src/engine';
import { FileLedger } from '../src/ledger';
import { Sealer } from '../src/secrets';
import { XeroIdentityClient } from '../src/xero';
import { CLIENT, startTokenServer } from '../tools/services/token-server';
import { emit, percentiles, ratio, sample } from './measure';

const KEY = 'xero:bench:root';
const BATCH = 1000;

export async function run(): Promise<void> {
  const server = await startTokenServer({ clock: new OffsetClock(), mode: 'same-pair' });
  try {
    const identity = new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl } });
    const ledger = new FileLedger({ directory: mkdtempSync(join(tmpdir(), 'xg-bench-')), sealer: new Sealer('bench-key') });
    const engine = new TokenEngine({ ledger, identity, client: CLIENT });
    const seeded = server.seed();
    await engine.adoptGrant(KEY, { ...seeded, tokenType: 'Bearer', scope: [] });
    await engine.getAccessToken(KEY);

    const map = new Map([[KEY, seeded.accessToken]]);
    let sink = 0;
    const mapBatches = await sample(300, 30, () => {
      for (let i = 0; i < BATCH; i++) sink += map.get(KEY)?.length ?? 0;
    });
    const warmBatches = await sample(300, 30, async () => {
      for (let i = 0; i < BATCH; i++) sink += (await engine.getAccessToken(KEY)).length;
    });
    const mapNs = percentiles(mapBatches.map((ns) => ns / BATCH));
    const warmNs = percentiles(warmBatches.map((ns) => ns / BATCH));
    emit({
      bench: 'engine.warm_getAccessToken',
      unit: 'ns/call',
      p50: round(warmNs.p50),
      p99: round(warmNs.p99),
      baseline: 'Map.get',
      baselineP50: round(mapNs.p50),
      baselineP99: round(mapNs.p99),
      ratioP50: ratio(warmNs.p50, mapNs.p50),
      ratioP99: ratio(warmNs.p99, mapNs.p99),
      target: 'ratio <= 20',
      sink: sink > 0,
    });

    const bare = percentiles(await sample(200, 20, () => identity.refresh(CLIENT, server.seed().refreshToken)));
    const cold = percentiles(await sample(200, 20, () => engine.refresh(KEY, { force: true })));
    emit({
      bench: 'engine.cold_refresh_file_ledger',
      unit: 'ms',
      p50: round(cold.p50 / 1e6, 3),
      p99: round(cold.p99 / 1e6, 3),
      baseline: 'bare token-endpoint round trip (same local server)',
      baselineP50: round(bare.p50 / 1e6, 3),
      baselineP99: round(bare.p99 / 1e6, 3),
      ratioP50: ratio(cold.p50, bare.p50),
      ratioP99: ratio(cold.p99, bare.p99),
      overheadMsP50: round((cold.p50 - bare.p50) / 1e6, 3),
      target: 'ratio <= 1.5',
    });
  } finally {
    await server.close();
  }
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
