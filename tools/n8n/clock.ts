/**
 * Moving a real n8n's clock in an end-to-end test, together with the simulator's OffsetClock:
 * n8n runs with tools/n8n/clock-preload.mjs, which adds the offset kept in a file to Date.now().
 * Only for tests that must show what happens after an hour or a day (the catch-up, polling).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface N8nClock {
  file: string;
  /** Environment for startN8n: the preload and the file it reads. */
  env: Record<string, string>;
}

export function n8nClockEnv(): N8nClock {
  const file = join(mkdtempSync(join(tmpdir(), 'xero-guard-clock-')), 'offset-ms');
  writeFileSync(file, '0');
  return { file, env: { NODE_OPTIONS: `--import ${join(__dirname, 'clock-preload.mjs')}`, XERO_GUARD_CLOCK_FILE: file } };
}

/** Deletes the offset file's folder (after n8n stopped). */
export function removeN8nClock(clock: N8nClock): void {
  rmSync(dirname(clock.file), { recursive: true, force: true });
}

/** Sets n8n's offset from real time (replaced whole, so the process never reads half a number). */
export function setN8nClockOffset(clock: N8nClock, offsetMs: number): void {
  const next = `${clock.file}.next`;
  writeFileSync(next, String(Math.round(offsetMs)));
  renameSync(next, clock.file);
}
