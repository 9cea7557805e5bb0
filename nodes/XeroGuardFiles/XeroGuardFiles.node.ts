/**
 * The Xero Guard Files node: Xero's Files API (/files.xro/1.0), on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { FILES, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [FILES],
  resources: RESOURCES,
  defaultResource: 'file',
});

export class XeroGuardFiles implements INodeType {
  description: INodeTypeDescription = {
    ...NODE.describe({
      displayName: 'Xero Guard Files',
      name: 'xeroGuardFiles',
      description: "Keep documents in Xero's files (upload to the inbox or a folder, download, organise, attach to records) on the guarded Xero credential",
    }),
    icon: { light: 'file:../../icons/xero-guard-files.svg', dark: 'file:../../icons/xero-guard-files.dark.svg' },
    subtitle: NODE.subtitle,
    usableAsTool: true,
  };

  methods = { listSearch: { searchOrganisations } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, NODE);
  }
}
