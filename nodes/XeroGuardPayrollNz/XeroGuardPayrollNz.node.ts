/**
 * The Xero Guard Payroll NZ node: Xero's Payroll NZ API (/payroll.xro/2.0), for New Zealand organisations, on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { PAYROLL_NZ, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [PAYROLL_NZ],
  resources: RESOURCES,
  defaultResource: 'employee',
});

export class XeroGuardPayrollNz implements INodeType {
  description: INodeTypeDescription = {
    ...NODE.describe({
      displayName: 'Xero Guard Payroll NZ',
      name: 'xeroGuardPayrollNz',
      description: "Run a New Zealand organisation's Xero payroll (employees, leave, pay runs, payslips, timesheets) on the guarded Xero credential",
    }),
    icon: { light: 'file:../../icons/xero-guard-payroll.svg', dark: 'file:../../icons/xero-guard-payroll.dark.svg' },
    subtitle: NODE.subtitle,
    usableAsTool: true,
  };

  methods = { listSearch: { searchOrganisations } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, NODE);
  }
}
