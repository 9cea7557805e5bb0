import type { ICredentialDataDecryptedObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { classifyXeroError } from '../../src/classify';
import { XeroApiError } from '../../src/xero/accounting';
import type { XeroTenant } from '../../src/xero';
import type { GuardedSession } from './guarded-session';
import { openNodeSession, toNodeError } from './node-support';

/**
 * The organisations a guarded session reaches (GET /connections through the engine). A 401 is
 * reported to the engine (one refresh if the ledger still holds that token) and the list asked once
 * more; an empty list, as Xero answers for a token still inside its 30 minutes after the grant was
 * revoked, is confirmed with one rotation, so a revoked connection surfaces as the engine's
 * "reconnect" error rather than "no organisation". Any other failure rejects with a classified XeroApiError.
 */
export async function listTenants(session: Pick<GuardedSession, 'engine' | 'key' | 'api'>): Promise<XeroTenant[]> {
  const { engine, key, api } = session;
  let token = await engine.getAccessToken(key);
  let result = await api.getConnections(token);
  if (!result.ok && result.response.status === 401) {
    await engine.reportRejected(key, token);
    token = await engine.getAccessToken(key);
    result = await api.getConnections(token);
  } else if (result.ok && result.data.length === 0) {
    await engine.refresh(key, { force: true });
    result = await api.getConnections(await engine.getAccessToken(key));
  }
  if (!result.ok) {
    const { status, headers, body } = result.response;
    const classification = classifyXeroError({ statusCode: status, headers, body, source: 'api' });
    throw new XeroApiError({ classification, method: 'GET', path: '/connections', httpStatus: status });
  }
  return result.data;
}

/** The "Organisation Name or ID" list of every node that reads one tenant. */
export async function loadTenantOptions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  let credentials: ICredentialDataDecryptedObject | undefined;
  try {
    const opened = await openNodeSession(this);
    credentials = opened.credentials;
    const tenants = await listTenants(opened.session);
    const options: INodePropertyOptions[] = [{ name: '(None: Check Only the Token and Organisation List)', value: '' }];
    for (const t of tenants) options.push({ name: `${t.tenantName ?? t.tenantId} (${t.tenantType})`, value: t.tenantId, description: t.tenantId });
    return options;
  } catch (error) {
    throw toNodeError(this.getNode(), error, credentials);
  }
}
