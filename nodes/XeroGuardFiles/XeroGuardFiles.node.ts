/**
 * The Xero Guard Files node: Xero's Files API (/files.xro/1.0), on the guarded credential. Its resources and fields come
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
import { FILES, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [FILES],
  resources: RESOURCES,
  callBases: callBasesOf([FILES]),
  apiWords: 'Files API',
  batching: false,
  defaultResource: 'file',
});

export class XeroGuardFiles implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Files',
    name: 'xeroGuardFiles',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: NODE.subtitle,
    description: "Keep documents in Xero's files (upload to the inbox or a folder, download, organise, attach to records) on the guarded Xero credential",
    defaults: { name: 'Xero Guard Files' },
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
