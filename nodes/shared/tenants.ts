import type { ICredentialDataDecryptedObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { guardedOptions } from './editor-guard';
import { openNodeSession, toNodeError } from './node-support';

/** The "Organisation Name or ID" list of every node that reads one tenant: the session's organisations (GET /connections). */
export const loadTenantOptions = guardedOptions(async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  let credentials: ICredentialDataDecryptedObject | undefined;
  try {
    const opened = await openNodeSession(this);
    credentials = opened.credentials;
    const tenants = await opened.session.organisations();
    const options: INodePropertyOptions[] = [{ name: '(None: Check Only the Token and Organisation List)', value: '' }];
    for (const t of tenants) options.push({ name: `${t.tenantName ?? t.tenantId} (${t.tenantType})`, value: t.tenantId, description: t.tenantId });
    return options;
  } catch (error) {
    throw toNodeError(this.getNode(), error, credentials);
  }
});
