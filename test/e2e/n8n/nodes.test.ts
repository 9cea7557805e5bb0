/**
 * Our four nodes and the three examples on a real n8n 2.41.1 loading the packed tarball, against
 * the simulator: Check Connection, Refresh Token, Classify Xero Error, every example imported, the
 * Retry loop run end to end, and the Watchdog example (Connection Trigger -> Slack) alerting exactly
 * once when the Xero user is revoked, with no token in the message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OffsetClock } from '../../../src/clock';
import type { CheckResult } from '../../../src/check';
import type { Classification } from '../../../src/classify';
import { DEMO_TENANT_ID, type Simulator, type SimulatorTokenResponse } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, waitFor, type N8nHandle } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/services/slack';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, startE2eSimulator, tokenCalls, tokensOfGrant } from '../../../tools/n8n/xero';
import { webhookInto, type WorkflowJson } from '../../../tools/n8n/workflows';

jest.setTimeout(300_000);

const EXAMPLES = ['watchdog-slack.json', 'retry-loop.json', 'keep-alive.json', 'invoice-paid-slack.json', 'overdue-digest-slack.json', 'new-contact-crm.json'];
const SLACK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK';
const OUR_NODES = ['xeroGuardConnectionTrigger', 'xeroGuardCheckConnection', 'xeroGuardRefreshToken', 'xeroGuardClassifyError', 'xeroGuardConnections'].map(
  (n) => `${PACKAGE}.${n}`,
);

/** What the Refresh Token node puts out: the field read here. */
type Refreshed = { refreshed: boolean };
/** What the Classify Xero Error node puts out: its input with the classification. */
type Classified = { classification: Classification };

function example(file: string): WorkflowJson {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8')) as WorkflowJson;
}

/** An example wired to this test's credential, simulator and Slack stand-in, as a user would edit it. */
function wired(file: string, credential: { id: string; name: string }, replacements: Record<string, string>): WorkflowJson {
  let text = readFileSync(join(REPO_ROOT, 'examples', file), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  const workflow = JSON.parse(text) as WorkflowJson;
  for (const node of workflow.nodes) if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = credential;
  return workflow;
}

const containsAny = (text: string, secrets: string[]): string[] => secrets.filter((s) => s.length > 8 && text.includes(s));

describe('Xero Guard nodes and examples on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let clock: OffsetClock;
  let slack: SlackStandIn | undefined;
  const test = e2eTest(() => ({ n8n, sim }));
  let nodesCred: { id: string; name: string };
  let watchCred: { id: string; name: string };
  let retryCred: { id: string; name: string };
  let nodesGrant: SimulatorTokenResponse;
  let watchGrant: SimulatorTokenResponse;
  let retryGrant: SimulatorTokenResponse | undefined;

  beforeAll(async () => {
    ({ sim, clock } = await startE2eSimulator());
    void clock;
    slack = await startSlackStandIn();
    n8n = await startN8n();
    // One Xero user per credential: a new chain of the same user and app supersedes the older one.
    nodesGrant = sim.seedGrant({ email: 'nodes@xero-guard.test' });
    watchGrant = sim.seedGrant({ email: 'watch@xero-guard.test' });
    retryGrant = sim.seedGrant({ email: 'retry@xero-guard.test' });
    const list = [
      credentialFor(sim, nodesGrant, { name: 'Xero nodes' }),
      credentialFor(sim, watchGrant, { name: 'Xero watchdog' }),
      credentialFor(sim, retryGrant, { name: 'Xero retry loop' }),
    ];
    await n8n.importCredentials(list);
    [nodesCred, watchCred, retryCred] = list.map((c) => ({ id: c.id, name: c.name })) as [typeof nodesCred, typeof nodesCred, typeof nodesCred];
    const credentials = { [CREDENTIAL_TYPE]: nodesCred };
    const workflows = [
      webhookInto('check', 'check', {
        name: 'Check Xero Connection',
        type: `${PACKAGE}.xeroGuardCheckConnection`,
        typeVersion: 1,
        parameters: { tenantId: DEMO_TENANT_ID },
        credentials,
      }),
      webhookInto('refresh if needed', 'refresh-if-needed', {
        name: 'Refresh Xero Token',
        type: `${PACKAGE}.xeroGuardRefreshToken`,
        typeVersion: 1,
        parameters: { mode: 'ifNeeded' },
        credentials,
      }),
      webhookInto('refresh force', 'refresh-force', {
        name: 'Refresh Xero Token',
        type: `${PACKAGE}.xeroGuardRefreshToken`,
        typeVersion: 1,
        parameters: { mode: 'force' },
        credentials,
      }),
      webhookInto('classify', 'classify', {
        name: 'Classify Xero Error',
        type: `${PACKAGE}.xeroGuardClassifyError`,
        typeVersion: 1,
        parameters: { errorSource: 'field', errorField: 'body', outputMode: 'single', options: {} },
      }),
      // Issue 14 item 3: a custom rule that is a V8 fatal error ended the n8n process.
      webhookInto('classify hostile rule', 'classify-hostile-rule', {
        name: 'Classify Xero Error',
        type: `${PACKAGE}.xeroGuardClassifyError`,
        typeVersion: 1,
        parameters: {
          errorSource: 'field',
          errorField: 'body',
          outputMode: 'single',
          options: {},
          customRules: {
            rules: [{ name: 'Pad and split', expression: "$count($split($pad('', 150000000, 'x'), '')) > 0", category: 'bomb', action: 'alert' }],
          },
        },
      }),
    ];
    for (const workflow of workflows) await n8n.activate(await n8n.importWorkflow(workflow));
  }, 1_800_000); // the first run installs n8n (minutes; up to ~17 min on a loaded 2-core machine)

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    await slack?.close();
  });

  test('the tarball brings our nodes and the credential type', async () => {
    const names = (await n8n!.nodeTypes()).map((t) => t.name);
    for (const node of OUR_NODES) expect(names).toContain(node);
    expect((await n8n!.credentialTypes()).map((c) => c.name)).toContain(CREDENTIAL_TYPE);
  });

  test('Check Connection reports connected, the tenants, the organisation and token health, and no token', async () => {
    const answer = await n8n!.webhook('check');
    expect(answer.status).toBe(200);
    const [result] = answer.json as CheckResult[];
    expect(result.status).toBe('connected');
    expect(result.tenants.map((t) => t.tenantId)).toContain(DEMO_TENANT_ID);
    expect(result.organisation).toBeDefined();
    expect(result.tokenHealth.chainState).toBe('active');
    expect(containsAny(answer.text, tokensOfGrant(sim!, nodesGrant))).toEqual([]);
  });

  test('Refresh Token: "if needed" leaves a fresh token alone; "force" rotates with exactly one token call and returns no token', async () => {
    const before = tokenCalls(sim!);
    const ifNeeded = await n8n!.webhook('refresh-if-needed');
    expect(ifNeeded.status).toBe(200);
    expect((ifNeeded.json as Refreshed[])[0].refreshed).toBe(false);
    expect(tokenCalls(sim!)).toBe(before);
    const forced = await n8n!.webhook('refresh-force');
    expect(forced.status).toBe(200);
    expect((forced.json as Refreshed[])[0].refreshed).toBe(true);
    expect(tokenCalls(sim!) - before).toBe(1);
    expect(sim!.refreshTokenState(nodesGrant.refresh_token!)).not.toBe('live');
    expect(containsAny(forced.text, tokensOfGrant(sim!, nodesGrant))).toEqual([]);
    // The chain goes on from the rotated token: Check Connection still works, nothing dead was presented.
    expect(((await n8n!.webhook('check')).json as CheckResult[])[0].status).toBe('connected');
    expect(sim!.deadTokenUses()).toBe(0);
  });

  test('Classify Xero Error classifies a Xero rate-limit answer', async () => {
    const answer = await n8n!.webhook('classify', {
      statusCode: 429,
      headers: { 'retry-after': '30', 'x-rate-limit-problem': 'minute' },
      body: 'Rate limit exceeded',
    });
    expect(answer.status).toBe(200);
    expect((answer.json as Classified[])[0].classification).toMatchObject({ category: 'rate_limit_minute', action: 'wait_and_retry', retryAfterSeconds: 30 });
  });

  test('a custom rule that is a V8 fatal error is stopped and named; n8n keeps running', async () => {
    const answer = await n8n!.webhook('classify-hostile-rule', {
      statusCode: 429,
      headers: { 'retry-after': '30', 'x-rate-limit-problem': 'minute' },
      body: '',
    });
    expect(answer.status).toBe(200);
    expect((answer.json as Classified[])[0].classification).toMatchObject({
      category: 'rate_limit_minute',
      configurationError: expect.stringMatching(/^Custom rule "Pad and split" was stopped: it (?:used more memory|ran longer)/),
    });
    // The same n8n process answers the next request.
    expect(((await n8n!.webhook('classify', { statusCode: 503, body: 'The Organisation is offline' })).json as Classified[])[0].classification.category).toBe(
      'organisation_offline',
    );
  });

  test('every example imports into real n8n with node types n8n knows', async () => {
    const known = new Set((await n8n!.nodeTypes()).map((t) => t.name));
    for (const file of EXAMPLES) {
      const [id] = await n8n!.importWorkflowFile(join(REPO_ROOT, 'examples', file));
      const stored = await n8n!.api('GET', `/workflows/${id}`);
      expect(stored.status).toBe(200);
      expect((stored.json as WorkflowJson).name).toBe(example(file).name);
      const types: string[] = (stored.json as WorkflowJson).nodes.map((n) => n.type);
      expect(types.filter((t) => !known.has(t))).toEqual([]);
      expect(Object.keys((stored.json as WorkflowJson).connections).sort()).toEqual(Object.keys(example(file).connections).sort());
    }
  });

  test('the Keep-alive example activates with a real credential', async () => {
    const id = await n8n!.importWorkflow(wired('keep-alive.json', nodesCred, {}));
    await n8n!.activate(id);
    const stored = await n8n!.api('GET', `/workflows/${id}`);
    expect((stored.json as WorkflowJson).active).toBe(true);
    await n8n!.deactivate(id);
  });

  test('the Retry loop example runs end to end: a failing Xero call is classified and reported to Slack without a token', async () => {
    slack!.clear();
    // The simulator has no Invoices endpoint: a 404 from "Xero", classified and routed.
    const workflow = wired('retry-loop.json', retryCred, {
      'https://api.xero.com': sim!.apiUrl,
      REPLACE_WITH_YOUR_TENANT_ID: DEMO_TENANT_ID,
      [SLACK_PLACEHOLDER]: slack!.url,
    });
    const id = await n8n!.importWorkflow(workflow);
    const started = Date.now();
    const result = await n8n!.runWorkflow(id);
    progress(`nodes: retry loop via n8n execute took ${Date.now() - started} ms`);
    expect(result.ok).toBe(true);
    expect(slack!.messages).toHaveLength(1);
    expect(slack!.messages[0]!.body!.text).toMatch(/needs attention/);
    expect(containsAny(slack!.messages[0]!.raw, tokensOfGrant(sim!, retryGrant!))).toEqual([]);
  });

  test('the Watchdog example: revoking the user makes the trigger emit exactly one Problem and Slack get exactly one message, with no token', async () => {
    slack!.clear();
    const workflow = wired('watchdog-slack.json', watchCred, { [SLACK_PLACEHOLDER]: slack!.url });
    // The example polls every 15 minutes; the test polls every minute (n8n's shortest interval).
    workflow.nodes[0].parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
    const id = await n8n!.importWorkflow(workflow);
    const polls = (): number => (n8n!.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
    const connectionsOk = (): number => sim!.log().filter((e) => e.type === 'request' && e.endpoint === 'connections' && e.status === 200).length;
    const before = connectionsOk();
    await n8n!.activate(id);
    // Activation polls once: Xero lists the organisations (connected), remembered, nothing emitted.
    // Revoking only after Xero answered that poll makes the next scheduled poll the one that sees it.
    await waitFor('the activation poll to reach Xero', () => (connectionsOk() > before ? true : undefined), 120_000);
    expect(slack!.messages).toHaveLength(0);
    const revoked = sim!.revokeUser('watch@xero-guard.test');
    expect(revoked.grantsRevoked).toBe(1);
    const started = Date.now();
    await waitFor('the Watchdog to post to Slack', () => (slack!.messages.length > 0 ? true : undefined), 150_000, 500);
    progress(`nodes: watchdog alerted ${Math.round((Date.now() - started) / 1000)} s after the revocation`);
    // One more poll after the alert: the connection stays broken, nothing more is sent.
    const pollsAtAlert = polls();
    await waitFor('one more poll after the alert', () => (polls() > pollsAtAlert ? true : undefined), 150_000, 500);
    await waitFor(
      'that poll to finish',
      async () => ((await n8n!.executions({ workflowId: id })).every((e) => e.status !== 'running') ? true : undefined),
      120_000,
    );
    await n8n!.deactivate(id);
    expect(slack!.messages).toHaveLength(1);
    const executions = await n8n!.executions({ workflowId: id });
    expect(executions).toHaveLength(1);
    const emitted = executions[0].data.resultData.runData['Xero Connection Watchdog'][0].data.main[0];
    expect(emitted).toHaveLength(1);
    expect(emitted[0].json.event).toBe('problem');
    expect(['refresh_token_invalid', 'access_revoked']).toContain(emitted[0].json.category);
    const message = slack!.messages[0]!;
    progress(`nodes: watchdog emitted category ${emitted[0].json.category}; Slack got: ${JSON.stringify(message.body!.text)}`);
    expect(message.body!.text).toContain(emitted[0].json.reason);
    expect(message.body!.text).toContain(emitted[0].json.advice);
    expect(message.body!.text).toContain(`/home/credentials/${watchCred.id}`);
    expect(containsAny(message.raw, tokensOfGrant(sim!, watchGrant))).toEqual([]);
    expect(containsAny(JSON.stringify(emitted), tokensOfGrant(sim!, watchGrant))).toEqual([]);
  }, 420_000);
});
