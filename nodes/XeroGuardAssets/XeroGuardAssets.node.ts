/**
 * The Xero Guard Assets node: Xero's Assets API (/assets.xro/1.0), on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { ASSETS, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [ASSETS],
  resources: RESOURCES,
  defaultResource: 'asset',
});

export class XeroGuardAssets implements INodeType {
  description: INodeTypeDescription = {
    ...NODE.describe({
      displayName: 'Xero Guard Assets',
      name: 'xeroGuardAssets',
      description: 'Keep the fixed asset register (assets, asset types and their depreciation settings) on the guarded Xero credential',
    }),
    icon: { light: 'file:../../icons/xero-guard-assets.svg', dark: 'file:../../icons/xero-guard-assets.dark.svg' },
    subtitle: NODE.subtitle,
    usableAsTool: true,
  };

  methods = { listSearch: { searchOrganisations } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, NODE);
  }
}
