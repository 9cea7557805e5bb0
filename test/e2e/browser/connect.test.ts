/**
 * The browser flow on real n8n 2.41.1, headless Chromium (Debian's) driven by playwright-core: log
 * in as the owner, create the "Xero OAuth2 (Guarded) API" credential in the editor with the
 * simulator's demo client and custom endpoints, click "Connect my account", allow access on the
 * simulator's consent page (a popup), see the credential connected; then import the Watchdog
 * example (examples/watchdog-slack.json) and activate it; revoke the grant in Xero, see exactly one
 * problem message in Slack, reconnect with the credential's "Switch account" in the editor, see
 * exactly one "works again" message, and the new chain serve a request with no restart.
 * Screenshots go to test-artifacts/browser/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, DEMO_USER_EMAIL, type Simulator } from '../../../src/simulator';
import { ARTIFACTS, openBrowser, screenshotOnFailure, signInToEditor, type EditorBrowser } from '../harness/browser';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, waitFor, type N8nHandle } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/services/slack';
import { CREDENTIAL_TYPE, PACKAGE, startE2eSimulator } from '../../../tools/n8n/xero';
import { webhookInto } from '../../../tools/n8n/workflows';

jest.setTimeout(600_000);

const CREDENTIAL_NAME = 'Xero (browser test)';

describe('Connect my account in the n8n editor, headless Chromium', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let browser: EditorBrowser | undefined;
  let page: Page | undefined;
  let credentialId: string | undefined;
  let slack: SlackStandIn | undefined;
  let watchdogId: string | undefined;
  let connectionsAtActivation = 0;
  const connectionsOk = (): number => sim!.log().filter((e) => e.type === 'request' && e.endpoint === 'connections' && e.status === 200).length;
  const wrapped = e2eTest(() => ({ n8n, sim }));
  /** On failure, a screenshot of where the page stood. */
  const test = (name: string, fn: () => Promise<void>): void => wrapped(name, () => screenshotOnFailure(() => page, `failure-${name}`, fn));

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    slack = await startSlackStandIn();
    n8n = await startN8n();
    browser = await openBrowser({ width: 1280, height: 800 });
    page = browser.page;
  }, 1_800_000);

  afterAll(async () => {
    await browser?.close();
    await n8n?.stop();
    await sim?.close();
    await slack?.close();
  });

  test('the owner logs in to the editor', () => signInToEditor(page!, n8n!.url));

  test('creates the Xero OAuth2 (Guarded) API credential, connects through the simulator consent page and shows it connected', async () => {
    const p = page!;
    await p.goto(`${n8n!.url}/home/credentials`);
    await p.getByTestId('add-resource-credential').click();
    await p.getByTestId('new-credential-type-select').click();
    await p.keyboard.type('Xero OAuth2 (Guarded)');
    await p.getByTestId('new-credential-type-select-option').filter({ hasText: 'Xero OAuth2 (Guarded) API' }).first().click();
    await p.getByTestId('new-credential-type-button').click();
    const dialog = p.getByTestId('credential-edit-dialog');
    await dialog.waitFor();
    // The redirect URL n8n shows must be the one the demo client accepts (any loopback URL).
    await expectText(dialog, '/rest/oauth2-credential/callback');
    await fillParameter(p, 'clientId', DEMO_CLIENT_ID);
    await fillParameter(p, 'clientSecret', DEMO_CLIENT_SECRET);
    await p.getByTestId('parameter-input-useCustomEndpoints').locator('.el-switch, [role="switch"], input').first().click();
    await fillParameter(p, 'customAuthUrl', sim!.authorizeUrl);
    await fillParameter(p, 'customAccessTokenUrl', sim!.tokenUrl);
    await fillParameter(p, 'apiBaseUrl', sim!.apiUrl);
    await renameCredential(p, CREDENTIAL_NAME);
    // Wait for n8n to have created the credential: a Connect click before the save's answer makes the
    // editor create it a second time (seen on a loaded machine), and the test would read the empty twin.
    const saved = p.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/rest/credentials') && r.request().method() === 'POST');
    await p.getByTestId('credential-save-button').click();
    await saved;

    const popupPromise = p.waitForEvent('popup');
    // n8n 2.41 labels "Connect my account" as "Connect" in the "Connect your account" banner.
    await dialog.getByTestId('quick-connect-button').click();
    const popup = await popupPromise;
    await popup.waitForSelector('#allow', { timeout: 60_000 });
    const authorize = new URL(popup.url());
    expect(`${authorize.origin}${authorize.pathname}`).toBe(sim!.authorizeUrl);
    expect(authorize.searchParams.get('client_id')).toBe(DEMO_CLIENT_ID);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${n8n!.url}/rest/oauth2-credential/callback`);
    await popup.screenshot({ path: join(ARTIFACTS, 'simulator-consent.png') });
    await popup.click('#allow');
    await waitFor('the popup to close after the callback', () => (popup.isClosed() ? true : undefined), 60_000);

    await p.getByTestId('oauth-connect-success-banner').waitFor({ timeout: 60_000 });
    await p.screenshot({ path: join(ARTIFACTS, 'credential-connected.png') });

    // n8n stored the connect-time token set: the credential exists and works against the simulator.
    const list = await n8n!.rest('GET', '/credentials');
    const named = (list.json as { data: Array<{ id: string; name: string; type: string }> }).data.filter((c) => c.name === CREDENTIAL_NAME);
    expect(named).toHaveLength(1);
    const created = named[0];
    expect(created?.type).toBe(CREDENTIAL_TYPE);
    credentialId = created!.id;
    const exported = await n8n!.exportCredential(credentialId);
    expect(sim!.stats().tokenCallsByGrantType.authorization_code).toBe(1);
    const issued = sim!.log().find((e) => e.type === 'token-issued' && e.grantType === 'authorization_code') as
      { accessToken: string; refreshToken?: string } | undefined;
    expect(typeof issued?.refreshToken).toBe('string');
    const stored = typeof exported.data === 'string' ? JSON.parse(exported.data) : exported.data;
    progress(
      `browser: stored credential fields ${Object.keys(stored ?? {}).join(', ')}; oauthTokenData fields ${Object.keys(stored?.oauthTokenData ?? {}).join(', ')}`,
    );
    expect(JSON.stringify(stored)).toContain(issued!.accessToken);
    expect(sim!.connections().some((c) => c.tenantId === DEMO_TENANT_ID)).toBe(true);
  });

  test('imports the Watchdog example, activates it and shows the canvas', async () => {
    const p = page!;
    const text = readFileSync(join(REPO_ROOT, 'examples', 'watchdog-slack.json'), 'utf8')
      .split('https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK')
      .join(slack!.url);
    const workflow = JSON.parse(text) as {
      name: string;
      nodes: Array<{ parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
    };
    for (const node of workflow.nodes)
      if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = { id: credentialId!, name: CREDENTIAL_NAME };
    // The example polls every 15 minutes; the test polls every minute (n8n's shortest interval).
    workflow.nodes[0]!.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
    const id = await n8n!.importWorkflow(workflow);
    watchdogId = id;
    connectionsAtActivation = connectionsOk();
    await n8n!.activate(id);
    const stored = await n8n!.api('GET', `/workflows/${id}`);
    expect((stored.json as { active: boolean }).active).toBe(true);
    await p.goto(`${n8n!.url}/workflow/${id}`);
    await p.getByText('Xero Connection Watchdog').first().waitFor();
    await p.getByText('Post to Slack').first().waitFor();
    await p.screenshot({ path: join(ARTIFACTS, 'watchdog-canvas.png') });
  });

  test('shows the Xero Guard node on the canvas and its parameters panel', async () => {
    const p = page!;
    const credentials = { [CREDENTIAL_TYPE]: { id: credentialId!, name: CREDENTIAL_NAME } };
    const workflow = {
      name: 'Xero Guard: new invoice',
      nodes: [
        { id: 'm1', name: 'When clicking Execute', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
        {
          id: 'x1',
          name: 'Create Invoice',
          type: 'n8n-nodes-xero-guard.xeroGuard',
          typeVersion: 1,
          position: [260, 0],
          parameters: {
            resource: 'invoice',
            operation: 'create',
            organizationId: { __rl: true, mode: 'id', value: DEMO_TENANT_ID },
            type: 'ACCREC',
            contactId: '={{ $json.ContactID }}',
            lineItemsUi: { lineItemsValues: [{ description: 'Bookkeeping, November', quantity: 2, unitAmount: '150', accountCode: '200', taxType: 'NONE' }] },
            additionalFields: { status: 'AUTHORISED', reference: 'NOV-2026' },
          },
          credentials,
        },
      ],
      connections: { 'When clicking Execute': { main: [[{ node: 'Create Invoice', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1' },
    };
    const id = await n8n!.importWorkflow(workflow);
    await p.goto(`${n8n!.url}/workflow/${id}`);
    const node = p.getByTestId('canvas-node').filter({ hasText: 'Create Invoice' }).first();
    await node.waitFor();
    await p.screenshot({ path: join(ARTIFACTS, 'xero-guard-node-canvas.png') });
    await node.dblclick();
    const panel = p.getByTestId('ndv');
    await panel.waitFor();
    await panel.getByText('Line Items').first().waitFor();
    await panel.getByText('Organisation').first().waitFor();
    await p.screenshot({ path: join(ARTIFACTS, 'xero-guard-node-parameters.png') });
    progress(`browser: screenshots in ${ARTIFACTS}`);
  });

  test('revocation, then "Switch account" in the editor: one problem message, one works-again message, requests served again with no restart', async () => {
    const p = page!;
    await waitFor('the activation poll to reach Xero', () => (connectionsOk() > connectionsAtActivation ? true : undefined), 120_000);
    expect(slack!.messages).toHaveLength(0);
    sim!.revokeUser(DEMO_USER_EMAIL);
    await waitFor('the problem message', () => (slack!.messages.length >= 1 ? true : undefined), 150_000, 500);
    const problem = String(slack!.messages[0]!.body!.text);
    progress(`browser: problem message ${JSON.stringify(problem)}`);
    expect(problem).toMatch(new RegExp(`^:warning: Xero credential "${CREDENTIAL_NAME.replace(/[()]/g, '\\$&')}" needs reconnecting`));
    expect(problem).toContain(`/home/credentials/${credentialId}`);

    // Reconnect as a user would: the credential's page, n8n 2.41's "Switch account" (or "Connect"), Allow access.
    await p.goto(`${n8n!.url}/home/credentials/${credentialId}`);
    const dialog = p.getByTestId('credential-edit-dialog');
    await dialog.waitFor();
    const button = dialog
      .locator('[data-test-id="oauth-stale-switch-account-button"], [data-test-id="oauth-switch-account-button"], [data-test-id="quick-connect-button"]')
      .first();
    await button.waitFor({ timeout: 60_000 });
    progress(`browser: reconnect button "${(await button.innerText()).trim()}"`);
    await p.screenshot({ path: join(ARTIFACTS, 'credential-reconnect.png') });
    const popupPromise = p.waitForEvent('popup');
    await button.click();
    const popup = await popupPromise;
    await popup.waitForSelector('#allow', { timeout: 60_000 });
    await popup.click('#allow');
    await waitFor('the popup to close after the callback', () => (popup.isClosed() ? true : undefined), 60_000);
    await p.getByTestId('oauth-connect-success-banner').waitFor({ timeout: 60_000 });

    await waitFor('the works-again message', () => (slack!.messages.length >= 2 ? true : undefined), 150_000, 500);
    const recovered = String(slack!.messages[1]!.body!.text);
    progress(`browser: recovered message ${JSON.stringify(recovered)}`);
    expect(recovered).toMatch(/^:white_check_mark: Xero credential ".*" works again/);
    const polls = (): number => (n8n!.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
    const at = polls();
    await waitFor('one more poll', () => (polls() > at ? true : undefined), 150_000, 500);
    await waitFor(
      'that poll to finish',
      async () => ((await n8n!.executions({ workflowId: watchdogId! })).every((e) => e.status !== 'running') ? true : undefined),
      120_000,
    );
    expect(slack!.messages).toHaveLength(2);

    // The new chain serves a request in the same n8n process.
    const check = webhookInto('check after reconnect', 'check-after-reconnect', {
      name: 'Check Xero Connection',
      type: `${PACKAGE}.xeroGuardCheckConnection`,
      typeVersion: 1,
      parameters: {},
      credentials: { [CREDENTIAL_TYPE]: { id: credentialId!, name: CREDENTIAL_NAME } },
    });
    await n8n!.activate(await n8n!.importWorkflow(check));
    const answer = await n8n!.webhook('check-after-reconnect');
    expect(answer.json).toEqual([expect.objectContaining({ status: 'connected' })]);
    await n8n!.deactivate(watchdogId!);
  });
});

async function fillParameter(page: Page, name: string, value: string): Promise<void> {
  const input = page.getByTestId(`parameter-input-${name}`).locator('input, textarea').first();
  await input.fill(value);
}

async function renameCredential(page: Page, name: string): Promise<void> {
  const title = page.getByTestId('credential-name');
  await title.click();
  const input = title.locator('input');
  await input.fill(name);
  await input.press('Enter');
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await waitFor(`"${text}" on the page`, async () => ((await locator.innerText()).includes(text) ? true : undefined), 30_000);
}
