/** The workflow most end-to-end checks need: a production webhook, then one node, answering with that node's output. */
import { randomUUID } from 'node:crypto';

export function webhookInto(name: string, path: string, node: Record<string, unknown> & { name: string }): Record<string, unknown> {
  return {
    name,
    nodes: [
      {
        id: randomUUID(),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: randomUUID(),
        parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
      },
      { id: randomUUID(), position: [240, 0], ...node },
    ],
    connections: { Webhook: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}
