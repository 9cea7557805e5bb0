/**
 * When an e2e test fails, the failure must be readable without a rerun: the wrapped test appends
 * the n8n log tail and the simulator's request log to the error jest reports.
 */
import type { Simulator } from '../../../src/simulator';
import type { N8nHandle } from '../../../tools/n8n/n8n';

export interface DiagnosticSources {
  n8n?: N8nHandle;
  sim?: Simulator;
}

/** Token values never go into a test report, even from the simulator's own log. */
function shorten(value: unknown): unknown {
  return typeof value === 'string' && value.length > 16 ? `${value.slice(0, 6)}…(${value.length})` : value;
}

export function simulatorLog(sim: Simulator, last = 60): string {
  const events = sim.log().slice(-last);
  const lines = events.map((e) => {
    const { seq, at, type, ...rest } = e as unknown as Record<string, unknown> & { seq: number; at: number; type: string };
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(shorten(v))}`)
      .join(' ');
    return `#${seq} ${new Date(at).toISOString()} ${type} ${fields}`;
  });
  const stats = sim.stats();
  return `${lines.join('\n')}\nstats: tokenCalls=${stats.tokenCalls} deadTokenUses=${stats.deadTokenUses} requests=${JSON.stringify(stats.requestsByEndpoint)}`;
}

export function diagnostics(sources: DiagnosticSources): string {
  const parts: string[] = [];
  if (sources.n8n) {
    let tail: string;
    try {
      tail = sources.n8n.logTail(80);
    } catch (error) {
      tail = `(could not read the n8n log: ${String(error)})`;
    }
    parts.push(`--- n8n ${sources.n8n.version} log (tail) ---\n${tail}`);
  }
  if (sources.sim) parts.push(`--- simulator request log (last 60 events) ---\n${simulatorLog(sources.sim)}`);
  return parts.join('\n');
}

/**
 * `it` with diagnostics: `const test = e2eTest(() => ({ n8n, sim }))`, then `test('name', async () => ...)`.
 * The sources are read when the test fails, so handles created in beforeAll are seen.
 */
export function e2eTest(sources: () => DiagnosticSources) {
  const wrapped = (name: string, fn: () => Promise<void>, timeoutMs?: number): void =>
    it(
      name,
      async () => {
        try {
          await fn();
        } catch (error) {
          const report = diagnostics(sources());
          process.stderr.write(`\n[xero-guard e2e] "${name}" failed\n${report}\n`);
          if (error instanceof Error) {
            error.message = `${error.message}\n\n${report}`;
            throw error;
          }
          throw new Error(`${String(error)}\n\n${report}`);
        }
      },
      timeoutMs,
    );
  return wrapped;
}
