import type { ICredentialDataDecryptedObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { classifyXeroError } from '../../src/classify';
import { categoryAdvice } from '../../src/host';
import { failureOf } from './failure';
import { N8N_WORDS, openNodeSession, toNodeError } from './node-support';

/** The "Organisation Name or ID" list of every node that reads one tenant: GET /connections through the engine. */
export async function loadTenantOptions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  let credentials: ICredentialDataDecryptedObject | undefined;
  try {
    const opened = await openNodeSession(this);
    credentials = opened.credentials;
    const { engine, key, api } = opened.session;
    const result = await api.getConnections(await engine.getAccessToken(key));
    if (!result.ok) {
      const problem = classifyXeroError({ statusCode: result.response.status, headers: result.response.headers, body: result.response.body });
      const failure = failureOf(problem);
      throw new NodeOperationError(this.getNode(), `Xero did not list the organisations: ${problem.summary}`, {
        description: categoryAdvice(problem.category, N8N_WORDS, problem.advice),
        ...(failure ? { failure } : {}),
      });
    }
    const options: INodePropertyOptions[] = [{ name: '(None: Check Only the Token and Organisation List)', value: '' }];
    for (const t of result.data) options.push({ name: `${t.tenantName ?? t.tenantId} (${t.tenantType})`, value: t.tenantId, description: t.tenantId });
    return options;
  } catch (error) {
    throw toNodeError(this.getNode(), error, credentials);
  }
}
