/**
 * The Xero Guard Payroll UK node: Xero's Payroll UK API (/payroll.xro/2.0), for UK organisations, on the guarded credential. Its resources and fields come
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
import { PAYROLL_UK, RESOURCES } from './resources';

export const NODE = new ApiNode({
  apis: [PAYROLL_UK],
  resources: RESOURCES,
  callBases: callBasesOf([PAYROLL_UK]),
  apiWords: 'Payroll UK API',
  batching: false,
  defaultResource: 'employee',
});

export class XeroGuardPayrollUk implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Payroll UK',
    name: 'xeroGuardPayrollUk',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: NODE.subtitle,
    description: "Run a UK organisation's Xero payroll (employees, leave, statutory pay, pay runs, payslips, timesheets) on the guarded Xero credential",
    defaults: { name: 'Xero Guard Payroll UK' },
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
