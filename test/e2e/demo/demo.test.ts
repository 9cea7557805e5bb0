/**
 * The README's first quick-start command, as a user runs it, twice: a fresh `npm start` reaches
 * "ready", its credential holds the scopes the examples need (the retry loop gets its invoices the
 * first time); on it, in the n8n editor (headless Chromium, signed in as the printed owner), Manual
 * Trigger -> Xero Guard Contact "Create or Update" -> Xero Guard "Create an invoice" on the demo's
 * own credential: the contact made by running the Contact step, then picked in Create Invoice from
 * the contact list by typing its name, the tax type picked from the organisation's own list, saved;
 * executed from the editor it succeeds the first time, and the same workflow run again succeeds too,
 * with still one contact of that name and two more invoices in the simulator's Xero. Then SIGINT to
 * npm's own process stops everything; a second `npm start` brings back what the user built and the
 * connection, and Ctrl-C stops everything again. Both stops are checked by their outcome: no process
 * of the demo left, every port free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_XERO_SCOPES } from '../../../src/host';
import { DEMO_TENANT_ID } from '../../../src/simulator';
import { freePort } from '../../../tools/free-port';
import { OWNER, processesOf, waitFor, type N8nExecution } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { CREDENTIAL_TYPE, PACKAGE } from '../../../tools/n8n/xero';
import { ARTIFACTS, executeInEditor, firstItem, nextExecution, openBrowser, screenshotOnFailure, signInToEditor, type EditorBrowser } from '../harness/browser';

jest.setTimeout(25 * 60_000);

const RETRY_LOOP = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'retry-loop.json'), 'utf8')) as { name: string };
const USERS_WORKFLOW = 'Built in the demo, kept across restarts';
const BROWSER_ID = 'xero-guard-demo-e2e';
/** The credential the demo's first start creates (tools/demo.ts). */
const DEMO_CREDENTIAL = 'Xero (local simulator)';
/** The demo's organisation is a NZ one: its own tax rates. */
const TAX_RATE = '15% GST on Income (OUTPUT2)';
const CONTACT_NAME = 'Harbour Florists';

let demoDir: string;
let n8nPort: number;
let simPort: number;
const started: ChildProcess[] = [];
/** The fresh `npm start`, running from the first test to the SIGINT one. */
let fresh: Demo | undefined;

beforeAll(async () => {
  demoDir = mkdtempSync(join(tmpdir(), 'xero-guard-demo-'));
  n8nPort = await freePort();
  simPort = await freePort();
});

afterAll(() => {
  // Whatever happened, leave nothing of the demo running.
  for (const demo of started) {
    try {
      process.kill(-(demo.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const p of demoProcesses()) process.kill(p.pid, 'SIGKILL');
  rmSync(demoDir, { recursive: true, force: true });
});

interface Demo {
  child: ChildProcess;
  output(): string;
}

/** `npm start` in its own process group, as a terminal runs it, with the demo kept in a folder of this test's own. */
async function startDemo(): Promise<Demo> {
  let output = '';
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...process.env, N8N_PORT: String(n8nPort), XERO_GUARD_SIM_PORT: String(simPort), XERO_GUARD_DEMO_DIR: demoDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const state = await waitFor(
    'the demo to print "ready"',
    () => (output.includes('Xero Guard demo ready.') ? 'ready' : child.exitCode !== null ? 'exited' : undefined),
    12 * 60_000,
    1000,
  );
  if (state !== 'ready') {
    const why = output.indexOf('could not start');
    throw new Error(`npm start exited before it was ready:\n${why >= 0 ? output.slice(why, why + 3000) : output.slice(-4000)}`);
  }
  return { child, output: () => output };
}

/** Every process that carries this demo's folder in its environment (n8n, its task runner), whatever its group. */
function demoProcesses(): ReturnType<typeof processesOf> {
  return processesOf(undefined, `XERO_GUARD_DEMO=${demoDir}\0`);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Stops the demo as `stop` does and checks the outcome: npm's group and n8n's (with its task runner)
 * empty, no process of the demo anywhere, n8n's, the simulator's and the Slack stand-in's ports free.
 */
async function stopAndCheck(demo: Demo, stop: () => void): Promise<void> {
  const slackPort = (JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8')) as { slackPort: number }).slackPort;
  const groups = new Set([demo.child.pid as number, ...demoProcesses().map((p) => p.pgrp)]);
  expect(groups.size).toBeGreaterThan(1); // n8n runs in a group of its own
  stop();
  await waitFor(
    'every process of the demo to end and its ports to be free',
    async () => {
      if ([...groups].some(groupAlive) || demoProcesses().length > 0) return undefined;
      for (const port of [n8nPort, simPort, slackPort]) if (!(await portFree(port))) return undefined;
      return true;
    },
    90_000, // a wait limit for a loaded machine, not a speed claim: the stop itself takes seconds
    500,
  );
}

interface DemoN8n {
  /** n8n's REST API as the owner's session: the answer's `data`. */
  rest(method: string, path: string, body?: unknown): Promise<unknown>;
  /** A GET of n8n's public API: the answer's JSON. */
  api(path: string): Promise<unknown>;
}

/** The owner's session (cookie) and an API key of the test's own (labels are unique in n8n), on the running demo's n8n. */
async function signIn(): Promise<DemoN8n> {
  const base = `http://127.0.0.1:${n8nPort}`;
  const login = await fetch(`${base}/rest/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'browser-id': BROWSER_ID },
    body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const rest = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const answer = await fetch(`${base}/rest${path}`, {
      method,
      headers: { cookie, 'browser-id': BROWSER_ID, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    if (answer.status !== 200) throw new Error(`${method} /rest${path} answered ${answer.status} ${text.slice(0, 500)}`);
    return (JSON.parse(text) as { data: unknown }).data;
  };
  const scopes = (await rest('GET', '/api-keys/scopes')) as string[];
  const key = (await rest('POST', '/api-keys', { label: `demo e2e test ${randomBytes(3).toString('hex')}`, expiresAt: null, scopes })) as { rawApiKey: string };
  const api = async (path: string): Promise<unknown> => {
    const answer = await fetch(`${base}/api/v1${path}`, { headers: { 'X-N8N-API-KEY': key.rawApiKey, accept: 'application/json' } });
    expect(answer.status).toBe(200);
    return answer.json();
  };
  return { rest, api };
}

/** Runs the retry loop as the editor's Execute button does, and says which of its nodes ran. */
async function runRetryLoop(n8n: DemoN8n): Promise<{ status: string; ran: string[] }> {
  const workflows = (await n8n.rest('GET', '/workflows')) as Array<{ id: string; name: string }>;
  const loop = workflows.find((w) => w.name === RETRY_LOOP.name);
  expect(loop).toBeDefined();
  const { executionId } = (await n8n.rest('POST', `/workflows/${loop!.id}/run`, { triggerToStartFrom: { name: 'Start' } })) as { executionId: string };
  const execution = await waitFor(
    `execution ${executionId} of the retry loop to finish`,
    async () => {
      const found = (await n8n.api(`/executions/${executionId}?includeData=true`)) as N8nExecution & { stoppedAt?: string | null };
      return found.stoppedAt ? found : undefined;
    },
    120_000,
    500,
  );
  return { status: execution.status, ran: Object.keys(execution.data?.resultData?.runData ?? {}) };
}

/** The demo organisation's record counts, from the simulator's admin API (the simulator runs in the demo's process). */
async function bookCounts(): Promise<{ contacts: number; invoices: number }> {
  const answer = await fetch(`http://127.0.0.1:${simPort}/__admin/accounting/counts?tenantId=${DEMO_TENANT_ID}`);
  expect(answer.status).toBe(200);
  const { counts } = (await answer.json()) as { counts: Record<string, number | undefined> };
  return { contacts: counts.Contacts ?? 0, invoices: counts.Invoices ?? 0 };
}

test("a fresh npm start: ready, the credential holds the examples' scopes, the retry loop gets its invoices", async () => {
  fresh = await startDemo();
  const output = fresh.output();
  expect(output).toContain(`http://127.0.0.1:${n8nPort}`);
  expect(output).toMatch(/login +\S+@\S+ \/ \S+/);
  expect(output).toMatch(/Three things to try/);
  expect(output).toContain(`kept in         ${demoDir}`);
  expect(output).toContain(`starting a new demo in ${demoDir}`);
  // Its progress lines carry its own label, not the end-to-end suites'.
  expect(output).toMatch(/^\[xero-guard demo \d\d:\d\d:\d\d\] /m);
  expect(output).not.toContain('[xero-guard e2e');
  // The simulator's address, as printed, opens a page that says what it is.
  const home = await fetch(`http://127.0.0.1:${simPort}/`);
  expect(home.status).toBe(200);
  expect(await home.text()).toContain("Xero Guard's local Xero simulator");

  const n8n = await signIn();
  const credentials = (await n8n.rest('GET', '/credentials?includeData=true')) as Array<{ name: string; data: { xeroScopes?: string[] } }>;
  expect(credentials.map((c) => c.name)).toEqual([DEMO_CREDENTIAL]);
  expect(credentials[0].data.xeroScopes).toEqual([...DEFAULT_XERO_SCOPES]);
  const first = await runRetryLoop(n8n);
  expect(first).toEqual({ status: 'success', ran: expect.arrayContaining(['Start', 'Get Invoices from Xero', 'Done']) });
  expect(first.ran).not.toContain('Classify Xero Error');

  await n8n.rest('POST', '/workflows', {
    name: USERS_WORKFLOW,
    nodes: [
      { id: 'b7c1d2e3-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    ],
    connections: {},
    settings: { executionOrder: 'v1' },
  });
});

test(
  "on it, in the editor: an invoice whose contact is picked from the list by name and whose tax type is from the organisation's list succeeds the first time; " +
    'the same workflow, with Contact "Create or Update" before it, succeeds again with one contact of that name',
  async () => {
    if (!fresh) throw new Error('the fresh npm start did not come up');
    const base = `http://127.0.0.1:${n8nPort}`;
    const n8n = await signIn();
    const credential = ((await n8n.rest('GET', '/credentials')) as Array<{ id: string; name: string }>).find((c) => c.name === DEMO_CREDENTIAL);
    if (!credential) throw new Error(`no credential "${DEMO_CREDENTIAL}" in the demo`);
    const credentials = { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } };
    const organisation = { __rl: true, mode: 'id', value: DEMO_TENANT_ID };
    const created = (await n8n.rest('POST', '/workflows', {
      name: 'Xero Guard: invoice a customer',
      nodes: [
        {
          id: 'b7c1d2e3-0000-4000-8000-000000000011',
          name: 'When clicking Execute',
          type: 'n8n-nodes-base.manualTrigger',
          typeVersion: 1,
          position: [0, 0],
          parameters: {},
        },
        {
          id: 'b7c1d2e3-0000-4000-8000-000000000012',
          name: 'Contact',
          type: `${PACKAGE}.xeroGuard`,
          typeVersion: 1,
          position: [260, 0],
          parameters: {
            resource: 'contact',
            operation: 'upsert',
            organizationId: organisation,
            name: CONTACT_NAME,
            additionalFields: { emailAddress: 'accounts@harbour-florists.example' },
          },
          credentials,
        },
        {
          id: 'b7c1d2e3-0000-4000-8000-000000000013',
          name: 'Create Invoice',
          type: `${PACKAGE}.xeroGuard`,
          typeVersion: 1,
          position: [520, 0],
          parameters: {
            resource: 'invoice',
            operation: 'create',
            organizationId: organisation,
            type: 'ACCREC',
            contactId: { __rl: true, mode: 'list', value: '' },
            lineItemsUi: { lineItemsValues: [{ description: 'Bookkeeping, November', quantity: 2, unitAmount: '150', accountCode: '200', taxType: '' }] },
          },
          credentials,
        },
      ],
      connections: {
        'When clicking Execute': { main: [[{ node: 'Contact', type: 'main', index: 0 }]] },
        Contact: { main: [[{ node: 'Create Invoice', type: 'main', index: 0 }]] },
      },
      settings: { executionOrder: 'v1' },
    })) as { id: string };
    const id = created.id;
    const executions = async (workflowId: string): Promise<N8nExecution[]> =>
      ((await n8n.api(`/executions?workflowId=${workflowId}&includeData=true&limit=50`)) as { data: N8nExecution[] }).data;
    const invoiceParameters = async (): Promise<{ contactId?: { value?: unknown }; lineItemsUi?: { lineItemsValues?: Array<{ taxType?: unknown }> } }> => {
      const stored = (await n8n.rest('GET', `/workflows/${id}`)) as { nodes: Array<{ name: string; parameters: Record<string, unknown> }> };
      return stored.nodes.find((node) => node.name === 'Create Invoice')?.parameters ?? {};
    };
    const atStart = await bookCounts();

    let browser: EditorBrowser | undefined;
    try {
      browser = await openBrowser();
      const p = browser.page;
      /** The editor's calls for dynamic lists that failed (n8n shows them as "Error fetching options"). */
      const failedListCalls: string[] = [];
      p.on('response', (r) => {
        if (r.url().includes('/rest/dynamic-node-parameters/') && r.status() >= 400) failedListCalls.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      await screenshotOnFailure(
        () => browser?.page,
        'demo-failure-invoice',
        async () => {
          await signInToEditor(p, base);
          await p.goto(`${base}/workflow/${id}`);

          // A fresh demo's organisation has no contacts: the user runs the Contact step first, which creates it.
          await p
            .getByTestId('canvas-node')
            .filter({ has: p.getByText('Contact', { exact: true }) })
            .first()
            .dblclick();
          let panel = p.getByTestId('ndv');
          await panel.waitFor();
          const before = (await executions(id)).length;
          await panel.getByTestId('node-execute-button').first().click();
          const step = await nextExecution(executions, id, before);
          expect(step.status).toBe('success');
          const contactId = String(firstItem(step, 'Contact').ContactID);
          expect(firstItem(step, 'Contact').Name).toBe(CONTACT_NAME);
          expect(await bookCounts()).toEqual({ contacts: atStart.contacts + 1, invoices: atStart.invoices });
          await p.keyboard.press('Escape');

          await p.getByTestId('canvas-node').filter({ hasText: 'Create Invoice' }).first().dblclick();
          panel = p.getByTestId('ndv');
          await panel.waitFor();
          // The contact: From List, searched by its name, picked from the results.
          await panel.getByTestId('parameter-input-contactId').getByTestId('rlc-input').click();
          await p.getByTestId('rlc-search').fill(CONTACT_NAME);
          await p.getByTestId('rlc-item').filter({ hasText: CONTACT_NAME }).first().click();
          // The tax type: the organisation's own list.
          await panel.getByTestId('parameter-input-taxType').click();
          await p.getByText(TAX_RATE, { exact: true }).first().click();
          await p.screenshot({ path: join(ARTIFACTS, 'demo-invoice-picked.png') });
          expect(await panel.getByText(/Error fetching options/i).count()).toBe(0);
          expect(failedListCalls).toEqual([]);
          await p.keyboard.press('Escape');
          await p.keyboard.press('Control+s');
          const saved = await waitFor(
            'the picks to be saved',
            async () => {
              const params = await invoiceParameters();
              return params.contactId?.value && params.lineItemsUi?.lineItemsValues?.[0]?.taxType === 'OUTPUT2' ? params : undefined;
            },
            30_000,
          );
          expect(saved.contactId?.value).toBe(contactId);

          // Saved: the workflow opened afresh and run from the editor's button, twice.
          for (const run of [1, 2]) {
            const execution = await executeInEditor(p, base, id, executions, join(ARTIFACTS, `demo-invoice-run-${run}.png`));
            const invoice = firstItem(execution, 'Create Invoice') as {
              Contact?: { ContactID?: string; Name?: string };
              LineItems?: Array<{ TaxType?: string }>;
            };
            expect({
              upserted: firstItem(execution, 'Contact').ContactID,
              contact: invoice.Contact?.Name,
              contactId: invoice.Contact?.ContactID,
              taxType: invoice.LineItems?.[0]?.TaxType,
            }).toEqual({ upserted: contactId, contact: CONTACT_NAME, contactId, taxType: 'OUTPUT2' });
          }
          // Both runs updated the one contact the step made: no second "Harbour Florists"; one invoice each.
          expect(await bookCounts()).toEqual({ contacts: atStart.contacts + 1, invoices: atStart.invoices + 2 });
        },
      );
    } finally {
      await browser?.close();
    }
  },
);

test("SIGINT to npm's own process stops everything the fresh start started", async () => {
  if (!fresh) throw new Error('the fresh npm start did not come up');
  const demo = fresh;
  // SIGINT to npm's process alone (a process manager's stop), not to its group.
  await stopAndCheck(demo, () => process.kill(demo.child.pid as number, 'SIGINT'));
  expect(demo.output()).toContain(`stopped; the demo is kept in ${demoDir}`);
  expect(demo.output()).not.toMatch(/could not start/);
});

test('npm start again: what the user built is there and the kept connection still works; Ctrl-C stops everything', async () => {
  const demo = await startDemo();
  expect(demo.output()).toContain(`starting the demo kept in ${demoDir}`);
  const n8n = await signIn();
  const names = ((await n8n.rest('GET', '/workflows')) as Array<{ name: string }>).map((w) => w.name);
  expect(names).toEqual(expect.arrayContaining([USERS_WORKFLOW, RETRY_LOOP.name]));
  expect(names.filter((name) => name === RETRY_LOOP.name)).toHaveLength(1);
  expect(((await n8n.rest('GET', '/credentials')) as unknown[]).length).toBe(1);
  // One demo key, replaced at each boot, beside this test's own.
  const keys = (await n8n.rest('GET', '/api-keys')) as { items: Array<{ label: string }> };
  expect(keys.items.filter((k) => k.label === 'xero-guard demo')).toHaveLength(1);
  // The token chain and the simulator's Xero came back together: the same credential still reads the invoices.
  const again = await runRetryLoop(n8n);
  expect(again).toEqual({ status: 'success', ran: expect.arrayContaining(['Get Invoices from Xero', 'Done']) });
  expect(again.ran).not.toContain('Classify Xero Error');

  // Ctrl-C: a terminal sends SIGINT to the whole foreground process group.
  await stopAndCheck(demo, () => process.kill(-(demo.child.pid as number), 'SIGINT'));
  expect(demo.output()).not.toMatch(/could not start/);
});
