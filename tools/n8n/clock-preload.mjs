// Test tooling: loaded into an n8n process with `node --import`, it moves that process's clock
// (Date.now() and `new Date()`) by the offset in milliseconds written in XERO_GUARD_CLOCK_FILE,
// re-read whenever the file changes, so an end-to-end test can move n8n's time together with the
// simulator's (tools/n8n/clock.ts). Timers still run on real time. Never loaded outside tests.
import { readFileSync, statSync } from 'node:fs';
import process from 'node:process';

const file = process.env.XERO_GUARD_CLOCK_FILE;
if (file) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  let offset = 0;
  let seen = -1n;
  const current = () => {
    try {
      const changed = statSync(file, { bigint: true }).mtimeNs;
      if (changed !== seen) {
        seen = changed;
        offset = Number(readFileSync(file, 'utf8').trim()) || 0;
      }
    } catch {
      // No file: no offset.
    }
    return offset;
  };
  function ShiftedDate(...args) {
    if (!new.target) return new RealDate(realNow() + current()).toString();
    return args.length === 0 ? new RealDate(realNow() + current()) : new RealDate(...args);
  }
  Object.setPrototypeOf(ShiftedDate, RealDate);
  ShiftedDate.prototype = RealDate.prototype;
  ShiftedDate.now = () => realNow() + current();
  globalThis.Date = ShiftedDate;
}
