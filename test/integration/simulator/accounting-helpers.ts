import { ManualClock } from '../../../src/clock';
import { DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';

export const START = Date.UTC(2026, 3, 1, 9, 0, 0);

/** Every scope the Accounting API routes ask for: broad ones, as an app from before March 2026 holds. */
export const ACCOUNTING_SCOPES = [
  'offline_access',
  'accounting.transactions',
  'accounting.contacts',
  'accounting.settings',
  'accounting.attachments',
  'accounting.journals.read',
  'accounting.reports.read',
];

export async function accountingSim(): Promise<{ sim: Simulator; clock: ManualClock; token: string }> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({ clock });
  const token = sim.seedGrant({ scopes: ACCOUNTING_SCOPES }).access_token;
  return { sim, clock, token };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  bytes: Buffer;
}

/** One Accounting API call as any HTTP client would make it. */
export async function xero(
  sim: Simulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  tenantId = DEMO_TENANT_ID,
): Promise<Answer> {
  const init: RequestInit = {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'xero-tenant-id': tenantId,
      accept: 'application/json',
      ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
  };
  if (body !== undefined) init.body = Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body);
  return answerOf(await fetch(`${sim.apiUrl}/api.xro/2.0/${path}`, init));
}

/** An answer read whole: its bytes, as text, and as JSON when it is JSON. */
export async function answerOf(res: Response): Promise<Answer> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, bytes };
}
