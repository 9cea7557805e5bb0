/**
 * The Xero Guard node and the converter's output on a real n8n 2.41.1 loading the packed tarball: the node
 * type and its AI tool form are loaded, and a workflow converted from n8n's own Xero node (every operation,
 * every field) imports through `n8n import:workflow` with our node type, the guarded credential and every
 * parameter kept. Runs on the real API client come with the wiring step (issue 15's client).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertText } from '../../../n8n/convert/convert';
import { everyOperationWorkflow } from '../../unit/n8n/converter/sample-workflow';
import { e2eTest } from '../harness/diagnostics';
import { startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import { PACKAGE } from '../../../tools/n8n/xero';

jest.setTimeout(300_000);

describe('Xero Guard node on real n8n', () => {
  let n8n: N8nHandle | undefined;
  const test = e2eTest(() => ({ n8n }));
  beforeAll(async () => {
    n8n = await startN8n();
  });
  afterAll(async () => {
    await n8n?.stop();
  });

  test('n8n loads the node and its AI tool form', async () => {
    const names = (await n8n!.nodeTypes()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining([`${PACKAGE}.xeroGuard`, `${PACKAGE}.xeroGuardTool`]));
  });

  test("a workflow converted from n8n's Xero node imports with every node, field and connection kept", async () => {
    const source = everyOperationWorkflow();
    const text = JSON.stringify(source, null, 2);
    const converted = JSON.parse(convertText(text, 'every.json', JSON.parse(text), { name: 'Xero Guarded' }).text!) as {
      nodes: Array<Record<string, unknown>>;
      connections: unknown;
    };
    const dir = mkdtempSync(join(tmpdir(), 'xg-convert-e2e-'));
    try {
      const file = join(dir, 'every.xero-guard.json');
      writeFileSync(file, JSON.stringify(converted));
      const [id] = await n8n!.importWorkflowFile(file);
      const stored = (await n8n!.api('GET', `/workflows/${id}`)).json as { nodes: Array<Record<string, unknown>>; connections: unknown };
      expect(stored.connections).toEqual(converted.connections);
      for (const node of converted.nodes) {
        const back = stored.nodes.find((n) => n.name === node.name)!;
        expect(back.type).toBe(node.type);
        expect(back.parameters).toEqual(node.parameters);
        expect(back.position).toEqual(node.position);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
