/**
 * Issue 17 on a real n8n 2.41.1 (one boot) loading the packed tarball, against the simulator: the
 * Watchdog example watching a grant that reaches 20 organisations. Disconnecting one posts exactly
 * one Slack message naming it (the other 19 silent); Xero refusing one organisation that is still
 * listed (a 403 for that tenant, with "Detect Refused Organisations (403)" on) posts one naming it,
 * nothing more while it stays refused, and one "works again" when it answers again; adding one
 * posts one; revoking the whole grant posts one connection-wide message (not 20). Then the fleet node lists the chain under the
 * credential's name without a call to Xero. And the call budget: on a Starter app (1,000 calls per
 * organisation a day), the watchdog posts one warning under 10 % and one message when the day's calls are
 * back. And Xero's connection cap (issue 28): a Starter app with 4 organisations connected one consent at
 * a time posts one "one connection left", the 5th one "reached its connection limit", each once; a 6th
 * consent through n8n's own Connect URL ends on the simulator's connection-limit page, which the Classify
 * Error node reads as connection_limit_reached with the fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OffsetClock } from '../../../src/clock';
import { startSimulator, type Simulator, type SimulatorTokenResponse } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, waitFor, type N8nHandle } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/services/slack';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, startE2eSimulator, tokensOfGrant } from '../../../tools/n8n/xero';
import { webhookInto, type WorkflowJson } from '../../../tools/n8n/workflows';

jest.setTimeout(300_000);

const SLACK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK';
const EMAIL = 'practice@xero-guard.test';
const CREDENTIAL_NAME = 'Practice login';
/** Apps of the second simulator, on Xero's Starter tier: one for the cap, one for the budget (each its own connections). */
const STARTER_APP = {
  clientId: 'XEROGUARDSTARTERAPP0000000000001',
  clientSecret: 'starter-app-secret-for-the-e2e-cap-test-000000',
  name: 'Practice Starter App',
  redirectUris: [],
  allowAnyLoopbackRedirect: true,
  tier: 'starter' as const,
};
const BUDGET_APP = { ...STARTER_APP, clientId: 'XEROGUARDBUDGETAPP00000000000001', name: 'Budget Starter App' };
const tenants = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ tenantId: `00000000-0000-4000-9000-${String(from + i).padStart(12, '0')}`, name: `Client ${from + i} Ltd` }));

describe('Per-organisation watch on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  /** The same clock as `sim`'s; every app on Starter. */
  let tiered: Simulator | undefined;
  let clock: OffsetClock;
  let slack: SlackStandIn | undefined;
  const test = e2eTest(() => ({ n8n, sim }));
  let cred: { id: string; name: string };
  let grant: SimulatorTokenResponse;
  let watchId: string;

  beforeAll(async () => {
    ({ sim, clock } = await startE2eSimulator());
    tiered = await startSimulator({ host: '127.0.0.1', clock, clients: [STARTER_APP, BUDGET_APP], organisations: tenants(6, 60) });
    slack = await startSlackStandIn();
    n8n = await startN8n();
    grant = sim.seedGrant({ email: EMAIL, tenants: tenants(20) });
    const credential = credentialFor(sim, grant, { name: CREDENTIAL_NAME });
    // A practice with 20 clients is past Starter's 5 connections: its app is on Core.
    credential.data.xeroAppTier = 'core';
    await n8n.importCredentials([credential]);
    cred = { id: credential.id, name: credential.name };
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    await tiered?.close();
    await slack?.close();
  });

  const messages = () => slack!.messages.map((m) => String(m.body!.text));
  const nextMessage = async (what: string, count: number) => {
    await waitFor(what, () => (slack!.messages.length >= count ? true : undefined), 150_000, 500);
    return messages()[count - 1]!;
  };

  /** The Watchdog example on `credential`, polling every minute, with the trigger's parameters changed by `parameters`. */
  const watchdog = async (credential: { id: string; name: string }, parameters: Record<string, unknown> = {}): Promise<string> => {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'watchdog-slack.json'), 'utf8')
      .split(SLACK_PLACEHOLDER)
      .join(slack!.url);
    const workflow = JSON.parse(text) as WorkflowJson;
    for (const node of workflow.nodes) if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = credential;
    workflow.nodes[0].parameters = { ...workflow.nodes[0].parameters, ...parameters, pollTimes: { item: [{ mode: 'everyMinute' }] } };
    return n8n!.importWorkflow(workflow);
  };
  const organisationCalls = (on: Simulator = sim!): number => on.log().filter((e) => e.type === 'request' && e.endpoint === 'organisation').length;
  /** A credential of one of the tiered simulator's apps, as "Connect" leaves it (its tier setting left empty: Starter). */
  const appCredential = (on: Simulator, grant: SimulatorTokenResponse, app: { clientId: string; clientSecret: string }, name: string) => {
    const credential = credentialFor(on, grant, { name });
    credential.data.clientId = app.clientId;
    credential.data.clientSecret = app.clientSecret;
    return credential;
  };
  /** Waits for one more poll of the watchdog after now, and for it to finish. */
  const onePollMore = async (workflowId: string) => {
    const polls = (): number => (n8n!.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
    const at = polls();
    await waitFor('one more poll', () => (polls() > at ? true : undefined), 150_000, 500);
    await waitFor(
      'that poll to finish',
      async () => ((await n8n!.executions({ workflowId })).every((e) => e.status !== 'running') ? true : undefined),
      120_000,
    );
  };

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

  test('call budget at Starter: one warning under 10 % of the day, one message when the calls are back', async () => {
    slack!.clear();
    const [tenant] = tenants(1, 50);
    const budgetGrant = tiered!.seedGrant({ clientId: BUDGET_APP.clientId, email: 'budget@xero-guard.test', tenants: [tenant!] });
    const credential = appCredential(tiered!, budgetGrant, BUDGET_APP, 'Budget books');
    await n8n!.importCredentials([credential]);
    const id = await watchdog({ id: credential.id, name: credential.name }, { probeOrganisations: true });
    const before = organisationCalls(tiered);
    await n8n!.activate(id);
    await waitFor('the activation poll to read the organisation', () => (organisationCalls(tiered) > before ? true : undefined), 120_000);
    // The user's own work spends Starter's 1,000 calls: straight to the simulator with the grant's token, until 50 are left:
    // under the 10 % warning, above the 2 % reserve the watch never reads into (so it reads on and sees the day come back).
    // Only the day is under test: Xero's 60 a minute would stop the spending first.
    tiered!.setRateLimits({ perMinute: 100_000 });
    let left = 1000;
    while (left > 50) {
      const answer = await fetch(`${tiered!.apiUrl}/api.xro/2.0/Organisation`, {
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

  test('a Starter app: one "one connection left" at 4, one "connection limit" at 5, each once; a 6th consent ends on the limit page, read as connection_limit_reached', async () => {
    slack!.clear();
    const practice = 'cap@xero-guard.test';
    const orgs = tenants(6, 60);
    // Below Advanced a consent connects one organisation: four consents of the same user.
    let grant: SimulatorTokenResponse | undefined;
    for (const org of orgs.slice(0, 4)) grant = tiered!.seedGrant({ clientId: STARTER_APP.clientId, email: practice, tenants: [org.tenantId] });
    const credential = appCredential(tiered!, grant!, STARTER_APP, 'Starter practice');
    await n8n!.importCredentials([credential]);
    const id = await watchdog({ id: credential.id, name: credential.name });
    await n8n!.activate(id);
    const near = await nextMessage('the cap-minus-one message', 1);
    expect(near).toMatch(/^:warning: Xero credential "Starter practice": the Xero app has one connection left \(4 of 5 organisations, Starter tier\)/);
    expect(near).toMatch(/\*What to do:\* Remove a connection you no longer use at Xero .* or move the app to a higher tier at developer\.xero\.com/);

    tiered!.seedGrant({ clientId: STARTER_APP.clientId, email: practice, tenants: [orgs[4]!.tenantId] });
    // The same poll says the organisation was added, then the cap.
    await nextMessage('the added and cap-reached messages', 3);
    const reached = messages().filter((m) => /reached its connection limit/.test(m));
    expect(reached).toEqual([
      expect.stringMatching(
        /^:warning: Xero credential "Starter practice": the Xero app has reached its connection limit \(5 of 5 organisations, Starter tier\)/,
      ),
    ]);

    // A 6th organisation through n8n's own Connect: n8n's authorize URL, the user ticks it and allows access.
    const auth = await n8n!.rest('GET', `/oauth2-credential/auth?id=${encodeURIComponent(credential.id)}`);
    expect(auth.status).toBe(200);
    const authorizeUrl = String((auth.json as { data: unknown }).data);
    expect(authorizeUrl.startsWith(tiered!.authorizeUrl)).toBe(true);
    const page = await (await fetch(authorizeUrl)).text();
    const form = new URLSearchParams(
      [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [m[1]!, m[2]!.replace(/&amp;/g, '&')]),
    );
    form.set('email', practice);
    form.set('tenant', orgs[5]!.tenantId);
    form.set('action', 'allow');
    const allowed = await fetch(tiered!.authorizeUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(allowed.status).toBe(302);
    const limitUrl = new URL(allowed.headers.get('location')!, tiered!.url).toString();
    expect(new URL(limitUrl).pathname).toBe('/connectionLimit');
    const limitPage = await (await fetch(limitUrl)).text();
    expect(limitPage).toContain('Sorry! Practice Starter App has reached their Xero connection limit');
    expect(tiered!.connections().filter((c) => c.clientId === STARTER_APP.clientId)).toHaveLength(5);
    // What the user sees, pasted into the Classify Error node.
    const classify = webhookInto('classify connection limit', 'classify-connection-limit', {
      name: 'Classify Xero Error',
      type: `${PACKAGE}.xeroGuardClassifyError`,
      typeVersion: 1,
      parameters: { errorSource: 'field', errorField: 'body', outputMode: 'single', options: {} },
    });
    await n8n!.activate(await n8n!.importWorkflow(classify));
    const classified = await n8n!.webhook('classify-connection-limit', { url: limitUrl, message: limitPage.replace(/<[^>]+>/g, ' ') });
    expect((classified.json as Array<{ classification: unknown }>)[0].classification).toMatchObject({
      category: 'connection_limit_reached',
      action: 'fix_configuration',
      advice: expect.stringMatching(/Disconnect an organisation you no longer use, or move the app to a higher tier/),
    });

    await onePollMore(id);
    await n8n!.deactivate(id);
    progress(`organisations: cap messages ${JSON.stringify(messages())}`);
    expect(messages()).toHaveLength(3);
    const capItems = (await n8n!.executions({ workflowId: id })).flatMap((e) =>
      (e.data.resultData.runData['Xero Connection Watchdog'][0].data.main[0] as Array<{ json: Record<string, unknown> }>).filter((i) => i.json.scope === 'app'),
    );
    expect(capItems.map((i) => i.json.event).sort()).toEqual(['connection_cap_near', 'connection_cap_reached']);
    expect(JSON.stringify(capItems)).not.toContain(STARTER_APP.clientId);
  }, 600_000);
});
