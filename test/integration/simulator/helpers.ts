import { ManualClock } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator';

export const START = Date.UTC(2026, 3, 1, 9, 0, 0);

/** A simulator on a random port with virtual time, so tests move time instead of waiting. */
export async function manualSim(options: SimulatorOptions = {}): Promise<{ sim: Simulator; clock: ManualClock }> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({ clock, ...options });
  return { sim, clock };
}

export const basic = (id = DEMO_CLIENT_ID, secret = DEMO_CLIENT_SECRET): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

export function refresh(sim: Simulator, refreshToken: string, auth = basic()): Promise<Answer> {
  return postForm(sim.tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, { Authorization: auth });
}

export function getOrganisation(sim: Simulator, accessToken: string, tenantId: string): Promise<Answer> {
  return call(`${sim.apiUrl}/api.xro/2.0/Organisation`, {
    headers: { Authorization: `Bearer ${accessToken}`, 'xero-tenant-id': tenantId, Accept: 'application/json' },
  });
}

export function getConnections(sim: Simulator, accessToken: string, query = ''): Promise<Answer> {
  return call(`${sim.apiUrl}/connections${query}`, { headers: { Authorization: `Bearer ${accessToken}` } });
}

export function admin(sim: Simulator, method: string, path: string, body?: unknown): Promise<Answer> {
  return call(`${sim.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const decodeJwt = (token: string): Record<string, any> => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
