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
