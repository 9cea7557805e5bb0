/** Small timing helpers shared by the benches: percentiles over repeated samples, in nanoseconds. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  n: number;
}

export function percentiles(samplesNs: number[]): Percentiles {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean, n: sorted.length };
}

/** Times `fn` `n` times (after `warmup` untimed calls) and returns per-call nanoseconds. */
export async function sample(n: number, warmup: number, fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0));
  }
  return out;
}

export function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}
