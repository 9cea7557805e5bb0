/**
 * Issue 27 item 6: a workflow that mixes n8n's Xero node with HTTP Request nodes on n8n's own Xero credential
 * comes out with every Xero call on the guarded credential, each node named in the report; an expression
 * after a converted node that parses Xero's `/Date(...)/` form is named as a warning, with the node and the text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputPathFor } from '../../../../cli/xero-guard-n8n';
import { convertText } from '../../../../n8n/convert/convert';
import { HTTP_REQUEST_TYPES } from '../../../../n8n/convert/http-request';
import { folderPerTest, runConverter } from './sample-workflow';

type Json = Record<string, unknown>;
const N8N_XERO = { xeroOAuth2Api: { id: 'x1', name: 'Xero account' } };
const GUARDED = { id: 'g1', name: 'Xero Guarded' };

const node = (name: string, type: string, parameters: Json, extra: Json = {}): Json => ({
  id: `id-${name}`,
  name,
  type,
  typeVersion: type.includes('httpRequest') || type.includes('toolHttpRequest') ? 4.2 : 1,
  position: [0, 0],
  parameters,
  ...extra,
});
const onN8nXero = { authentication: 'predefinedCredentialType', nodeCredentialType: 'xeroOAuth2Api' };
const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });

/** A workflow as users build them before the switch: n8n's Xero node, HTTP Request nodes for what it does not cover, date handling after both. */
function mixedWorkflow(): Json {
  return {
    name: 'Month end',
    nodes: [
      node('Start', 'n8n-nodes-base.manualTrigger', {}),
      node(
        'Get invoices',
        'n8n-nodes-base.xero',
        { resource: 'invoice', operation: 'getAll', organizationId: 'org-1', returnAll: true },
        { credentials: N8N_XERO },
      ),
      node(
        'Invoice dates',
        'n8n-nodes-base.set',
        {
          assignments: {
            assignments: [
              { id: 'a1', name: 'due', value: "={{ new Date(parseInt($json.DueDate.replace('/Date(', ''))) }}", type: 'string' },
              { id: 'a2', name: 'number', value: '={{ $json.InvoiceNumber }}', type: 'string' },
            ],
          },
        },
        { typeVersion: 3.4 },
      ),
      node('Updated', 'n8n-nodes-base.code', {
        jsCode: 'const items = $input.all();\nreturn items.map((i) => ({ json: { at: Number(i.json.UpdatedDateUTC.slice(6, 19)) } }));',
      }),
      node(
        'Get bank feeds',
        'n8n-nodes-base.httpRequest',
        {
          ...onN8nXero,
          url: 'https://api.xero.com/bankfeeds.xro/1.0/Statements',
          sendHeaders: true,
          headerParameters: { parameters: [{ name: 'xero-tenant-id', value: 'org-1' }] },
          options: {},
        },
        { credentials: N8N_XERO },
      ),
      // After an HTTP Request node Xero's own JSON still arrives: no warning here.
      node('Feed dates', 'n8n-nodes-base.code', { jsCode: 'return [{ json: { d: $json.Date.match(/\\/Date\\((\\d+)/)[1] } }];' }),
      node(
        'Agent tool',
        'n8n-nodes-base.httpRequestTool',
        { ...onN8nXero, url: 'https://api.xero.com/api.xro/2.0/Contacts', toolDescription: 'Find contacts' },
        { credentials: N8N_XERO },
      ),
      node(
        'Old agent tool',
        '@n8n/n8n-nodes-langchain.toolHttpRequest',
        { ...onN8nXero, url: 'https://api.xero.com/api.xro/2.0/Items' },
        { credentials: N8N_XERO },
      ),
      node('Contacts tool', 'n8n-nodes-base.xeroTool', { resource: 'contact', operation: 'getAll', descriptionType: 'auto' }, { credentials: N8N_XERO }),
      // Not on n8n's Xero credential: left alone.
      node(
        'Other API',
        'n8n-nodes-base.httpRequest',
        { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth', url: 'https://example.com' },
        {
          credentials: { httpHeaderAuth: { id: 'h1', name: 'Header' } },
        },
      ),
    ],
    connections: {
      Start: {
        main: [
          [
            { node: 'Get invoices', type: 'main', index: 0 },
            { node: 'Get bank feeds', type: 'main', index: 0 },
          ],
        ],
      },
      'Get invoices': link('Invoice dates'),
      'Invoice dates': link('Updated'),
      'Get bank feeds': link('Feed dates'),
      'Agent tool': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
    },
  };
}

describe('HTTP Request nodes on n8n’s Xero credential', () => {
  const text = JSON.stringify(mixedWorkflow(), null, 2);
  const result = convertText(text, 'month-end.json', JSON.parse(text), GUARDED);
  const converted = JSON.parse(result.text ?? 'null') as { nodes: Json[] };
  const byName = (name: string) => converted.nodes.find((n) => n.name === name) as Json;

  test('every Xero call ends on the guarded credential: no node names n8n’s Xero credential any more', () => {
    expect(result.text).not.toContain('xeroOAuth2Api');
    for (const name of ['Get invoices', 'Contacts tool', 'Get bank feeds', 'Agent tool', 'Old agent tool'])
      expect(byName(name).credentials).toEqual({ xeroGuardOAuth2Api: GUARDED });
  });

  test('the HTTP Request nodes keep their type, request and settings, and use the guarded credential as their predefined type', () => {
    const before = mixedWorkflow().nodes as Json[];
    for (const name of ['Get bank feeds', 'Agent tool', 'Old agent tool']) {
      const was = before.find((n) => n.name === name) as Json;
      expect(byName(name)).toEqual({
        ...was,
        parameters: { ...(was.parameters as Json), nodeCredentialType: 'xeroGuardOAuth2Api' },
        credentials: { xeroGuardOAuth2Api: GUARDED },
      });
    }
    expect(byName('Other API')).toEqual((mixedWorkflow().nodes as Json[]).find((n) => n.name === 'Other API'));
  });

  test('the changes list each node: the Xero nodes converted, the HTTP Request nodes moved with the credential they were on', () => {
    expect(result.changes).toEqual([
      { workflow: 'Month end', node: 'Get invoices', kind: 'xero' },
      { workflow: 'Month end', node: 'Get bank feeds', kind: 'httpRequest', from: 'Xero account' },
      { workflow: 'Month end', node: 'Agent tool', kind: 'httpRequest', from: 'Xero account' },
      { workflow: 'Month end', node: 'Old agent tool', kind: 'httpRequest', from: 'Xero account' },
      { workflow: 'Month end', node: 'Contacts tool', kind: 'xero' },
    ]);
    expect([...HTTP_REQUEST_TYPES].every((type) => converted.nodes.some((n) => n.type === type))).toBe(true);
  });

  test('expressions after a converted Xero node that parse /Date(...)/ are warned about, with node, field and text; those after an HTTP Request node are not', () => {
    expect(result.warnings).toEqual([
      {
        workflow: 'Month end',
        node: 'Invoice dates',
        field: 'parameters.assignments.assignments[0].value',
        text: "={{ new Date(parseInt($json.DueDate.replace('/Date(', ''))) }}",
        after: 'Get invoices',
      },
      {
        workflow: 'Month end',
        node: 'Updated',
        field: 'parameters.jsCode',
        text: 'return items.map((i) => ({ json: { at: Number(i.json.UpdatedDateUTC.slice(6, 19)) } }));',
        after: 'Get invoices',
      },
    ]);
  });

  test('a workflow with only an HTTP Request node on n8n’s Xero credential is converted too', () => {
    const only = JSON.stringify({ nodes: [(mixedWorkflow().nodes as Json[])[4]], connections: {} });
    expect(convertText(only, 'only.json', JSON.parse(only), GUARDED).changes).toEqual([
      { workflow: 'only.json', node: 'Get bank feeds', kind: 'httpRequest', from: 'Xero account' },
    ]);
  });

  test('an HTTP Request node that only carries a leftover n8n Xero credential, without using it, is left alone', () => {
    const leftover = node('Leftover', 'n8n-nodes-base.httpRequest', { authentication: 'none', url: 'https://api.xero.com/x' }, { credentials: N8N_XERO });
    const t = JSON.stringify({ nodes: [leftover], connections: {} });
    expect(convertText(t, 'l.json', JSON.parse(t), GUARDED)).toEqual({ text: null, changes: [], notes: [], warnings: [] });
  });
});

describe('the command’s report', () => {
  const folder = folderPerTest('xg-convert-http-');

  test('names every node converted or moved, and every date warning with its expression', async () => {
    const file = join(folder(), 'month-end.json');
    writeFileSync(file, JSON.stringify(mixedWorkflow(), null, 2));
    const { code, out, err } = await runConverter(['convert-workflows', file, '--credential', 'Xero Guarded', '--credential-id', 'g1']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.split('\n')).toEqual([
      `${file}: converted 2 Xero nodes to Xero Guard and moved 3 HTTP Request nodes off n8n's Xero credential, onto credential "Xero Guarded" -> ${outputPathFor(file)}`,
      `  converted: workflow "Month end", node "Get invoices": n8n's Xero node -> Xero Guard`,
      `  converted: workflow "Month end", node "Contacts tool": n8n's Xero node -> Xero Guard`,
      `  moved: workflow "Month end", node "Get bank feeds": HTTP Request on n8n's Xero credential "Xero account" -> "Xero Guarded"`,
      `  moved: workflow "Month end", node "Agent tool": HTTP Request on n8n's Xero credential "Xero account" -> "Xero Guarded"`,
      `  moved: workflow "Month end", node "Old agent tool": HTTP Request on n8n's Xero credential "Xero account" -> "Xero Guarded"`,
      `  warning: workflow "Month end", node "Invoice dates", field "parameters.assignments.assignments[0].value" runs after "Get invoices" and parses Xero's /Date(...)/ form, but Xero Guard gives ISO dates (2024-05-01T00:00:00); check it: ={{ new Date(parseInt($json.DueDate.replace('/Date(', ''))) }}`,
      `  warning: workflow "Month end", node "Updated", field "parameters.jsCode" runs after "Get invoices" and parses Xero's /Date(...)/ form, but Xero Guard gives ISO dates (2024-05-01T00:00:00); check it: return items.map((i) => ({ json: { at: Number(i.json.UpdatedDateUTC.slice(6, 19)) } }));`,
    ]);
    expect(readFileSync(outputPathFor(file), 'utf8')).not.toContain('xeroOAuth2Api');
  });
});
