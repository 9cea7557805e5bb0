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

/** One node of a workflow as n8n stores and exports it: the fields the tests read or edit. */
export type WorkflowNode = {
  name: string;
  type: string;
  parameters: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
  webhookId?: string;
  [field: string]: unknown;
};

/** A workflow as n8n stores and exports it (examples/*.json, the converter's output, GET /api/v1/workflows/:id). */
export type WorkflowJson = {
  name: string;
  nodes: WorkflowNode[];
  connections: Record<string, unknown>;
  active?: boolean;
  [field: string]: unknown;
};
