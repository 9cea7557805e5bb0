/**
 * Where the Xero Guard node gets its Xero client and the organisations its credential reaches: the one
 * seam between the node and the guarded connection. Everything else in the node takes these as given
 * (tests hand it a client over an injected transport), so how they are obtained can change here alone.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import type { XeroAccountingClient } from '../../src/xero/accounting';
import { openNodeSession } from '../shared/node-support';
import type { Organisation } from './organisation';

export interface SessionClient {
  /** The core Accounting client on the credential's guarded token chain. */
  client: XeroAccountingClient;
  /** The organisations the credential reaches (GET /connections), asked each time it is called. */
  organisations(): Promise<Organisation[]>;
}

/**
 * The credential's connection session gives both: every token from its engine (a 401 is reported to
 * it), every answer's remaining-call figures, failures and 429s included, into the chain's call budget.
 */
export async function openSessionClient(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<SessionClient> {
  const { session } = await openNodeSession(context);
  return { client: await session.accounting(), organisations: () => session.organisations() };
}
