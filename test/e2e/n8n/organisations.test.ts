/**
 * Issue 17 on a real n8n 2.41.1 (one boot) loading the packed tarball, against the simulator: the
 * Watchdog example watching a grant that reaches 20 organisations. Disconnecting one posts exactly
 * one Slack message naming it (the other 19 silent); Xero refusing one organisation that is still
 * listed (a 403 for that tenant, with "Detect Refused Organisations (403)" on) posts one naming it,
 * nothing more while it stays refused, and one "works again" when it answers again; adding one
 * posts one; revoking the whole grant posts one connection-wide message (not 20). Then the fleet node lists the chain under the
 * credential's name without a call to Xero. And the call budget: with the simulator's day limit low,
 * the watchdog posts one warning under 10 % and one message when the day's calls are back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OffsetClock } from '../../../src/clock';
import type { Simulator, SimulatorTokenResponse } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, waitFor, type N8nHandle } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/services/slack';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, startE2eSimulator, tokensOfGrant } from '../../../tools/n8n/xero';
import { webhookInto } from '../../../tools/n8n/workflows';

jest.setTimeout(300_000);

const SLACK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK';
const EMAIL = 'practice@xero-guard.test';
const CREDENTIAL_NAME = 'Practice login';
const tenants = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ tenantId: `00000000-0000-4000-9000-${String(from + i).padStart(12, '0')}`, name: `Client ${from + i} Ltd` }));

describe('Per-organisation watch on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let clock: OffsetClock;
  let slack: SlackStandIn | undefined;
  const test = e2eTest(() => ({ n8n, sim }));
  let cred: { id: string; name: string };
  let grant: SimulatorTokenResponse;
  let watchId: string;

  beforeAll(async () => {
    ({ sim, clock } = await startE2eSimulator());
    slack = await startSlackStandIn();
    n8n = await startN8n();
    grant = sim.seedGrant({ email: EMAIL, tenants: tenants(20) });
    const credential = credentialFor(sim, grant, { name: CREDENTIAL_NAME });
    await n8n.importCredentials([credential]);
    cred = { id: credential.id, name: credential.name };
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    await slack?.close();
  });

  const messages = () => slack!.messages.map((m) => String(m.body.text));
  const nextMessage = async (what: string, count: number) => {
    await waitFor(what, () => (slack!.messages.length >= count ? true : undefined), 150_000, 500);
    return messages()[count - 1]!;
  };

  /** The Watchdog example on `credential`, polling every minute, with the trigger's parameters changed by `parameters`. */
  const watchdog = async (credential: { id: string; name: string }, parameters: Record<string, unknown> = {}): Promise<string> => {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'watchdog-slack.json'), 'utf8')
      .split(SLACK_PLACEHOLDER)
      .join(slack!.url);
    const workflow = JSON.parse(text) as Record<string, any>;
    for (const node of workflow.nodes as any[]) if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = credential;
    workflow.nodes[0].parameters = { ...workflow.nodes[0].parameters, ...parameters, pollTimes: { item: [{ mode: 'everyMinute' }] } };
    return n8n!.importWorkflow(workflow);
  };
  const organisationCalls = (): number => sim!.log().filter((e) => e.type === 'request' && e.endpoint === 'organisation').length;

  test('20 organisations: one message for the one disconnected, the one refused (403) and back, the one added, the revoked grant', async () => {
    let text: string;
    watchId = await watchdog(cred, { probeOrganisations: true });
    // Every change is made between polls: a poll reads /connections, then each organisation in turn.
    const before = organisationCalls();
    await n8n!.activate(watchId);
    await waitFor('the activation poll to read all 20 organisations', () => (organisationCalls() >= before + 20 ? true : undefined), 120_000);

    const gone = sim!.connections().find((c) => c.tenantName === 'Client 7 Ltd')!;
    sim!.removeConnection(gone.id);
    text = await nextMessage('the message about Client 7', 1);
    expect(text).toMatch(/^:warning: Xero credential "Practice login" \(organisation Client 7 Ltd\) needs reconnecting/);
    expect(text).toContain('*Organisation:* Client 7 Ltd');
    expect(text).toContain(`/home/credentials/${cred.id}`);

    // Xero refuses Client 3 (403) while /connections still lists it.
    const refused = tenants(1, 3)[0]!;
    sim!.refuseTenant(refused.tenantId, true);
    text = await nextMessage('the message about refused Client 3', 2);
    expect(text).toMatch(/^:warning: Xero credential "Practice login" \(organisation Client 3 Ltd\)/);
    expect(text).toContain('*Organisation:* Client 3 Ltd');
    expect(text).toContain('(403)');
    expect(text).toContain(`/home/credentials/${cred.id}`);

    // Still refused on this poll: only the added organisation is news.
    sim!.seedGrant({ email: EMAIL, tenants: tenants(1, 20) });
    text = await nextMessage('the message about Client 20', 3);
    expect(text).toMatch(/Client 20 Ltd added/);

    sim!.refuseTenant(refused.tenantId, false);
    text = await nextMessage('Client 3 answering again', 4);
    expect(text).toMatch(/^:white_check_mark: Xero credential "Practice login" works again: organisation Client 3 Ltd/);

    sim!.revokeUser(EMAIL);
    text = await nextMessage('the connection-wide message', 5);
    expect(text).toMatch(/^:warning: Xero credential "Practice login" needs reconnecting/);
    expect(text).toMatch(/"Switch account"/);
    expect(text).not.toMatch(/Node-RED|Connect to Xero|xero:XEROGUARD/);

    // One more poll after the last change: nothing more is posted.
    const polls = (): number => (n8n!.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
    const at = polls();
    await waitFor('one more poll', () => (polls() > at ? true : undefined), 150_000, 500);
    await waitFor(
      'that poll to finish',
      async () => ((await n8n!.executions({ workflowId: watchId })).every((e) => e.status !== 'running') ? true : undefined),
      120_000,
    );
    await n8n!.deactivate(watchId);
    progress(`organisations: Slack got ${JSON.stringify(messages())}`);
    expect(messages()).toHaveLength(5);
    const executions = await n8n!.executions({ workflowId: watchId });
    expect(executions).toHaveLength(5);
    for (const execution of executions) expect(execution.data.resultData.runData['Xero Connection Watchdog'][0].data.main[0]).toHaveLength(1);
    const raw = slack!.messages.map((m) => m.raw).join('\n');
    for (const token of tokensOfGrant(sim!, grant)) expect(raw).not.toContain(token);
  }, 900_000);

  test('the fleet node lists the chain under the credential name, with no call to Xero', async () => {
    const workflow = webhookInto('fleet', 'fleet', {
      name: 'Xero Connections',
      type: `${PACKAGE}.xeroGuardConnections`,
      typeVersion: 1,
      parameters: { mode: 'list' },
      credentials: { [CREDENTIAL_TYPE]: cred },
    });
    await n8n!.activate(await n8n!.importWorkflow(workflow));
    const requests = sim!.stats().requests;
    const answer = await n8n!.webhook('fleet');
    const items = answer.json as unknown as Array<Record<string, unknown>>;
    expect(items).toEqual([expect.objectContaining({ name: CREDENTIAL_NAME, nameSource: 'stored', state: 'needs_reauth', needsPerson: true })]);
    expect(sim!.stats().requests).toBe(requests);
  });

  test('call budget: one warning under 10 % of the day, one message when the calls are back', async () => {
    slack!.clear();
    sim!.setRateLimits({ perDay: 100, perMinute: 10_000 });
    const [tenant] = tenants(1, 50);
    const budgetGrant = sim!.seedGrant({ email: 'budget@xero-guard.test', tenants: [tenant!] });
    const credential = credentialFor(sim!, budgetGrant, { name: 'Budget books' });
    await n8n!.importCredentials([credential]);
    const id = await watchdog({ id: credential.id, name: credential.name }, { probeOrganisations: true });
    const before = organisationCalls();
    await n8n!.activate(id);
    await waitFor('the activation poll to read the organisation', () => (organisationCalls() > before ? true : undefined), 120_000);
    // The user's own work spends the day: straight to the simulator with the grant's token, until 10 are left.
    let left = 100;
    while (left > 10) {
      const answer = await fetch(`${sim!.apiUrl}/api.xro/2.0/Organisation`, {
        headers: { authorization: `Bearer ${budgetGrant.access_token}`, 'xero-tenant-id': tenant!.tenantId, accept: 'application/json' },
      });
      expect(answer.status).toBe(200);
      left = Number(answer.headers.get('x-daylimit-remaining'));
    }
    const low = await nextMessage('the budget warning', 1);
    expect(low).toMatch(/^:warning: Xero credential "Budget books": organisation Client 50 Ltd is running out of Xero calls today/);
    // Xero's day window rolls on: the next reading has the calls back.
    clock.advance(24 * 60 * 60_000 + 1000);
    const back = await nextMessage('the budget recovered message', 2);
    expect(back).toMatch(/^:white_check_mark: Xero credential "Budget books": organisation Client 50 Ltd has Xero calls to spare again/);
    const polls = (): number => (n8n!.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
    const at = polls();
    await waitFor('one more poll', () => (polls() > at ? true : undefined), 150_000, 500);
    await waitFor(
      'that poll to finish',
      async () => ((await n8n!.executions({ workflowId: id })).every((e) => e.status !== 'running') ? true : undefined),
      120_000,
    );
    await n8n!.deactivate(id);
    progress(`organisations: budget messages ${JSON.stringify(messages())}`);
    expect(messages()).toHaveLength(2);
  }, 600_000);
});
