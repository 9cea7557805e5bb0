import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';
import { convertText } from '../../../../n8n/convert/convert';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';
import { everyOperationWorkflow } from './sample-workflow';

type Json = Record<string, unknown>;
const description = new XeroGuard().description;

// What n8n itself does with a node's parameters when it loads a workflow (and when the editor opens the node):
// resolve them against the node type's description. A converted workflow must come through unchanged and complete.
describe("n8n's own parameter resolution on converted workflows", () => {
  const text = JSON.stringify(everyOperationWorkflow());
  const converted = JSON.parse(convertText(text, 'every.json', JSON.parse(text), { name: 'G' }).text ?? 'null') as Json;
  const nodes = (converted.nodes as Json[]).filter((n) => n.type === 'n8n-nodes-xero-guard.xeroGuard');

  it.each(nodes.map((n) => [n.name as string, n] as const))('%s keeps every value and has no parameter issues', (_name, node) => {
    const parameters = node.parameters as INodeParameters;
    const resolved = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, { typeVersion: 1 }, description);
    expect(resolved).toMatchObject(parameters);
    const issues = NodeHelpers.getNodeParametersIssues(description.properties, { ...(node as unknown as INode), parameters: resolved ?? {} }, description);
    expect(issues).toBeNull();
  });

  it('every resource and operation of the node resolves its defaults under n8n', () => {
    for (const p of description.properties.filter((x) => x.name === 'operation')) {
      const resource = (p.displayOptions?.show?.resource as string[])[0];
      for (const o of p.options as Array<{ value: string }>) {
        const resolved = NodeHelpers.getNodeParameters(description.properties, { resource, operation: o.value }, true, false, { typeVersion: 1 }, description);
        expect(resolved).toMatchObject({ resource, operation: o.value, organizationId: { mode: 'list', value: '' } });
      }
    }
  });
});
