import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { tokenSourceFor, XeroAccountingClient } from '../../src/xero/accounting';
import { openNodeSession } from '../shared/node-support';
import { listTenants } from '../shared/tenants';
import { recordLimits } from '../shared/call-budget';
import { portOverClient } from './client-port';
import type { XeroApiPort, XeroTenant } from './port';

export type XeroPortFactory = (context: IExecuteFunctions | ILoadOptionsFunctions) => Promise<XeroApiPort>;

/** Thrown when a build leaves the node without its Xero client (a defect if a user ever sees it). */
export class XeroPortUnboundError extends Error {
  readonly code = 'PORT_UNBOUND';
  constructor() {
    super('The Xero Guard node is not connected to its Xero client in this build (a packaging defect: please report it).');
    this.name = 'XeroPortUnboundError';
  }
}

/**
 * The node's port on the guarded credential: the session's engine gives every token (a 401 is
 * reported to it through tokenSourceFor), the core Accounting client does paging, dates,
 * idempotency and 429 waits, /connections goes through the shared tenant loader, and every answer's
 * call budget is recorded for the chain.
 */
export const guardedPort: XeroPortFactory = async (context) => {
  const { session } = await openNodeSession(context);
  const client = new XeroAccountingClient({ tokens: tokenSourceFor(session.engine, session.key), endpoints: { apiUrl: session.credential.apiUrl } });
  let tenants: Promise<XeroTenant[]> | undefined;
  const connections = () => {
    tenants ??= listTenants(session).then((list) => list.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, tenantType: t.tenantType })));
    // A failed listing is not kept: the next item asks again.
    tenants.catch(() => (tenants = undefined));
    return tenants;
  };
  return portOverClient(client, connections, session.budget ? (tenantId, limits) => recordLimits(session, tenantId, limits) : undefined);
};

let factory: XeroPortFactory = guardedPort;

/** Tests only: the port the node opens (a fake, or the unbound factory). */
export function bindXeroPort(next: XeroPortFactory): void {
  factory = next;
}

export const unboundPort: XeroPortFactory = async () => {
  throw new XeroPortUnboundError();
};

export function openXeroPort(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<XeroApiPort> {
  return factory(context);
}
