/**
 * Where the Xero Guard node gets its Xero client and the organisations its credential reaches: the one
 * seam between the node and the guarded connection. Everything else in the node takes these as given
 * (tests hand it a client over an injected transport), so how they are obtained can change here alone.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { fetchTransport, type HttpTransport } from '../../src/xero';
import { readRateLimits, tokenSourceFor, XeroAccountingClient } from '../../src/xero/accounting';
import { recordLimits } from '../shared/call-budget';
import { openNodeSession } from '../shared/node-support';
import { listTenants } from '../shared/tenants';
import type { Organisation } from './organisation';

export interface SessionClient {
  /** The core Accounting client on the credential's guarded token chain. */
  client: XeroAccountingClient;
  /** The organisations the credential reaches (GET /connections), asked each time it is called. */
  organisations(): Promise<Organisation[]>;
}

/**
 * The credential's session (engine, chain key, call budget): every token comes from its engine (a 401 is
 * reported to it), and every answer's remaining-call figures, failures and 429s included, go to the
 * chain's call budget.
 */
export async function openSessionClient(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<SessionClient> {
  const { session } = await openNodeSession(context);
  const transport: HttpTransport = async (request) => {
    const response = await fetchTransport(request);
    const tenantId = request.headers['xero-tenant-id'];
    if (tenantId) recordLimits(session, tenantId, readRateLimits(response.headers));
    return response;
  };
  return {
    client: new XeroAccountingClient({ tokens: tokenSourceFor(session.engine, session.key), endpoints: { apiUrl: session.credential.apiUrl }, transport }),
    organisations: () => listTenants(session),
  };
}
