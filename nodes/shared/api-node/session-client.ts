/**
 * Where a Xero Guard API node gets its Xero client, the organisations its credential reaches and the
 * scopes its chain was granted: the one seam between the nodes and the guarded connection. Everything
 * else takes these as given (tests hand it a client over an injected transport), so how they are
 * obtained can change here alone.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import type { XeroAccountingClient } from '../../../src/xero/accounting';
import { openNodeSession } from '../node-support';
import type { Organisation } from './organisation';

export interface SessionClient {
  /** The core client on the credential's guarded token chain (every Xero API, by its base path). */
  client: XeroAccountingClient;
  /** The organisations the credential reaches (GET /connections), asked each time it is called. */
  organisations(): Promise<Organisation[]>;
  /**
   * The scopes the chain was granted, from the ledger with no call to Xero; null when unknown. Absent:
   * no check before a call (Xero judges).
   */
  grantedScopes?(): Promise<readonly string[] | null>;
  /** Which chain this is, so what is read from one organisation can be kept briefly for the next field that asks. */
  key?: string;
}

/**
 * The credential's connection session gives both: every token from its engine (a 401 is reported to
 * it), every answer's remaining-call figures, failures and 429s included, into the chain's call budget.
 */
export async function openSessionClient(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<SessionClient> {
  const { session } = await openNodeSession(context);
  return {
    client: await session.accounting(),
    organisations: () => session.organisations(),
    grantedScopes: () => session.grantedScopes(),
    key: session.key,
  };
}
