/**
 * The n8n versions the README claims. On the oldest supported n8n (2.20.x, the first whose OAuth2
 * path runs a credential's preAuthentication) the smoke suite passes: our credential through n8n's
 * HTTP Request node against the simulator, no token call while fresh, exactly one token-endpoint
 * request per rotation, zero dead-token uses. On an older n8n our nodes refuse with the message
 * naming 2.20 and send nothing to Xero.
 *
 * The older part needs a real n8n below 2.20 that installs and starts, and this registry has none:
 * it serves no 2.18.x or 2.19.x; 2.17.7 does not install (it pins @n8n/ai-node-sdk@0.8.0, which the
 * registry does not serve); 2.16.1 installs but does not start ("Failed to load module
 * breaking-changes": its published @n8n/backend-common 1.16.0 does not match it). So that part runs
 * on a real older n8n with XERO_GUARD_OLD_N8N=<version> (e.g. 2.19.x where the registry serves it), and
 * otherwise on the pinned n8n with its detected version set to 2.19.0 (the gate's logic is also unit-tested).
 */
import type { OffsetClock } from '../../../src/clock';
import { DEMO_TENANT_ID, type Simulator, type SimulatorTokenResponse } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, httpRequestWorkflow, seedExpiredGrant, startE2eSimulator } from '../../../tools/n8n/xero';
import { webhookInto } from '../../../tools/n8n/workflows';
import { tokenRequests } from '../../../tools/queue/grants';
import { ensureOldN8n } from './install-old';

jest.setTimeout(300_000);

const OLDEST_SUPPORTED = '2.20.12';
const TOO_OLD = process.env.XERO_GUARD_OLD_N8N ?? '';

describe(`smoke suite on the oldest supported n8n (${OLDEST_SUPPORTED})`, () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let clock: OffsetClock;
  let rotate: SimulatorTokenResponse;
  const test = e2eTest(() => ({ n8n, sim }));

  beforeAll(async () => {
    const started = Date.now();
    await ensureOldN8n(OLDEST_SUPPORTED);
    progress(`versions: n8n ${OLDEST_SUPPORTED} ready in ${Math.round((Date.now() - started) / 1000)} s`);
    ({ sim, clock } = await startE2eSimulator());
    n8n = await startN8n({ version: OLDEST_SUPPORTED });
    const fresh = sim.seedGrant({ email: 'fresh@xero-guard.test' });
    rotate = seedExpiredGrant(sim, clock, 'rotate@xero-guard.test');
    const list = [credentialFor(sim, fresh, { name: 'Xero fresh' }), credentialFor(sim, rotate, { name: 'Xero rotate' })];
    await n8n.importCredentials(list);
    const [f, r] = list.map((c) => ({ id: c.id, name: c.name }));
    await n8n.activate(
      await n8n.importWorkflow(
        httpRequestWorkflow({
          name: 'fresh: organisation',
          path: 'fresh-organisation',
          url: `${sim.apiUrl}/api.xro/2.0/Organisation`,
          credential: f!,
          tenantId: DEMO_TENANT_ID,
        }),
      ),
    );
    await n8n.activate(
      await n8n.importWorkflow(
        httpRequestWorkflow({ name: 'rotate: connections', path: 'rotate-connections', url: `${sim.apiUrl}/connections`, credential: r! }),
      ),
    );
  }, 1_800_000); // a first run installs n8n (minutes)

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
  });

  test('the packed package loads: our credential type and four nodes', async () => {
    expect((await n8n!.credentialTypes()).map((c) => c.name)).toContain(CREDENTIAL_TYPE);
    const names = (await n8n!.nodeTypes()).map((t) => t.name);
    for (const node of ['xeroGuardConnectionTrigger', 'xeroGuardCheckConnection', 'xeroGuardRefreshToken', 'xeroGuardClassifyError'])
      expect(names).toContain(`${PACKAGE}.${node}`);
  });

  test('the HTTP Request node through our credential reads Organisation with no token call while the token is fresh', async () => {
    const before = tokenRequests(sim!);
    const answer = await n8n!.webhook('fresh-organisation');
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.json)).toContain('Organisations');
    expect(tokenRequests(sim!)).toBe(before);
  });

  test('an expired access token rotates with exactly one token-endpoint request, then none, zero dead-token uses', async () => {
    const before = tokenRequests(sim!);
    const answers = await Promise.all(Array.from({ length: 10 }, () => n8n!.webhook('rotate-connections')));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(tokenRequests(sim!) - before).toBe(1);
    expect(sim!.refreshTokenState(rotate.refresh_token!)).not.toBe('live');
    expect((await n8n!.webhook('rotate-connections')).status).toBe(200);
    expect(tokenRequests(sim!) - before).toBe(1);
    expect(sim!.stats().deadTokenUses).toBe(0);
  });
});

// No n8n below 2.20 that this registry serves installs and starts (none of 2.18/2.19 is served, 2.17 misses a
// dependency, 2.16 fails to boot), so by default the pinned n8n runs with its detected version set to 2.19.0:
// the real gate in a real runtime, with only the version reading substituted.
const REFUSED_VERSION = TOO_OLD || '2.19.0';
const OLD_LABEL = TOO_OLD ? `n8n ${TOO_OLD}` : 'the pinned n8n reporting 2.19.0, as no older n8n installs here';

describe(`on n8n older than 2.20 (${OLD_LABEL}) our nodes refuse`, () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  const test = e2eTest(() => ({ n8n, sim }));

  beforeAll(async () => {
    const started = Date.now();
    if (TOO_OLD) {
      await ensureOldN8n(TOO_OLD);
      progress(`versions: n8n ${TOO_OLD} ready in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    ({ sim } = await startE2eSimulator());
    n8n = await startN8n(TOO_OLD ? { version: TOO_OLD } : { env: { XERO_GUARD_N8N_VERSION: REFUSED_VERSION } });
    const grant = sim.seedGrant({ email: 'old@xero-guard.test' });
    const credential = credentialFor(sim, grant, { name: 'Xero old' });
    await n8n.importCredentials([credential]);
    const credentials = { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } };
    await n8n.activate(
      await n8n.importWorkflow(
        webhookInto('old: check', 'old-check', {
          name: 'Check Xero Connection',
          type: `${PACKAGE}.xeroGuardCheckConnection`,
          typeVersion: 1,
          parameters: {},
          credentials,
        }),
      ),
    );
    await n8n.activate(
      await n8n.importWorkflow(
        webhookInto('old: refresh', 'old-refresh', {
          name: 'Refresh Xero Token',
          type: `${PACKAGE}.xeroGuardRefreshToken`,
          typeVersion: 1,
          parameters: { mode: 'force' },
          credentials,
        }),
      ),
    );
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
  });

  test('Check Connection and Refresh Token fail with the message naming 2.20 and send nothing to Xero', async () => {
    const before = sim!.stats().requests;
    for (const path of ['old-check', 'old-refresh']) {
      const answer = await n8n!.webhook(path);
      expect(answer.status).toBe(500);
    }
    const failed = await n8n!.executions({ status: 'error' });
    expect(failed).toHaveLength(2);
    for (const execution of failed) {
      const error = JSON.stringify(execution.data?.resultData?.error ?? {});
      expect(error).toContain(`this is n8n ${REFUSED_VERSION}`);
      expect(error).toContain('Upgrade n8n to 2.20.0 or newer');
    }
    expect(sim!.stats().requests).toBe(before);
    expect(sim!.stats().tokenCalls).toBe(0);
  });
});
