/**
 * The Xero Guard node: Xero's Accounting API on the guarded credential. The description comes from the
 * resources (properties.ts), the editor's lists from methods.ts, and execute() hands every item to the
 * one executor (execute.ts) with the client the credential's session gives (session-client.ts).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { errorItemJson, errorOutputJson, toXeroNodeError } from './errors';
import { executeXeroGuard } from './execute';
import { listSearch, loadOptions } from './methods';
import { xeroGuardProperties } from './properties';
import { openSessionClient, type SessionClient } from './session-client';

export class XeroGuard implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard',
    name: 'xeroGuard',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
    description:
      'Read and write Xero accounting data (contacts, invoices, payments, bank transactions, reports and more) on the guarded Xero credential, which keeps the connection alive',
    defaults: { name: 'Xero Guard' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: xeroGuardProperties,
  };

  methods = { listSearch, loadOptions };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    let session: SessionClient;
    try {
      session = await openSessionClient(this);
    } catch (error) {
      const nodeError = toXeroNodeError(this.getNode(), error);
      if (!this.continueOnFail()) throw nodeError;
      const json = this.getNode().onError === 'continueErrorOutput' ? errorOutputJson(nodeError) : errorItemJson(nodeError);
      return [this.getInputData().map((_, item) => ({ json, pairedItem: { item } }))];
    }
    return executeXeroGuard(this, session);
  }
}
