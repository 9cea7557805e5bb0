import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  IExecuteFunctions,
  ILoadOptionsFunctions,
  INodeExecutionData,
  INodePropertyOptions,
  INodeType,
  INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { checkConnection, engineProblem } from '../../src/check';
import { classifyXeroError } from '../../src/classify';
import { errorJson, isConnectionStateError, openNodeConnection, toNodeError } from '../shared/node-support';
import { emptyCheckFields } from '../shared/check-output';
import { CREDENTIAL_TYPE, type XeroConnection } from '../shared/xero-connection';

export class XeroGuardCheckConnection implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Check Connection',
    name: 'xeroGuardCheckConnection',
    icon: { light: 'file:xeroGuard.svg', dark: 'file:xeroGuard.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["tenantId"] ? "Organisation " + $parameter["tenantId"] : "All organisations" }}',
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
    loadOptions: {
      async getTenants(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        let credentials: ICredentialDataDecryptedObject | undefined;
        try {
          const opened = await openNodeConnection(this);
          credentials = opened.credentials;
          const { engine, key, api } = opened.connection;
          const result = await api.getConnections(await engine.getAccessToken(key));
          if (!result.ok) {
            const problem = classifyXeroError({ statusCode: result.response.status, headers: result.response.headers, body: result.response.body });
            throw new NodeOperationError(this.getNode(), `Xero did not list the organisations: ${problem.summary}`, { description: problem.advice });
          }
          const options: INodePropertyOptions[] = [{ name: '(None: Check Only the Token and Organisation List)', value: '' }];
          for (const c of result.data) options.push({ name: `${c.tenantName ?? c.tenantId} (${c.tenantType})`, value: c.tenantId, description: c.tenantId });
          return options;
        } catch (error) {
          throw toNodeError(this.getNode(), error, credentials);
        }
      },
    },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const connected: INodeExecutionData[] = [];
    const problems: INodeExecutionData[] = [];
    let credentials: ICredentialDataDecryptedObject | undefined;
    let connection: XeroConnection | undefined;
    let setupError: unknown;
    try {
      const opened = await openNodeConnection(this);
      credentials = opened.credentials;
      connection = opened.connection;
    } catch (error) {
      setupError = error;
    }
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      try {
        if (!connection) {
          if (!isConnectionStateError(setupError)) throw setupError;
          // Not connected or no client secret: that is the connection's state, reported on Problem.
          const problem = engineProblem(setupError, (input) => classifyXeroError(input));
          problems.push({ json: { ...emptyCheckFields(), ...problem, checkedAt: new Date().toISOString() } as unknown as IDataObject, pairedItem: { item: itemIndex } });
          continue;
        }
        const tenantId = String(this.getNodeParameter('tenantId', itemIndex, '') ?? '').trim();
        const result = await checkConnection({ engine: connection.engine, key: connection.key, api: connection.api, tenantId: tenantId || undefined });
        const out: INodeExecutionData = { json: result as unknown as IDataObject, pairedItem: { item: itemIndex } };
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
