import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { openNodeSession } from '../shared/node-support';
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
 * The node's port on the guarded credential's session: the session's Accounting client gets every
 * token from the engine (a 401 is reported to it) and records every answer's call budget for the
 * chain; the core client does paging, dates, idempotency and 429 waits; /connections is the
 * session's organisation list.
 */
export const guardedPort: XeroPortFactory = async (context) => {
  const { session } = await openNodeSession(context);
  const client = await session.accounting();
  let tenants: Promise<XeroTenant[]> | undefined;
  const connections = () => {
    tenants ??= session.organisations().then((list) => list.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, tenantType: t.tenantType })));
    // A failed listing is not kept: the next item asks again.
    tenants.catch(() => (tenants = undefined));
    return tenants;
  };
  return portOverClient(client, connections);
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
