/**
 * The harness itself, on n8n's built-in nodes only: boot a real n8n with our tarball installed,
 * owner and API key, import and run a workflow by both paths (CLI execute and a production
 * webhook), restart, and stop with no process left behind.
 */
import { e2eTest } from '../harness/diagnostics';
import { processesOf, startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import { progress } from '../../../tools/n8n/install';

/** GET /api/v1/workflows: a page of workflows. */
type WorkflowList = { data: Array<{ id: string }> };

jest.setTimeout(300_000);

const manualWorkflow = {
  name: 'harness: manual + code',
  nodes: [
    { id: 'a1', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    {
      id: 'a2',
      name: 'Code',
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      position: [220, 0],
      parameters: { jsCode: "return [{ json: { answer: 6 * 7, from: 'code node' } }];" },
    },
  ],
  connections: { Manual: { main: [[{ node: 'Code', type: 'main', index: 0 }]] } },
  settings: { executionOrder: 'v1' },
};

const webhookWorkflow = {
  name: 'harness: webhook + code',
  nodes: [
    {
      id: 'b1',
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      webhookId: 'c0ffee00-0000-4000-8000-000000000001',
      parameters: { httpMethod: 'POST', path: 'harness-echo', responseMode: 'lastNode', options: {} },
    },
    {
      id: 'b2',
      name: 'Code',
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      position: [220, 0],
      parameters: { jsCode: 'return [{ json: { doubled: $input.first().json.body.n * 2 } }];' },
    },
  ],
  connections: { Webhook: { main: [[{ node: 'Code', type: 'main', index: 0 }]] } },
  settings: { executionOrder: 'v1' },
};

describe('e2e harness on a real n8n', () => {
  let n8n: N8nHandle | undefined;
  const test = e2eTest(() => ({ n8n }));

  beforeAll(async () => {
    const started = Date.now();
    n8n = await startN8n();
    progress(`harness: install + pack + boot + owner took ${Math.round((Date.now() - started) / 1000)} s`);
  }, 1_800_000); // the first run installs n8n (minutes; up to ~17 min on a loaded 2-core machine)

  afterAll(async () => {
    await n8n?.stop();
  });

  test('boots with an owner and an API key that the public API accepts', async () => {
    const workflows = await n8n!.api('GET', '/workflows');
    expect(workflows.status).toBe(200);
    expect(Array.isArray((workflows.json as { data: unknown }).data)).toBe(true);
    const bad = await fetch(`${n8n!.url}/api/v1/workflows`, { headers: { 'X-N8N-API-KEY': 'not-a-key' } });
    expect(bad.status).toBe(401);
  });

  test('loads our tarball as a community package', async () => {
    const credentialTypes = (await n8n!.credentialTypes()).map((c) => c.name);
    expect(credentialTypes).toContain('xeroGuardOAuth2Api');
    const ours = (await n8n!.nodeTypes()).map((t) => t.name).filter((name) => name.startsWith('n8n-nodes-xero-guard.'));
    expect(ours.length).toBeGreaterThan(0);
  });

  test('imports a Manual Trigger + Code workflow and runs it with n8n execute', async () => {
    const id = await n8n!.importWorkflow(manualWorkflow);
    const started = Date.now();
    const result = await n8n!.runWorkflow(id);
    progress(`harness: n8n execute took ${Date.now() - started} ms`);
    expect(result.output).toContain('"answer": 42');
    expect(result.ok).toBe(true);
  });

  test('runs a webhook workflow through the public API activation', async () => {
    const id = await n8n!.importWorkflow(webhookWorkflow);
    await n8n!.activate(id);
    const started = Date.now();
    const answer = await n8n!.webhook('harness-echo', { n: 21 });
    progress(`harness: one webhook execution took ${Date.now() - started} ms`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ doubled: 42 });
    const executions = await n8n!.executions({ workflowId: id });
    expect(executions.map((e) => e.status)).toEqual(['success']);
  });

  test('a restart keeps the workflows, the owner and the API key', async () => {
    const before = await n8n!.api('GET', '/workflows');
    const pidBefore = n8n!.pid;
    const started = Date.now();
    await n8n!.restart();
    progress(`harness: restart took ${Math.round((Date.now() - started) / 1000)} s`);
    expect(n8n!.pid).not.toBe(pidBefore);
    expect(processesOf(pidBefore, 'no-such-marker')).toEqual([]);
    const after = await n8n!.api('GET', '/workflows');
    expect(after.status).toBe(200);
    expect((after.json as WorkflowList).data.map((w) => w.id).sort()).toEqual((before.json as WorkflowList).data.map((w) => w.id).sort());
    const answer = await n8n!.webhook('harness-echo', { n: 4 });
    expect(answer.json).toEqual({ doubled: 8 });
  });

  test('stop leaves no n8n process behind', async () => {
    const handle = n8n!;
    const pid = handle.pid;
    expect(processesOf(pid, handle.marker).length).toBeGreaterThan(0);
    await handle.stop();
    n8n = undefined;
    expect(processesOf(pid, handle.marker)).toEqual([]);
    // Also by command line: nothing of this user folder is running.
    const byFolder = processesOf(undefined, handle.userFolder);
    expect(byFolder).toEqual([]);
  });
});
