/**
 * The Xero Guard Projects node: Xero's Projects API (/projects.xro/2.0), on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { PROJECTS, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [PROJECTS],
  resources: RESOURCES,
  defaultResource: 'project',
});

export class XeroGuardProjects implements INodeType {
  description: INodeTypeDescription = {
    ...NODE.describe({
      displayName: 'Xero Guard Projects',
      name: 'xeroGuardProjects',
      description: 'Track Xero projects (projects, tasks, time entries and the users who log time) on the guarded Xero credential',
    }),
    icon: { light: 'file:../../icons/xero-guard-projects.svg', dark: 'file:../../icons/xero-guard-projects.dark.svg' },
    subtitle: NODE.subtitle,
    usableAsTool: true,
  };

  methods = { listSearch: { searchOrganisations } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, NODE);
  }
}
