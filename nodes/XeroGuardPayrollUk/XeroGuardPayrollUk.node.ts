/**
 * The Xero Guard Payroll UK node: Xero's Payroll UK API (/payroll.xro/2.0), for UK organisations, on the guarded credential. Its resources and fields come
 * from the operation table (resources.ts); the shared kit (../shared/api-node) makes the description,
 * checks every call against the chain's scopes and runs it on the core client.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchOrganisations } from '../shared/api-node/methods';
import { ApiNode } from '../shared/api-node/node';
import { runApiNode } from '../shared/api-node/run';
import { PAYROLL_UK, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [PAYROLL_UK],
  resources: RESOURCES,
  defaultResource: 'employee',
});

export class XeroGuardPayrollUk implements INodeType {
  description: INodeTypeDescription = {
    ...NODE.describe({
      displayName: 'Xero Guard Payroll UK',
      name: 'xeroGuardPayrollUk',
      description: "Run a UK organisation's Xero payroll (employees, leave, statutory pay, pay runs, payslips, timesheets) on the guarded Xero credential",
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
