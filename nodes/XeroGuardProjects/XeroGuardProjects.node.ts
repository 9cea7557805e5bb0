/**
 * The Xero Guard Projects node: Xero's Projects API (/projects.xro/2.0), on the guarded credential. Its resources and fields come
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
import { PROJECTS, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [PROJECTS],
  resources: RESOURCES,
  callBases: callBasesOf([PROJECTS]),
  apiWords: 'Projects API',
  batching: false,
  defaultResource: 'project',
});

export class XeroGuardProjects implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Projects',
    name: 'xeroGuardProjects',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: NODE.subtitle,
    description: 'Track Xero projects (projects, tasks, time entries and the users who log time) on the guarded Xero credential',
    defaults: { name: 'Xero Guard Projects' },
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
