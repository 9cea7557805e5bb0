/**
 * The Xero Guard node: Xero's Accounting API on the guarded credential. Its resources are the
 * hand-made ones with n8n's own fields, joined by every other operation of the Accounting document
 * (resources/); the shared kit (../shared/api-node) makes the description, and execute() hands every
 * item to the one executor with the client the credential's session gives.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { runApiNode } from '../shared/api-node/run';
import { ACCOUNTING_NODE } from './execute';
import { listSearch, loadOptions } from './methods';

export class XeroGuard implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard',
    name: 'xeroGuard',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: ACCOUNTING_NODE.subtitle,
    description:
      'Read and write Xero accounting data (contacts, invoices, payments, bank transactions, reports and more) on the guarded Xero credential, which keeps the connection alive',
    defaults: { name: 'Xero Guard' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: ACCOUNTING_NODE.properties,
  };

  methods = { listSearch, loadOptions };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, ACCOUNTING_NODE);
  }
}
