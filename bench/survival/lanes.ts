/**
 * A lane is one credential under test in one grace mode: its own simulator (on the shared clock),
 * its own grant, credential and webhook workflow, and for our side the Watchdog into its own
 * Slack stand-in. Every scenario runs the same lanes for both sides under the same schedule.
 */
import type { OffsetClock } from '../../src/clock';
import { GRACE_MODES, startSimulator, type GraceMode, type Simulator, type SimulatorTokenResponse } from '../../src/simulator';
import { isUnregisteredWebhook, waitFor } from '../../tools/n8n/n8n';
import { pool } from '../../tools/queue/grants';
import { startSlackStandIn, type SlackStandIn } from '../../tools/services/slack';
import type { Host } from './hosts';
import {
  AUTH_FAILURE,
  credentialOf,
  executionErrors,
  pollsLogged,
  post,
  watchdogWorkflow,
  workloadWorkflow,
  type Answer,
  type SharedTime,
  type Side,
  WATCHDOG_NAME,
} from './parts';

export const SEED = 20261123;

export interface LaneSpec {
  side: Side;
  /** Told apart in the table when one side runs twice (n8n's own with a hand-made keep-alive). */
  variant?: string;
  /** Ours runs the Watchdog example as shipped unless a scenario says otherwise. */
  watchdog?: boolean;
}

export class Lane {
  readonly answers: Answer[] = [];
  humanActions = 0;
  watchdogId: string | undefined;
  alive: boolean | undefined;
  firstAlertAfterMs: number | undefined;
  recoveredAfterMs: number | undefined;
  readonly notes: string[] = [];

  constructor(
    readonly spec: LaneSpec,
    readonly grace: GraceMode,
    readonly sim: Simulator,
    readonly clock: OffsetClock,
    readonly email: string,
    public grant: SimulatorTokenResponse,
    readonly credential: { id: string; name: string },
    readonly path: string,
    readonly workflowId: string,
    readonly slack: SlackStandIn | undefined,
    private readonly time: SharedTime,
  ) {}

  get side(): Side {
    return this.spec.side;
  }

  /** The Watchdog workflow's name: polls are counted in n8n's log by it. */
  get watchdogName(): string {
    return `${WATCHDOG_NAME} ${this.path}`;
  }

  get label(): string {
    return `${this.side === 'ours' ? 'Xero Guard' : "n8n's own"}${this.spec.variant ? ` + ${this.spec.variant}` : ''} · ${this.grace}`;
  }

  /** `count` executions at once through the host's webhook processes (round robin). */
  async run(host: Host, count: number): Promise<Answer[]> {
    const atMs = this.time.offsetMs;
    const answers = await pool(count, count, (i) => postRegistered(`${host.webhookBase(i)}/webhook/${this.path}`));
    const recorded = answers.map((a) => ({ ...a, atMs }));
    this.answers.push(...recorded);
    return recorded;
  }

  /** The user reconnects ("Connect" / "Switch account"): a new grant stored in the same credential. */
  async reconnect(host: Host): Promise<void> {
    this.grant = this.sim.seedGrant({ email: this.email });
    await host.main.importCredentials([credentialOf(this.side, this.sim, this.grant, this.credential.name, this.credential.id)]);
    this.humanActions++;
  }

  alerts(): number | undefined {
    return this.slack?.messages.length;
  }

  async close(host: Host): Promise<void> {
    for (const id of [this.workflowId, this.watchdogId]) if (id) await host.deactivate(id).catch(() => undefined);
    await this.slack?.close();
    await this.sim.close();
    this.time.forget(this.clock);
  }
}

export interface OpenLanesOptions {
  scenario: string;
  specs: LaneSpec[];
  graces?: readonly GraceMode[];
  /** What the workload's HTTP Request reads (default Xero's /connections). */
  url?: (sim: Simulator) => string;
}

/**
 * n8n answers an activation before its webhook is registered: a 404 "is not registered" ran nothing,
 * so it is asked again (bounded) rather than counted as a failed execution.
 */
async function postRegistered(url: string): Promise<{ status: number; text: string }> {
  const until = Date.now() + 90_000;
  for (;;) {
    const answer = await post(url);
    if (!isUnregisteredWebhook(answer) || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One simulator, credential and workflow per spec and grace mode, activated on the host. */
export async function openLanes(host: Host, time: SharedTime, options: OpenLanesOptions): Promise<Lane[]> {
  const lanes: Lane[] = [];
  for (const grace of options.graces ?? GRACE_MODES) {
    for (const spec of options.specs) {
      const clock = time.newClock();
      const sim = await startSimulator({ host: '127.0.0.1', clock, randomSeed: SEED, graceMode: grace });
      const tag = `${options.scenario}-${spec.side}${spec.variant ? `-${spec.variant.replace(/\W+/g, '-')}` : ''}-${grace}`;
      const email = `${tag}@xero-guard.test`;
      const grant = sim.seedGrant({ email });
      const name = `Xero ${tag}`;
      const credential = credentialOf(spec.side, sim, grant, name);
      await host.main.importCredentials([credential]);
      const ref = { id: credential.id as string, name };
      const url = options.url?.(sim) ?? `${sim.apiUrl}/connections`;
      const workflowId = await host.main.importWorkflow(workloadWorkflow(spec.side, `survival ${tag}`, tag, url, ref));
      await host.activate(workflowId);
      const slack = spec.side === 'ours' && spec.watchdog !== false ? await startSlackStandIn() : undefined;
      const lane = new Lane(spec, grace, sim, clock, email, grant, ref, tag, workflowId, slack, time);
      if (slack) {
        lane.watchdogId = await host.main.importWorkflow(watchdogWorkflow(slack.url, ref, lane.watchdogName));
        await host.activate(lane.watchdogId);
      }
      lanes.push(lane);
    }
  }
  return lanes;
}

/** Waits until every Watchdog of these lanes has polled at least once more and finished. */
export async function nextPolls(host: Host, lanes: Lane[], timeoutMs = 150_000): Promise<void> {
  const watched = lanes.filter((l) => l.watchdogId);
  if (watched.length === 0) return;
  const names = watched.map((l) => l.watchdogName);
  const before = names.map((n) => pollsLogged(host.main, n));
  await waitFor('a Watchdog poll of every lane', () => (names.every((n, i) => pollsLogged(host.main, n) > before[i]!) ? true : undefined), timeoutMs, 500);
  await waitFor(
    'those polls to finish',
    async () => {
      for (const l of watched) {
        const running = await host.main.executions({ workflowId: l.watchdogId, status: 'running', limit: 5 });
        if (running.length > 0) return undefined;
      }
      return true;
    },
    120_000,
    500,
  );
}

/** The figures every scenario reports for a lane. */
export interface LaneResult {
  label: string;
  side: Side;
  variant: string | null;
  grace: GraceMode;
  executions: number;
  answered: number;
  failed: number;
  failedForAuth: number;
  tokenRequests: number;
  /** A refresh token presented again after it was spent, inside Xero's grace window. */
  spentTokenReuses: number;
  /** A refresh token presented after it died (spent beyond the grace window, expired, killed). */
  deadTokenPresentations: number;
  /** The revoked refresh token presented after the user revoked access: how a client learns of it. */
  revokedTokenPresentations: number;
  aliveAtEnd: boolean;
  /** Messages the Watchdog posted; null where the side has no alerting. */
  alerts: number | null;
  alertTexts: string[];
  humanActions: number;
  firstAlertAfterS: number | null;
  recoveredAfterS: number | null;
  failureMessages: string[];
  /** What the webhook callers got back when it was not a 200 (simulated minute, status, text), first ten. */
  failedAnswers: string[];
  notes: string[];
}

export async function resultOf(host: Host, lane: Lane): Promise<LaneResult> {
  const events = lane.sim.log();
  const dead = events.filter((e) => e.type === 'dead-token-use') as Array<{ reason: string }>;
  const recorded = await executionErrors(host.main, lane.workflowId);
  const stats = lane.sim.stats();
  const aliveAtEnd = lane.alive ?? false;
  return {
    label: lane.label,
    side: lane.side,
    variant: lane.spec.variant ?? null,
    grace: lane.grace,
    executions: lane.answers.length,
    answered: lane.answers.filter((a) => a.status === 200).length,
    failed: lane.answers.filter((a) => a.status !== 200).length,
    failedForAuth: recorded.failed.filter((m) => AUTH_FAILURE.test(m)).length,
    tokenRequests: stats.requestsByEndpoint.token ?? 0,
    spentTokenReuses: stats.graceReuses,
    deadTokenPresentations: dead.filter((d) => d.reason !== 'revoked').length,
    revokedTokenPresentations: dead.filter((d) => d.reason === 'revoked').length,
    aliveAtEnd,
    alerts: lane.alerts() ?? null,
    alertTexts: (lane.slack?.messages ?? []).map((m) => String((m.body as { text?: unknown } | undefined)?.text ?? m.raw).slice(0, 300)),
    humanActions: lane.humanActions + (aliveAtEnd ? 0 : 1),
    firstAlertAfterS: lane.firstAlertAfterMs === undefined ? null : Math.round(lane.firstAlertAfterMs / 1000),
    recoveredAfterS: lane.recoveredAfterMs === undefined ? null : Math.round(lane.recoveredAfterMs / 1000),
    failureMessages: [...new Set(recorded.failed.map((m) => m.slice(0, 200)))].slice(0, 5),
    failedAnswers: lane.answers
      .filter((a) => a.status !== 200)
      .slice(0, 10)
      .map((a) => `+${Math.round(a.atMs / 60_000)} min: ${a.status} ${a.text.replace(/\s+/g, ' ').slice(0, 160)}`),
    notes: lane.notes,
  };
}

/** The simulator's newest event, to look for what happened after it. */
export function lastSeq(sim: Simulator): number {
  return sim.log().at(-1)?.seq ?? 0;
}

/**
 * Xero has issued a new pair from a refresh since event `seq`: with its answer held back, the
 * refresh is then in flight between Xero's issue and the client's save (a request counter would
 * only move once the answer is sent).
 */
export function refreshIssuedSince(sim: Simulator, seq: number): boolean {
  return sim.log().some((e) => e.seq > seq && e.type === 'token-issued' && e.grantType === 'refresh_token');
}

/** Faults off, then `count` executions: the connection is alive if every one is answered. */
export async function checkAlive(host: Host, lanes: Lane[], count = 2): Promise<void> {
  for (const lane of lanes) lane.sim.faults.clear();
  await Promise.all(
    lanes.map(async (lane) => {
      const answers = await lane.run(host, count);
      lane.alive = answers.every((a) => a.status === 200);
    }),
  );
}
