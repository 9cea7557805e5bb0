import { ManualClock } from '../../../src/clock';
import { DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import {
  fetchTransport,
  XeroAccountingClient,
  type HttpRequest,
  type HttpTransport,
  type XeroAccountingClientOptions,
  type XeroApiError,
  type XeroTokenSource,
} from '../../../src/xero';

export const START = Date.UTC(2026, 3, 1, 9, 0, 0);

export const SCOPES = [
  'offline_access',
  'accounting.transactions',
  'accounting.contacts',
  'accounting.settings',
  'accounting.attachments',
  'accounting.journals.read',
  'accounting.reports.read',
];

/** The real transport, with every request kept for the test to inspect. */
export function recordingTransport(inner: HttpTransport = fetchTransport): HttpTransport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const transport = (async (request: HttpRequest) => {
    requests.push(request);
    return inner(request);
  }) as HttpTransport & { requests: HttpRequest[] };
  transport.requests = requests;
  return transport;
}

export interface Setup {
  sim: Simulator;
  simClock: ManualClock;
  clientClock: ManualClock;
  transport: ReturnType<typeof recordingTransport>;
  accessToken: string;
  refreshToken: string;
  client(options?: Partial<XeroAccountingClientOptions> & { tokens?: XeroTokenSource }): XeroAccountingClient;
}

/** A simulator on a free port and clients against it; `sharedClock` makes the client's waits move the simulator's time. */
export async function setup(options: { sharedClock?: boolean } = {}): Promise<Setup> {
  const simClock = new ManualClock(START);
  const clientClock = options.sharedClock ? simClock : new ManualClock(START);
  const sim = await startSimulator({ clock: simClock });
  const grant = sim.seedGrant({ scopes: SCOPES });
  const transport = recordingTransport();
  const tokens: XeroTokenSource = { getAccessToken: async () => grant.access_token, reportRejected: async () => undefined };
  return {
    sim,
    simClock,
    clientClock,
    transport,
    accessToken: grant.access_token,
    refreshToken: grant.refresh_token as string,
    client: (overrides = {}) =>
      new XeroAccountingClient({ tokens, tenantId: DEMO_TENANT_ID, endpoints: { apiUrl: sim.apiUrl }, transport, clock: clientClock, ...overrides }),
  };
}

/** What the call rejected with: the Accounting client rejects with a XeroApiError (a XeroRequestError for a request refused before sending). */
export async function rejection(promise: Promise<unknown>): Promise<XeroApiError> {
  try {
    await promise;
  } catch (error) {
    return error as XeroApiError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
