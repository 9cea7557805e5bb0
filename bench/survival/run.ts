/**
 * Survival benchmark: Xero Guard's credential and n8n's own `oAuth2Api` credential (set up as n8n's
 * Xero credential is) side by side on real n8n 2.41.1, against the simulator, under the same
 * workload, fault schedule and each of the simulator's three grace behaviours.
 *
 *   npm run bench:survival                          the week, short form (CI: a few minutes)
 *   npm run bench:survival -- --full                the week, full form (every 30 minutes, all grace modes)
 *   npm run bench:survival -- --scenarios all       scenarios 1 to 6 (or a comma-separated list of names)
 *   npm run bench:survival -- --readme              the README's table from the latest results
 *
 * Scenarios of one deployment share one n8n boot and run one after another; the clock only moves
 * forward. Time: the n8n processes run under libfaketime (Debian package `faketime`) with a shared
 * offset file moved together with every simulator's clock; PostgreSQL (lease expiry) and Redis keep
 * real time. Exit code 1 when our side misses its bar in any scenario (see report.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_N8N_VERSION, progress } from '../../tools/n8n/install';
import { REPO_ROOT } from '../../tools/n8n/pack';
import { startPrivateRedis, type PrivateService } from '../../tools/services/private-services';
import { parseSurvivalArgs } from './args';
import { startHost, type Deployment } from './hosts';
import { resultOf } from './lanes';
import { SharedTime, requireFaketime } from './parts';
import { updateReadme } from './readme-table';
import { oursFailures, writeReport } from './report';
import { crashMidRefresh } from './scenarios/crash-mid-refresh';
import { idleHoliday } from './scenarios/idle-holiday';
import { lostAnswer } from './scenarios/lost-answer';
import { revocation } from './scenarios/revocation';
import type { Scenario } from './scenarios/scenario';
import { severalProcesses } from './scenarios/several-processes';
import { slowXero } from './scenarios/slow-xero';
import { week } from './scenarios/week';

export const SCENARIOS: Scenario[] = [lostAnswer, idleHoliday, slowXero, severalProcesses, crashMidRefresh, revocation];

async function runGroup(deployment: Deployment, scenarios: Scenario[], run: { command: string; commit: string }, redis?: PrivateService): Promise<string[]> {
  const dir = join(REPO_ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const time = new SharedTime(join(dir, `survival-faketime-${process.pid}-${deployment}`));
  const host = await startHost(deployment, time.file, redis ? { redis: { host: '127.0.0.1', port: redis.port } } : {});
  const failures: string[] = [];
  try {
    for (const scenario of scenarios) {
      const startedAt = new Date().toISOString();
      const started = Date.now();
      progress(`survival: scenario ${scenario.name} on ${deployment}`);
      let outcome: Awaited<ReturnType<Scenario['run']>>;
      try {
        outcome = await scenario.run({ host, time });
      } catch (error) {
        // One scenario's harness failure does not cost the others their run on this boot.
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        progress(`survival: ${scenario.name} did not finish: ${message}`);
        failures.push(`${scenario.name}: did not finish: ${message.split('\n')[0]}`);
        continue;
      }
      const lanes = [];
      for (const lane of outcome.lanes) lanes.push(await resultOf(host, lane));
      for (const lane of outcome.lanes) await lane.close(host);
      const missed = oursFailures(lanes, outcome.expectation);
      const files = writeReport({
        scenario: scenario.name,
        title: scenario.title,
        command: run.command,
        commit: run.commit,
        deployment,
        n8nVersion: host.main.version,
        startedAt,
        realSeconds: Math.round((Date.now() - started) / 1000),
        description: scenario.description,
        expectation: outcome.expectation,
        lanes,
        oursFailures: missed,
        notes: outcome.notes,
      });
      progress(`survival: ${scenario.name}: wrote ${files.md}${missed.length ? `; our side missed: ${missed.join('; ')}` : ''}`);
      failures.push(...missed.map((m) => `${scenario.name}: ${m}`));
    }
  } finally {
    await host.stop();
  }
  return failures;
}

function commitOfWorkTree(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return changed ? `${head}+changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<void> {
  const args = parseSurvivalArgs(
    process.argv.slice(2),
    SCENARIOS.map((s) => s.name),
  );
  if (args.readme) {
    progress(`survival: README table updated from ${updateReadme()}`);
    return;
  }
  requireFaketime();
  progress(`survival: n8n ${DEFAULT_N8N_VERSION}`);
  const failures: string[] = [];
  const chosen = SCENARIOS.filter((s) => args.names.includes(s.name));
  const commit = commitOfWorkTree();
  const scenarioCommand = `npm run bench:survival -- --scenarios ${args.names.length === SCENARIOS.length ? 'all' : args.names.join(',')}`;
  for (const deployment of ['single', 'queue', 'two-mains'] as Deployment[]) {
    const group = chosen.filter((s) => s.deployment === deployment);
    if (group.length > 0) failures.push(...(await runGroup(deployment, group, { command: scenarioCommand, commit })));
  }
  if (args.full || args.names.length === 0) {
    // The week restarts the queue Redis, so it gets a private one.
    const redis = await startPrivateRedis();
    try {
      failures.push(
        ...(await runGroup('queue', [week(args.full, redis)], { command: `npm run bench:survival${args.full ? ' -- --full' : ''}`, commit }, redis)),
      );
    } finally {
      await redis.destroy().catch(() => undefined);
    }
  }
  if (failures.length > 0) {
    progress(`survival: our side missed its bar:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
