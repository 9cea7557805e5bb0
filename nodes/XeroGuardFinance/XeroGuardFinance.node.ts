/**
 * The Xero Guard Finance node: Xero's Finance API (/finance.xro/1.0), read only, on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { FINANCE, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [FINANCE],
  resources: RESOURCES,
  defaultResource: 'financialStatement',
});

export class XeroGuardFinance implements INodeType {
  description: INodeTypeDescription = {
    ...NODE.describe({
      displayName: 'Xero Guard Finance',
      name: 'xeroGuardFinance',
      description: "Read Xero's finance data for lending and insight (financial statements, cash validation, bank statements) on the guarded Xero credential",
    }),
    icon: { light: 'file:../../icons/xero-guard-finance.svg', dark: 'file:../../icons/xero-guard-finance.dark.svg' },
    subtitle: NODE.subtitle,
    usableAsTool: true,
  };

  methods = { listSearch: { searchOrganisations } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, NODE);
  }
}
