import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { shownCapReport } from '../../src/fleet';
import { checkResultForError, scopeReport, scopesChecked, type ConnectionSession } from '../../src/host';
import { CREDENTIAL_TYPE, scopesOf } from '../shared/guarded-session';
import { errorJson, isConnectionStateError, N8N_WORDS, openNodeSession, toNodeError } from '../shared/node-support';
import { loadTenantOptions } from '../shared/tenants';

export class XeroGuardCheckConnection implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Check Connection',
    name: 'xeroGuardCheckConnection',
    icon: { light: 'file:../../icons/xero-guard-check.svg', dark: 'file:../../icons/xero-guard-check.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["tenantId"] ? "Check the connection and one organisation" : "Check the connection" }}',
    description: 'Checks that a Xero connection works: token, connected organisations and, optionally, one organisation',
    defaults: { name: 'Check Xero Connection' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Connected', 'Problem'],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: [
      {
        displayName: 'Organisation Name or ID',
        name: 'tenantId',
        type: 'options',
        typeOptions: { loadOptionsMethod: 'getTenants' },
        default: '',
        description:
          'Also read this organisation (GET Organisation), proving the connection reaches it. Leave empty to check only the token and the list of organisations. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
    ],
  };

  methods = {
    loadOptions: { getTenants: loadTenantOptions },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const connected: INodeExecutionData[] = [];
    const problems: INodeExecutionData[] = [];
    let credentials: ICredentialDataDecryptedObject | undefined;
    let session: ConnectionSession | undefined;
    let setupError: unknown;
    try {
      const opened = await openNodeSession(this);
      credentials = opened.credentials;
      session = opened.session;
    } catch (error) {
      setupError = error;
    }
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      try {
        if (!session) {
          if (!isConnectionStateError(setupError)) throw setupError;
          // Not connected or no client secret: that is the connection's state, reported on Problem.
          problems.push({ json: checkResultForError(setupError) as unknown as IDataObject, pairedItem: { item: itemIndex } });
          continue;
        }
        const tenantId = String(this.getNodeParameter('tenantId', itemIndex, '') ?? '').trim();
        // A check is housekeeping: it never spends an organisation's last calls of the day.
        const { result, budget, skipped } = await session.check(tenantId);
        // The app against its tier's connection limit, counted from the ledger with the organisations just seen (issue 28).
        const cap = result.status === 'connected' ? await session.capReport(result.tenants.map((t) => t.tenantId)).catch(() => null) : null;
        const report = {
          ...result,
          // What the credential asks for against what Xero granted: a missing scope is named before a workflow fails on it.
          scopes: scopesChecked(scopeReport(scopesOf(credentials ?? {}), await session.grantedScopes().catch(() => null)), N8N_WORDS),
          callBudget: budget,
          connectionCap: cap ? shownCapReport(cap) : null,
          ...(skipped.length > 0 ? { organisationSkipped: `Not read: ${tenantId} is down to its last Xero calls of the day, kept for your workflows.` } : {}),
        };
        const out: INodeExecutionData = { json: report as unknown as IDataObject, pairedItem: { item: itemIndex } };
        (result.status === 'connected' ? connected : problems).push(out);
      } catch (error) {
        if (this.continueOnFail()) {
          problems.push({ json: errorJson(error, credentials), pairedItem: { item: itemIndex } });
          continue;
        }
        throw toNodeError(this.getNode(), error, credentials, itemIndex);
      }
    }
    return [connected, problems];
  }
}
