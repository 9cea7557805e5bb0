/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) in turn.
 * Each bench prints JSON lines; every figure is reported as a ratio against a baseline measured
 * in the same run, because absolute times on a shared 2-core machine mean little.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
    .sort();
  if (files.length === 0) {
    console.error(
      `No bench matches ${wanted.join(', ')}; available: ${readdirSync(__dirname)
        .filter((f) => f.endsWith('.bench.ts'))
        .join(', ')}`,
    );
    process.exitCode = 1;
    return;
  }
  for (const file of files) {
    process.stderr.write(`bench: ${file}\n`);
    const mod = (await import(join(__dirname, file))) as BenchModule;
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
