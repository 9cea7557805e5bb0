/**
 * The Xero Guard Finance node: Xero's Finance API (/finance.xro/1.0), read only, on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { callBasesOf } from '../shared/api-node/custom-api-call';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { FINANCE, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [FINANCE],
  resources: RESOURCES,
  callBases: callBasesOf([FINANCE]),
  apiWords: 'Finance API',
  batching: false,
  defaultResource: 'financialStatement',
});

export class XeroGuardFinance implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Finance',
    name: 'xeroGuardFinance',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: NODE.subtitle,
    description: "Read Xero's finance data for lending and insight (financial statements, cash validation, bank statements) on the guarded Xero credential",
    defaults: { name: 'Xero Guard Finance' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: NODE.properties,
  };

  methods = { listSearch: { searchOrganisations } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, NODE);
  }
}
