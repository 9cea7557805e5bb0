/**
 * The Xero Guard node: Xero's Accounting API on the guarded credential. Its resources are the
 * hand-made ones with n8n's own fields, joined by every other operation of the Accounting document
 * (resources/); the shared kit (../shared/api-node) makes the description, and execute() hands every
 * item to the one executor with the client the credential's session gives.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { runApiNode } from '../shared/api-node/run';
import { ACCOUNTING_NODE } from './execute';
import { listSearch, loadOptions } from './methods';

export class XeroGuard implements INodeType {
  description: INodeTypeDescription = {
    ...ACCOUNTING_NODE.describe({
      displayName: 'Xero Guard',
      name: 'xeroGuard',
      description:
        'Read and write Xero accounting data (contacts, invoices, payments, bank transactions, reports and more) on the guarded Xero credential, which keeps the connection alive',
    }),
    icon: { light: 'file:../../icons/xero-guard-accounting.svg', dark: 'file:../../icons/xero-guard-accounting.dark.svg' },
    subtitle: ACCOUNTING_NODE.subtitle,
    usableAsTool: true,
  };

  methods = { listSearch, loadOptions };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runApiNode(this, ACCOUNTING_NODE);
  }
}
