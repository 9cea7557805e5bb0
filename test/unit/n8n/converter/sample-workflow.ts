import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../../cli/xero-guard-n8n';
import type { ManifestField } from '../../../../n8n/convert/convert';
import { N8N_XERO } from '../../../../n8n/convert/convert';

type Json = Record<string, unknown>;

/** A value for every field, unique per field where it is text, so each can be found in the request. */
export function sampleOf(field: ManifestField, path: string): unknown {
  switch (field.type) {
    case 'string':
      return `v-${path}`;
    case 'number':
      return 7;
    case 'boolean':
      return true;
    case 'dateTime':
      return '2026-01-02T03:04:05.000Z';
    case 'options':
      return field.values?.length ? field.values[field.values.length - 1] : `v-${path}`;
    case 'multiOptions':
      return field.values ?? [];
    case 'collection':
      return Object.fromEntries(Object.entries(field.fields ?? {}).map(([k, f]) => [k, sampleOf(f, `${path}.${k}`)]));
    case 'fixedCollection':
      return Object.fromEntries(
        Object.entries(field.fields ?? {}).map(([group, g]) => [
          group,
          [Object.fromEntries(Object.entries(g.fields ?? {}).map(([k, f]) => [k, sampleOf(f, `${path}.${k}`)]))],
        ]),
      );
    default:
      throw new Error(`no sample for ${field.type} at ${path}`);
  }
}

export const ORG_ID = '11111111-1111-4111-8111-111111111111';

/** A workflow as n8n exports it, with one n8n Xero node per resource and operation, every field filled in. */
export function everyOperationWorkflow(): Json {
  const nodes: Json[] = [
    { parameters: {}, id: 'trigger', name: 'When clicking ‘Execute workflow’', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
  ];
  const connections: Json = {};
  let previous = nodes[0].name as string;
  let x = 200;
  for (const [key, fields] of Object.entries(N8N_XERO.fields)) {
    const [resource, operation] = key.split('.');
    const parameters: Json = { resource, operation };
    for (const [name, field] of Object.entries(fields))
      parameters[name] = name === 'organizationId' ? ORG_ID : name === 'returnAll' ? false : sampleOf(field, `${key}.${name}`);
    const name = `Xero ${resource} ${operation}`;
    nodes.push({
      parameters,
      id: `id-${key}`,
      name,
      type: 'n8n-nodes-base.xero',
      typeVersion: 1,
      position: [x, 100],
      credentials: { xeroOAuth2Api: { id: 'old1', name: 'Xero account' } },
      retryOnFail: true,
      onError: 'continueErrorOutput',
    });
    connections[previous] = { main: [[{ node: name, type: 'main', index: 0 }]] };
    previous = name;
    x += 200;
  }
  return {
    name: 'Every Xero operation',
    nodes,
    pinData: {},
    connections,
    active: false,
    settings: { executionOrder: 'v1' },
    versionId: 'v1',
    meta: { instanceId: 'i' },
    id: 'wf1',
    tags: [],
  };
}

/** n8n's own Xero credential as an export names it. */
export const N8N_XERO_CREDENTIAL: Json = { xeroOAuth2Api: { id: '1', name: 'Xero account' } };

/** One workflow with one n8n Xero node (contact get), as n8n downloads it: indented by 2, with a final newline. */
export function oneXeroNodeExport(name = 'Invoices', credentials: Json = N8N_XERO_CREDENTIAL): string {
  const node = {
    parameters: { resource: 'contact', operation: 'get', contactId: 'c1' },
    name: 'Xero',
    type: 'n8n-nodes-base.xero',
    typeVersion: 1,
    position: [1, 2],
    credentials,
  };
  return `${JSON.stringify({ name, nodes: [node], connections: {} }, null, 2)}\n`;
}

/** The converter command as a user runs it, with what it printed. */
export async function runConverter(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A fresh temporary folder for each test of the enclosing block, removed after it. */
export function folderPerTest(prefix: string): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
