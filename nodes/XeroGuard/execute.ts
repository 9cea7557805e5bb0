/**
 * The Xero Guard (Accounting) node as the shared kit runs it: its resources, its Custom API Call
 * bases (as they always were), Batch Size, and the contact picker's look-up by name. The executor is
 * the one every API node shares (../shared/api-node/execute.ts).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { ACCOUNTING_CALL_BASES } from '../shared/api-node/custom-api-call';
import { executeApiNode, planItem as planApiItem } from '../shared/api-node/execute';
import { ApiNode } from '../shared/api-node/node';
import type { SessionClient } from '../shared/api-node/session-client';
import { RESOURCES } from './resources';
import { contactIdByName, SEARCH_CONTACTS } from './resources/contact-locator';
import { ACCOUNTING } from './resources/table';

export const ACCOUNTING_NODE = new ApiNode({
  apis: [ACCOUNTING],
  resources: RESOURCES,
  callBases: ACCOUNTING_CALL_BASES,
  // The Custom API Call's words as they always were: it reaches any Xero API from here.
  apiWords: 'Xero API',
  batching: true,
  defaultResource: 'invoice',
  resolvers: { [SEARCH_CONTACTS]: contactIdByName },
});

/** Runs the node's items on a session's client (the node's execute() after opening the session). */
export function executeXeroGuard(context: IExecuteFunctions, session: SessionClient): Promise<INodeExecutionData[][]> {
  return executeApiNode(context, session, ACCOUNTING_NODE);
}

/** An item's operation and its planned request (pure), as the Accounting node plans it. */
export function planItem(context: IExecuteFunctions, itemIndex: number): ReturnType<typeof planApiItem> {
  return planApiItem(context, ACCOUNTING_NODE, itemIndex);
}
