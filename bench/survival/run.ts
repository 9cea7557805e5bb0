/**
 * Survival benchmark: `npm run bench:survival` (short form, a few minutes) or `-- --full`.
 *
 * One n8n 2.41.1 stack in queue mode (main + 2 workers, a private PostgreSQL database, a private
 * Redis) runs the same workload for two credentials side by side, each against its own simulator
 * started with the same fault seed:
 *   - n8n's own: the generic `oAuth2Api` credential set up as n8n's Xero credential is (authorization
 *     code, the simulator's authorize and token URLs, Xero's scopes, `authentication: header`),
 *     used by HTTP Request nodes; n8n refreshes it itself on a 401.
 *   - ours: `xeroGuardOAuth2Api` (PostgreSQL ledger, picked automatically in queue mode), same node.
 * Workload: a simulated week in `steps` steps; at each step the clock of the n8n processes and of
 * both simulators moves forward together, then 4 streams per credential each run `perStep`
 * webhook executions. Faults on both token endpoints: 5% dropped responses and 5% 503s
 * (probability faults, fixed seed), one dropped token response forced on the first rotation (so
 * the short form always sees one), one worker SIGKILLed while a refresh is in flight, one restart
 * of the queue Redis. After the week: is the connection alive; then the user revokes access at
 * each simulator and we time the first alert (ours: the Watchdog example's Connection Trigger
 * polling every minute into a Slack stand-in; n8n's: nothing alerts).
 *
 * Time: the engine inside n8n reads the process clock. The n8n processes run under libfaketime
 * (Debian package `faketime`) with a shared offset file, so the engine, n8n and the simulators move
 * together; PostgreSQL (lease expiry) and Redis keep real time, which is what they measure anyway.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOUR, MINUTE, OffsetClock } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator, type SimulatorTokenResponse } from '../../src/simulator';
import { progress } from '../../tools/n8n/install';
import { waitFor } from '../../tools/n8n/n8n';
import { REPO_ROOT } from '../../tools/n8n/pack';
import { startSlackStandIn, type SlackStandIn } from '../../tools/services/slack';
import { CREDENTIAL_TYPE, credentialFor } from '../../tools/n8n/xero';
import { startPrivateRedis, type PrivateService } from '../../tools/services/private-services';
import { pool } from '../../tools/queue/grants';
import { activateInQueueMode, startQueueStack, type QueueStack } from '../../tools/queue/stack';

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const SEED = 20261123;
const STREAMS = 4;
const XERO_SCOPES = 'offline_access openid profile email accounting.settings accounting.contacts';

interface Plan {
  form: 'short' | 'full';
  steps: number;
  stepMs: number;
  perStep: number;
  killAt: number;
  redisRestartAt: number;
}

function plan(full: boolean): Plan {
  // Short: a week in 14 half-day steps (every step needs a rotation). Full: every 30 minutes.
  return full
    ? { form: 'full', steps: 336, stepMs: 30 * MINUTE, perStep: 3, killAt: 100, redisRestartAt: 200 }
    : { form: 'short', steps: 14, stepMs: 12 * HOUR, perStep: 2, killAt: 5, redisRestartAt: 9 };
}

type Side = 'n8n' | 'ours';

interface Run {
  side: Side;
  sim: Simulator;
  clock: OffsetClock;
  grant: SimulatorTokenResponse;
  email: string;
  path: string;
  credentialId: string;
  workflowId: string;
  answers: Array<{ status: number; text: string; step: number }>;
  survived?: boolean;
  alertAfterMs?: number;
  slack?: SlackStandIn;
}

/** Moves the n8n processes' clock (libfaketime offset file) and both simulators' clocks together. */
class SharedTime {
  offsetMs = 0;
  constructor(
    readonly file: string,
    private readonly clocks: OffsetClock[],
  ) {
    writeFileSync(file, '+0\n');
  }
  advance(ms: number): void {
    this.offsetMs += ms;
    writeFileSync(this.file, `+${Math.round(this.offsetMs / 1000)}\n`);
    for (const c of this.clocks) c.advance(ms);
  }
}

function genericCredential(sim: Simulator, tokens: SimulatorTokenResponse, name: string): Record<string, unknown> {
  // As n8n's built-in xeroOAuth2Api sets it up (grant, URLs, scopes, header authentication).
  return {
    id: randomId(),
    name,
    type: 'oAuth2Api',
    data: {
      grantType: 'authorizationCode',
      authUrl: sim.authorizeUrl,
      accessTokenUrl: sim.tokenUrl,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      scope: XERO_SCOPES,
      authQueryParameters: '',
      authentication: 'header',
      oauthTokenData: { ...tokens },
    },
  };
}

function randomId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from({ length: 16 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}

function workload(side: Side, path: string, url: string, credential: { id: string; name: string }): Record<string, unknown> {
  const auth =
    side === 'ours'
      ? { authentication: 'predefinedCredentialType', nodeCredentialType: CREDENTIAL_TYPE }
      : { authentication: 'genericCredentialType', genericAuthType: 'oAuth2Api' };
  return {
    name: `survival ${side}`,
    nodes: [
      {
        id: randomUUID(),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: randomUUID(),
        parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
      },
      {
        id: randomUUID(),
        name: 'Xero',
        type: 'n8n-nodes-base.httpRequest',
        typeVersion: 4.2,
        position: [220, 0],
        parameters: { method: 'GET', url, ...auth, options: {} },
        credentials: { [side === 'ours' ? CREDENTIAL_TYPE : 'oAuth2Api']: credential },
      },
    ],
    connections: { Webhook: { main: [[{ node: 'Xero', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

async function post(url: string): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(90_000) });
    return { status: res.status, text: await res.text() };
  } catch (error) {
    return { status: 0, text: error instanceof Error ? error.message : String(error) };
  }
}

/** Executions of a workflow, all pages, with their error messages. */
async function executionErrors(stack: QueueStack, workflowId: string): Promise<{ total: number; failed: string[] }> {
  const failed: string[] = [];
  let total = 0;
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ workflowId, includeData: 'true', limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await stack.main.api('GET', `/executions?${q.toString()}`);
    if (answer.status !== 200) throw new Error(`GET /executions answered ${answer.status}`);
    for (const e of answer.json.data as any[]) {
      total++;
      if (e.status !== 'success') {
        const err = e.data?.resultData?.error;
        failed.push(`${e.status}: ${err?.message ?? ''} ${err?.description ?? ''}`.trim());
      }
    }
    cursor = answer.json.nextCursor ?? undefined;
  } while (cursor);
  return { total, failed };
}

const AUTH_FAILURE = /reconnect|Authorization failed|401|invalid_grant|refresh token|Xero Guard|access token|OAuth|credential/i;

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const p = plan(full);
  if (!existsSync(FAKETIME_LIB)) throw new Error(`${FAKETIME_LIB} is missing: apt-get install -y faketime (the bench moves n8n's clock with it)`);
  const started = Date.now();
  progress(`survival (${p.form}): ${p.steps} steps of ${p.stepMs / MINUTE} min, ${STREAMS} streams x ${p.perStep} executions per step per credential`);

  const clocks = [new OffsetClock(), new OffsetClock()];
  const sims = await Promise.all(clocks.map((clock) => startSimulator({ host: '127.0.0.1', clock, randomSeed: SEED })));
  const redis: PrivateService = await startPrivateRedis();
  const slack = await startSlackStandIn();
  const timeFile = join(REPO_ROOT, 'test-artifacts', `survival-faketime-${process.pid}`);
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  const time = new SharedTime(timeFile, clocks);
  let stack: QueueStack | undefined;
  const runs: Run[] = [];
  try {
    const bootStarted = Date.now();
    stack = await startQueueStack({
      workers: 2,
      label: 'survival',
      redis: { host: '127.0.0.1', port: redis.port },
      env: { LD_PRELOAD: FAKETIME_LIB, FAKETIME_TIMESTAMP_FILE: timeFile, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
    });
    const bootMs = Date.now() - bootStarted;
    progress(`survival: stack up in ${Math.round(bootMs / 1000)} s`);

    for (const [i, side] of (['n8n', 'ours'] as Side[]).entries()) {
      const sim = sims[i]!;
      const email = `survival-${side}@xero-guard.test`;
      const grant = sim.seedGrant({ email });
      const credential = side === 'ours' ? credentialFor(sim, grant, { name: `Xero ${side}` }) : genericCredential(sim, grant, `Xero ${side}`);
      await stack.main.importCredentials([credential]);
      const ref = { id: credential.id as string, name: credential.name as string };
      const path = `survival-${side}`;
      const workflowId = await stack.main.importWorkflow(workload(side, path, `${sim.apiUrl}/connections`, ref));
      await activateInQueueMode(stack.main, workflowId);
      runs.push({ side, sim, clock: clocks[i]!, grant, email, path, credentialId: ref.id, workflowId, answers: [] });
      if (side === 'ours') {
        // The Watchdog example, polling every minute (n8n's shortest) into the Slack stand-in.
        let text = readFileSync(join(REPO_ROOT, 'examples', 'watchdog-slack.json'), 'utf8');
        text = text.split('https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK').join(slack.url);
        const watchdog = JSON.parse(text) as { nodes: any[] };
        for (const node of watchdog.nodes) if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = ref;
        watchdog.nodes[0].parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
        await activateInQueueMode(stack.main, await stack.main.importWorkflow(watchdog));
      }
    }
    for (const sim of sims) {
      sim.faults.add({ kind: 'drop-response', endpoint: 'token', probability: 0.05 });
      sim.faults.add({ kind: 'server-error', status: 503, endpoint: 'token', probability: 0.05 });
      sim.faults.add({ kind: 'drop-response', endpoint: 'token', times: 1 });
    }

    const runStep = async (step: number, during?: () => Promise<void>): Promise<void> => {
      const lanes = runs.flatMap((run) => Array.from({ length: STREAMS }, () => run));
      const work = pool(lanes.length, lanes.length, async (lane) => {
        const run = lanes[lane]!;
        for (let k = 0; k < p.perStep; k++) {
          const answer = await post(`${stack!.main.url}/webhook/${run.path}`);
          run.answers.push({ ...answer, step });
        }
      });
      if (during) await during();
      await work;
    };

    // The simulators' last event before each step, to say at which step a dead-token use happened.
    const stepStarts: number[][] = [];
    const lastSeq = (sim: Simulator): number => sim.log().at(-1)?.seq ?? 0;
    for (let step = 1; step <= p.steps; step++) {
      stepStarts.push(sims.map(lastSeq));
      time.advance(p.stepMs);
      if (step === p.killAt) {
        // A refresh in flight: the token endpoints answer 5 s late this step; kill a worker once one is waiting.
        const ids = sims.map((sim) => sim.faults.add({ kind: 'delay', ms: 5000, when: 'after', endpoint: 'token', times: 1 }).id);
        const before = sims.map((sim) => sim.stats().requestsByEndpoint.token ?? 0);
        await runStep(step, async () => {
          await waitFor(
            'a refresh in flight',
            () => (sims.some((sim, i) => (sim.stats().requestsByEndpoint.token ?? 0) > before[i]!) ? true : undefined),
            60_000,
            50,
          ).catch(() => undefined);
          const victim = stack!.workers[1]!;
          progress(`survival: step ${step}: SIGKILL ${victim.name} (pid ${victim.pid}) during a refresh`);
          await victim.kill();
          await victim.start();
        });
        ids.forEach((id, i) => sims[i]!.faults.remove(id));
        // A simulated step is hours long, but its bursts run back to back: before the clock jumps, give
        // the minutes after the crash real time to pass (the dead worker's 30 s lease runs out and the
        // Watchdog polls once more, as it would many times in those hours), the same wait for both sides.
        const killedAt = Date.now();
        const polls = (): number => (stack!.main.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
        let pollsAfterLease: number | undefined;
        await waitFor(
          "a Watchdog poll after the dead worker's lease ran out",
          () => {
            if (Date.now() - killedAt < 31_000) return undefined;
            pollsAfterLease ??= polls();
            return polls() > pollsAfterLease ? true : undefined;
          },
          150_000,
          500,
        ).catch(() => progress('survival: no Watchdog poll within 150 s of the crash'));
      } else if (step === p.redisRestartAt) {
        progress(`survival: step ${step}: restarting the queue Redis`);
        await redis.stop();
        await redis.start();
        // n8n gives up on a Redis it cannot reach for QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD and exits: a
        // worker that did is started again, as a supervisor would.
        for (const w of stack.workers) {
          const healthy = await waitFor(
            `${w.name} healthy after the Redis restart`,
            async () => {
              const r = await fetch(`http://127.0.0.1:${w.healthPort}/healthz/readiness`).catch(() => undefined);
              return r?.status === 200 ? true : undefined;
            },
            60_000,
            500,
          ).catch(() => false);
          if (!healthy) {
            progress(`survival: ${w.name} did not come back after the Redis restart: starting it again`);
            await w.stop();
            await w.start();
          }
        }
        await runStep(step);
      } else {
        await runStep(step);
      }
      const line = runs.map((r) => `${r.side} ${r.answers.filter((a) => a.step === step && a.status === 200).length}/${STREAMS * p.perStep}`).join(', ');
      progress(`survival: step ${step}/${p.steps} (+${(time.offsetMs / HOUR).toFixed(1)} h): ok ${line}`);
    }

    stepStarts.push(sims.map(lastSeq));
    // End of the week: faults off, is each connection alive?
    for (const sim of sims) sim.faults.clear();
    time.advance(p.stepMs);
    for (const run of runs) {
      const answers = await pool(2, 1, () => post(`${stack!.main.url}/webhook/${run.path}`));
      run.survived = answers.every((a) => a.status === 200);
    }

    // Revocation: time to the first alert.
    // The week's verdict is taken before the revocation: after it, presenting the (now revoked) refresh
    // token once is how a client learns of it, counted separately below.
    const weekStats = sims.map((sim) => sim.stats());
    const alertsDuringWeek = slack.messages.length;
    slack.clear();
    const revokedAt = Date.now();
    for (const run of runs) run.sim.revokeUser(run.email);
    await waitFor('the Watchdog to alert', () => (slack.messages.length > 0 ? true : undefined), 150_000, 500).catch(() => undefined);
    const ours = runs.find((r) => r.side === 'ours')!;
    if (slack.messages.length > 0) ours.alertAfterMs = slack.messages[0]!.at - revokedAt;

    const rows: Array<[string, string, string]> = [];
    for (const [i, run] of runs.entries()) {
      const stats = { ...weekStats[i]!, deadAfterRevocation: run.sim.stats().deadTokenUses - weekStats[i]!.deadTokenUses };
      const ex = await executionErrors(stack, run.workflowId);
      const authFailed = ex.failed.filter((m) => AUTH_FAILURE.test(m)).length;
      (run as Run & { stats?: unknown }).stats = { stats, ex, authFailed };
    }
    const get = (side: Side): Run & { stats?: any } => runs.find((r) => r.side === side) as Run & { stats?: any };
    const n8n = get('n8n');
    const our = get('ours');
    const cell = (r: Run & { stats?: any }, f: (r: Run & { stats?: any }) => string): string => f(r);
    const add = (label: string, f: (r: Run & { stats?: any }) => string): void => void rows.push([label, cell(n8n, f), cell(our, f)]);
    add('executions (webhook calls)', (r) => String(r.answers.length));
    add('answered 200', (r) => String(r.answers.filter((a) => a.status === 200).length));
    add('token-endpoint requests', (r) => String(r.stats.stats.requestsByEndpoint.token ?? 0));
    add('  of which faulted (dropped / 5xx / delayed)', (r) => String(r.stats.stats.faultsFired ?? '-'));
    add('dead-token uses', (r) => String(r.stats.stats.deadTokenUses));
    add('revoked refresh token presented after the revocation', (r) => String(r.stats.stats.deadAfterRevocation));
    add('executions failed (recorded by n8n)', (r) => String(r.stats.ex.failed.length));
    add('executions failed for auth', (r) => String(r.stats.authFailed));
    add('connection alive after the week', (r) => (r.survived ? 'yes' : 'no'));
    add('alerts before the revocation (false alarms)', (r) => (r.side === 'n8n' ? '-' : String(alertsDuringWeek)));
    add('time to first alert after revocation', (r) =>
      r.side === 'n8n'
        ? 'none: n8n has no connection alert'
        : r.alertAfterMs !== undefined
          ? `${Math.round(r.alertAfterMs / 1000)} s (Watchdog, polls every minute)`
          : 'no alert within 150 s',
    );
    const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length), 20), Math.max(...rows.map((r) => r[2].length), 20)];
    const header: [string, string, string] = ['', "n8n's own oAuth2Api", 'Xero Guard'];
    const table = [header, ['---', '---', '---'] as [string, string, string], ...rows]
      .map((r) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`)
      .join('\n');
    const sampleErrors = (r: Run & { stats?: any }): string =>
      [...new Set((r.stats.ex.failed as string[]).map((m) => m.slice(0, 160)))]
        .slice(0, 5)
        .map((m) => `  - ${m}`)
        .join('\n') || '  - none';
    const stepOf = (simIndex: number, seq: number): string => {
      const i = stepStarts.findIndex((starts) => starts[simIndex]! >= seq);
      return i < 0 ? 'after the week' : i === 0 ? 'setup' : `step ${i}`;
    };
    const deadLines: string[] = [];
    runs.forEach((run, simIndex) => {
      const events = run.sim.log();
      for (const e of events) {
        if (e.type !== 'dead-token-use') continue;
        const issued = events.find((x) => x.type === 'token-issued' && x.refreshToken === e.refreshToken);
        const spent = events.find((x) => x.type === 'token-spent' && x.refreshToken === e.refreshToken);
        deadLines.push(
          `  - ${run.side}: at ${stepOf(simIndex, e.seq)}, reason ${e.reason}; that refresh token was issued at ${issued ? stepOf(simIndex, issued.seq) : '?'} and spent at ${spent ? stepOf(simIndex, spent.seq) : '?'}`,
        );
      }
    });
    const took = Math.round((Date.now() - started) / 1000);
    const report = `# Survival benchmark (${p.form} form), ${new Date().toISOString()}

n8n 2.41.1 in queue mode (main + 2 workers, private PostgreSQL database, private Redis), one simulator per credential with fault seed ${SEED}.
A simulated week in ${p.steps} steps of ${p.stepMs / MINUTE} minutes; per step ${STREAMS} concurrent streams x ${p.perStep} webhook executions per credential (HTTP Request node, GET /connections).
Faults on both token endpoints: 5% dropped responses and 5% 503s (probability, fixed seed), one dropped response forced on the first rotation,
one worker SIGKILLed at step ${p.killAt} while a token request was in flight (token answers delayed 5 s that step; afterwards real time runs until the
dead worker's lease expired and the Watchdog polled once more before the clock moves on), the queue Redis restarted at step ${p.redisRestartAt}.
Then faults off, one more step, two executions each ("alive"), and the user revokes access at each simulator.

${table}

Clock: the n8n processes run under libfaketime with a shared offset file moved together with the simulators' clocks, so n8n, Xero Guard's engine and
"Xero" agree on the simulated time. PostgreSQL (lease expiry) and Redis keep real time: the lease and queue timings are real seconds, only the
token lifetimes see the week. Boot ${Math.round(bootMs / 1000)} s, total ${took} s.

Limits: each step's executions run back to back at the start of the step (seconds of real time), so a retry after a dropped token
response lands inside Xero's 30-minute grace window for both credentials; in real use the next request may come later than that,
which this compression does not model (it favours n8n's own credential, which recovers only on a later 401). The short form makes
few token requests, so the seeded 5% faults fire rarely (the counts above); --full makes about 336 rotations. Executions lost with
the killed worker count as failed ("failed to be processed too many times"), for either credential.

Every dead refresh-token presentation, the week's and the ones after the revocation (reason revoked):
${deadLines.join('\n') || '  - none'}

Failed executions, n8n's own credential (distinct messages):
${sampleErrors(n8n)}

Failed executions, Xero Guard (distinct messages):
${sampleErrors(our)}
`;
    process.stdout.write(`\n${table}\n`);
    const dir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `survival-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}${full ? '-full' : ''}.md`);
    writeFileSync(out, report);
    progress(`survival: wrote ${out} (${took} s)`);
    if (our.stats.stats.deadTokenUses !== 0 || !our.survived) process.exitCode = 1;
  } finally {
    await stack?.stop().catch((error: unknown) => progress(`survival: stopping the stack: ${String(error)}`));
    const left = stack?.processesLeft() ?? [];
    if (left.length > 0) progress(`survival: processes left behind: ${JSON.stringify(left)}`);
    await redis.destroy().catch(() => undefined);
    await slack.close();
    for (const sim of sims) await sim.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
