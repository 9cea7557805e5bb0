/**
 * Queue mode on real n8n 2.41.1: a main process and two `n8n worker` processes on a private
 * PostgreSQL database and the machine's Redis (own Bull prefix), the packed package loaded in each.
 * The credential picks the PostgreSQL ledger by itself (EXECUTIONS_MODE=queue + DB_TYPE=postgresdb).
 *
 * Shows: 200 webhook executions after the access token entered the refresh-ahead window run on both
 * workers with exactly one token-endpoint request and zero dead-token uses; then every n8n process
 * is restarted and the chain goes on from the ledger (no token call, the spent root never presented
 * again, a forced rotation descends from the last rotated token); nothing is left running.
 */
import { MINUTE, type OffsetClock } from '../../../src/clock';
import type { Simulator, SimulatorTokenResponse } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, httpRequestWorkflow, startE2eSimulator } from '../../../tools/n8n/xero';
import { webhookInto } from '../../../tools/n8n/workflows';
import { pool, seedGrantExpiringIn, tokenRequests } from '../../../tools/queue/grants';
import { activateInQueueMode, startQueueStack, type QueueStack } from '../../../tools/queue/stack';

jest.setTimeout(600_000);

const EXECUTIONS = 200;
const PARALLEL = 10;

describe('Xero Guard in n8n queue mode (main + 2 workers, PostgreSQL ledger)', () => {
  let stack: QueueStack | undefined;
  let sim: Simulator | undefined;
  let clock: OffsetClock;
  let grant: SimulatorTokenResponse;
  let workflowId: string;
  const diagnosticsTest = e2eTest(() => ({ n8n: stack?.main, sim }));
  const test = (name: string, fn: () => Promise<void>): void =>
    diagnosticsTest(name, async () => {
      try {
        await fn();
      } catch (error) {
        if (stack && error instanceof Error) error.message = `${error.message}\n${stack.diagnostics()}`;
        throw error;
      }
    });

  beforeAll(async () => {
    ({ sim, clock } = await startE2eSimulator());
    const started = Date.now();
    stack = await startQueueStack({ workers: 2, label: 'queue' });
    progress(`queue: main + 2 workers up in ${Math.round((Date.now() - started) / 1000)} s (database ${stack.database.name}, prefix ${stack.prefix})`);
    // Expires in 2 minutes: inside the engine's 5-minute refresh-ahead window, still valid at the simulator.
    grant = seedGrantExpiringIn(sim, clock, 2 * MINUTE, 'queue@xero-guard.test');
    const credential = credentialFor(sim, grant, { name: 'Xero queue' });
    await stack.main.importCredentials([credential]);
    const ref = { id: credential.id, name: credential.name };
    workflowId = await stack.main.importWorkflow(
      httpRequestWorkflow({ name: 'queue: connections', path: 'queue-connections', url: `${sim.apiUrl}/connections`, credential: ref }),
    );
    await activateInQueueMode(stack.main, workflowId);
    const force = await stack.main.importWorkflow(
      webhookInto('queue: force rotation', 'queue-force', {
        name: 'Refresh Xero Token',
        type: `${PACKAGE}.xeroGuardRefreshToken`,
        typeVersion: 1,
        parameters: { mode: 'force' },
        credentials: { [CREDENTIAL_TYPE]: ref },
      }),
    );
    await activateInQueueMode(stack.main, force);
  }, 1_800_000); // a first run installs n8n (minutes)

  afterAll(async () => {
    const s = stack;
    await s?.stop();
    await sim?.close();
    if (s) expect(s.processesLeft()).toEqual([]);
  });

  test(`${EXECUTIONS} executions after the access token entered the refresh-ahead window: one token-endpoint request, zero dead-token uses, both workers ran them`, async () => {
    const before = tokenRequests(sim!);
    const started = Date.now();
    const answers = await pool(EXECUTIONS, PARALLEL, () => stack!.main.webhook('queue-connections'));
    progress(`queue: ${EXECUTIONS} executions (${PARALLEL} in flight) took ${Date.now() - started} ms`);
    expect(answers.map((a) => a.status)).toEqual(Array(EXECUTIONS).fill(200));
    expect(tokenRequests(sim!) - before).toBe(1);
    expect(sim!.stats().deadTokenUses).toBe(0);
    expect(sim!.refreshTokenState(grant.refresh_token!)).not.toBe('live');

    const list = await stack!.main.api('GET', `/executions?workflowId=${workflowId}&limit=250&includeData=false`);
    expect(list.status).toBe(200);
    const runs = (list.json as { data: Array<{ id: string; status: string }> }).data;
    expect(runs.filter((r) => r.status === 'success')).toHaveLength(EXECUTIONS);
    // Each worker logs "Worker started execution <id>": every execution ran on exactly one worker, both took some.
    const byWorker: Record<string, number> = {};
    for (const run of runs) {
      const worker = stack!.workerOf(String(run.id));
      expect(worker).toBeDefined();
      byWorker[worker!] = (byWorker[worker!] ?? 0) + 1;
    }
    progress(`queue: executions per worker ${JSON.stringify(byWorker)}`);
    expect(Object.keys(byWorker).sort()).toEqual(['worker-1', 'worker-2']);
  });

  test('after restarting main and both workers the chain goes on from the ledger: no token call, the spent root never presented, a forced rotation descends from the last token', async () => {
    const issued = sim!.log().filter((e) => e.type === 'token-issued' && e.grantType === 'refresh_token');
    expect(issued).toHaveLength(1);
    const lastRefresh = (issued.at(-1) as { refreshToken?: string }).refreshToken!;
    const oldPids = [stack!.main.pid, ...stack!.workers.map((w) => w.pid)];
    const seq = sim!.log().at(-1)?.seq ?? 0;
    const started = Date.now();
    await stack!.restartAll();
    progress(`queue: restart of main + 2 workers took ${Math.round((Date.now() - started) / 1000)} s`);
    for (const pid of oldPids) expect([stack!.main.pid, ...stack!.workers.map((w) => w.pid)]).not.toContain(pid);

    const before = tokenRequests(sim!);
    const answers = await pool(40, PARALLEL, () => stack!.main.webhook('queue-connections'));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(tokenRequests(sim!)).toBe(before);

    const forced = await stack!.main.webhook('queue-force');
    expect(forced.status).toBe(200);
    expect(tokenRequests(sim!) - before).toBe(1);
    const rotation = sim!.log(seq).filter((e) => e.type === 'token-issued');
    expect(rotation).toHaveLength(1);
    expect((rotation[0] as { parentRefreshToken?: string }).parentRefreshToken).toBe(lastRefresh);

    const after = await pool(20, PARALLEL, () => stack!.main.webhook('queue-connections'));
    expect(after.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(tokenRequests(sim!) - before).toBe(1);
    expect(sim!.stats().deadTokenUses).toBe(0);
    // The connect-time refresh token stored in n8n's credential was never presented again.
    const presented = sim!.log().filter((e) => (e.type === 'grace-reuse' || e.type === 'dead-token-use') && JSON.stringify(e).includes(grant.refresh_token!));
    expect(presented).toEqual([]);
  });
});
