/**
 * A bookkeeper's first hour on real n8n 2.41.1 in headless Chromium, one n8n boot for all of it:
 * - Check Connection added to a new workflow through the editor before any credential exists: its
 *   organisation list answers the hint, and n8n shows no "Error fetching options" (no 4xx/5xx from
 *   the editor's option calls);
 * - every node of the pack on one canvas, each with its own icon (the README's screenshot,
 *   docs/images/n8n-icons.png);
 * - revoked at the simulator, then "Switch account" in the editor: n8n asks Xero for the scopes the
 *   credential names; a reconnect that leaves a scope out gives one message naming it, never "works
 *   again"; "works again" comes when a reconnect with the scopes of before brings them back; an
 *   emptied Scopes field asks for the default set (the same scopes again: no message).
 * The invoice with its contact and tax type picked in the editor, and Contact "Create or Update" run
 * twice, are shown on a fresh `npm start` (test/e2e/demo/demo.test.ts).
 * Screenshots go to test-artifacts/browser/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BASE_SCOPES, DEFAULT_XERO_SCOPES } from '../../../src/host';
import { DEMO_TENANT_ID, DEMO_USER_EMAIL, type Simulator } from '../../../src/simulator';
import { ARTIFACTS, openBrowser, screenshotOnFailure, signInToEditor, type EditorBrowser } from '../harness/browser';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, waitFor, type N8nHandle } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/services/slack';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, startE2eSimulator } from '../../../tools/n8n/xero';

jest.setTimeout(900_000);

// Copied by hand to docs/images/n8n-icons.png for the README (a test run never changes a tracked file).
const ICONS_SHOT = join(ARTIFACTS, 'n8n-icons.png');
const CREDENTIAL_NAME = 'Acme books';
const ALL_SCOPES = [...BASE_SCOPES, ...DEFAULT_XERO_SCOPES];
const DROPPED = 'accounting.contacts';
const API_NODES = new Set(['xeroGuard', 'xeroGuardPayrollAu', 'xeroGuardProjects', 'xeroGuardFiles', 'xeroGuardAssets', 'xeroGuardFinance']);

describe("a bookkeeper's first hour in the n8n editor, headless Chromium", () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let slack: SlackStandIn | undefined;
  let browser: EditorBrowser | undefined;
  let page: Page | undefined;
  let credentialId = '';
  /** The editor's calls for dynamic lists that failed (n8n shows them as "Error fetching options"). */
  const failedListCalls: string[] = [];
  const wrapped = e2eTest(() => ({ n8n, sim }));
  const test = (name: string, fn: () => Promise<void>): void => wrapped(name, () => screenshotOnFailure(() => page, `first-hour-failure-${name}`, fn));
  const credentials = () => ({ [CREDENTIAL_TYPE]: { id: credentialId, name: CREDENTIAL_NAME } });

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    slack = await startSlackStandIn();
    n8n = await startN8n();
    browser = await openBrowser();
    page = browser.page;
    page.on('response', (r) => {
      if (r.url().includes('/rest/dynamic-node-parameters/') && r.status() >= 400) failedListCalls.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await signInToEditor(page, n8n.url);
  }, 1_800_000);

  afterAll(async () => {
    await browser?.close();
    await n8n?.stop();
    await sim?.close();
    await slack?.close();
  });

  test('adds Check Connection to a new workflow through the editor before any credential exists: no options error', async () => {
    const p = page!;
    await p.goto(`${n8n!.url}/workflow/new`);
    // As a user starts: the first step (Trigger manually), then the node from the node creator's search.
    await p.getByTestId('canvas-add-button').click();
    await p.getByText('Trigger manually', { exact: true }).first().click();
    await p.getByTestId('canvas-node').first().waitFor();
    await p.keyboard.press('Escape');
    // The "+" after the trigger's output opens the node creator on the nodes that follow it.
    await p.getByTestId('canvas-handle-plus').first().click();
    await p.getByPlaceholder('Search nodes...').fill('Xero Guard Check Connection');
    await p.getByText('Xero Guard Check Connection', { exact: true }).first().click();
    // n8n shows an installed community node's details first; "Add to workflow" adds it and opens its panel.
    await p.getByRole('button', { name: 'Add to workflow' }).first().click();
    const panel = p.getByTestId('ndv');
    await panel.waitFor();
    const field = panel.getByTestId('parameter-input-tenantId');
    await field.waitFor();
    await field.click();
    await p.getByText('Choose a Xero Credential Above to Load This List').first().waitFor();
    await p.screenshot({ path: join(ARTIFACTS, 'check-connection-without-credential.png') });
    expect(await panel.getByText(/Error fetching options/i).count()).toBe(0);
    expect(failedListCalls).toEqual([]);
  });

  test('puts every node of the pack on one canvas, each with its own icon', async () => {
    const p = page!;
    const grant = sim!.seedGrant({ scopes: ALL_SCOPES });
    [credentialId] = await n8n!.importCredentials([credentialFor(sim!, grant, { name: CREDENTIAL_NAME, scopes: DEFAULT_XERO_SCOPES })]);
    const kinds: Array<[string, string]> = [
      ['Connection Watchdog', 'xeroGuardConnectionTrigger'],
      ['Xero Guard', 'xeroGuard'],
      ['Check Connection', 'xeroGuardCheckConnection'],
      ['Refresh Token', 'xeroGuardRefreshToken'],
      ['Classify Error', 'xeroGuardClassifyError'],
      ['Connections', 'xeroGuardConnections'],
      ['Payroll AU', 'xeroGuardPayrollAu'],
      ['Projects', 'xeroGuardProjects'],
      ['Files', 'xeroGuardFiles'],
      ['Assets', 'xeroGuardAssets'],
      ['Finance', 'xeroGuardFinance'],
    ];
    const nodes = kinds.map(([name, type], i) => ({
      id: `n${i}`,
      name,
      type: `${PACKAGE}.${type}`,
      typeVersion: 1,
      position: [(i % 6) * 220, Math.floor(i / 6) * 300],
      // The API nodes with their Organisation (and Xero Guard on an operation with no required field): no warning mark on the screenshot.
      parameters: API_NODES.has(type)
        ? { organizationId: { __rl: true, mode: 'id', value: DEMO_TENANT_ID }, ...(type === 'xeroGuard' ? { resource: 'contact', operation: 'getAll' } : {}) }
        : {},
      credentials: credentials(),
    }));
    const id = await n8n!.importWorkflow({ name: 'Xero Guard: the icons', nodes, connections: {}, settings: { executionOrder: 'v1' } });
    await p.goto(`${n8n!.url}/workflow/${id}`);
    for (const [name] of kinds) await p.getByTestId('canvas-node').filter({ hasText: name }).first().waitFor();
    // Every node draws its own file icon (an <img> of the package's SVG), none n8n's fallback.
    const icons = await p
      .getByTestId('canvas-node')
      .locator('img')
      .evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src') ?? ''));
    const files = new Set(icons.map((src) => decodeURIComponent(src).replace(/^.*\/icons\//, '')));
    progress(`browser: canvas icons ${[...files].join(', ')}`);
    expect(files.size).toBeGreaterThanOrEqual(10);
    await p.getByTestId('canvas-node').first().waitFor();
    await p.keyboard.press('Shift+1'); // zoom to fit
    await p.mouse.click(5, 400);
    await p.screenshot({ path: ICONS_SHOT });
  });

  test('revoked, then "Switch account": the scopes the credential names; a dropped scope is named once, "works again" only when it is back', async () => {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'watchdog-slack.json'), 'utf8')
      .split('https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK')
      .join(slack!.url);
    const watchdog = JSON.parse(text) as { nodes: Array<{ parameters: Record<string, unknown>; credentials?: Record<string, unknown> }> };
    for (const node of watchdog.nodes) if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials = credentials();
    watchdog.nodes[0]!.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
    const watchdogId = await n8n!.importWorkflow(watchdog as unknown as Record<string, unknown>);
    const polls = (): number => (n8n!.currentLog().match(/Poll trigger initiated for workflow "Xero Guard: connection watchdog/g) ?? []).length;
    const connectionsOk = (): number => sim!.log().filter((e) => e.type === 'request' && e.endpoint === 'connections' && e.status === 200).length;
    const connectionsBefore = connectionsOk();
    await n8n!.activate(watchdogId);
    await waitFor('the first poll', () => (polls() > 0 ? true : undefined), 150_000, 500);
    // The first poll remembers the scopes the grant holds once Xero has answered it: only then is the
    // revocation a change it sees (a poll started is not yet a poll that reached Xero).
    await waitFor('the first poll to reach Xero', () => (connectionsOk() > connectionsBefore ? true : undefined), 150_000, 500);
    await waitForPollsToFinish(watchdogId);
    expect(slack!.messages).toHaveLength(0);

    sim!.revokeUser(DEMO_USER_EMAIL);
    await waitFor('the problem message', () => (slack!.messages.length >= 1 ? true : undefined), 150_000, 500);
    expect(String(slack!.messages[0]?.body?.text)).toMatch(/needs reconnecting/);

    // The user takes accounting.contacts out of the Scopes field and saves (what the editor's Save sends), then Switch account.
    await saveScopes(DEFAULT_XERO_SCOPES.filter((s) => s !== DROPPED));
    const fewer = await switchAccount();
    expect(fewer.sort()).toEqual(ALL_SCOPES.filter((s) => s !== DROPPED).sort());
    await waitFor('the scope-loss message', () => (slack!.messages.length >= 2 ? true : undefined), 150_000, 500);
    const lost = String(slack!.messages[1]?.body?.text);
    progress(`browser: scope-loss message ${JSON.stringify(lost)}`);
    expect(lost).toContain(DROPPED);
    expect(lost).not.toMatch(/works again/);
    const at = polls();
    await waitFor('one more poll', () => (polls() > at ? true : undefined), 150_000, 500);
    await waitForPollsToFinish(watchdogId);
    expect(slack!.messages).toHaveLength(2);

    // Back to the scopes of before: Switch account asks Xero for exactly those, and only then "works again".
    await saveScopes(DEFAULT_XERO_SCOPES);
    const same = await switchAccount();
    expect(same.sort()).toEqual([...ALL_SCOPES].sort());
    await waitFor('the works-again message', () => (slack!.messages.length >= 3 ? true : undefined), 150_000, 500);
    expect(String(slack!.messages[2]?.body?.text)).toMatch(/works again/);

    // The Scopes field emptied: Switch account asks for the default set (the same scopes), nothing is lost, no message.
    await saveScopes([]);
    expect((await switchAccount()).sort()).toEqual([...ALL_SCOPES].sort());
    const after = polls();
    await waitFor('one more poll', () => (polls() > after ? true : undefined), 150_000, 500);
    await waitForPollsToFinish(watchdogId);
    expect(slack!.messages).toHaveLength(3);
    await n8n!.deactivate(watchdogId);
  });

  /** The credential saved with these scopes, as the editor's Save sends it (n8n keeps the stored token set). */
  async function saveScopes(scopes: readonly string[]): Promise<void> {
    const exported = await n8n!.exportCredential(credentialId);
    const data = typeof exported.data === 'string' ? JSON.parse(exported.data) : exported.data;
    const { oauthTokenData: _kept, ...fields } = data as Record<string, unknown>;
    const saved = await n8n!.rest('PATCH', `/credentials/${credentialId}`, {
      name: CREDENTIAL_NAME,
      type: CREDENTIAL_TYPE,
      data: { ...fields, xeroScopes: [...scopes] },
    });
    expect(saved.status).toBe(200);
  }

  /** "Switch account" (or "Connect") on the credential's page, Allow access at the simulator; the scopes the sign-in asked for. */
  async function switchAccount(): Promise<string[]> {
    const p = page!;
    await p.goto(`${n8n!.url}/home/credentials/${credentialId}`);
    const dialog = p.getByTestId('credential-edit-dialog');
    await dialog.waitFor();
    const button = dialog
      .locator('[data-test-id="oauth-stale-switch-account-button"], [data-test-id="oauth-switch-account-button"], [data-test-id="quick-connect-button"]')
      .first();
    await button.waitFor({ timeout: 60_000 });
    const popupPromise = p.waitForEvent('popup');
    await button.click();
    const popup = await popupPromise;
    await popup.waitForSelector('#allow', { timeout: 60_000 });
    const asked = (new URL(popup.url()).searchParams.get('scope') ?? '').split(' ').filter(Boolean);
    progress(`browser: Switch account asked Xero for ${asked.join(' ')}`);
    await popup.click('#allow');
    await waitFor('the popup to close after the callback', () => (popup.isClosed() ? true : undefined), 60_000);
    await p.getByTestId('oauth-connect-success-banner').waitFor({ timeout: 60_000 });
    return asked;
  }

  async function waitForPollsToFinish(workflowId: string): Promise<void> {
    await waitFor(
      'the polls to finish',
      async () => ((await n8n!.executions({ workflowId })).every((e) => e.status !== 'running') ? true : undefined),
      120_000,
    );
  }
});
