import { ManualClock } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator, type SimulatorOptions, type SimulatorTokenResponse } from '../../../src/simulator';
import type { XeroTenant } from '../../../src/xero';

export const START = Date.UTC(2026, 3, 1, 9, 0, 0);

/** A simulator on a random port with virtual time, so tests move time instead of waiting. */
export async function manualSim(options: SimulatorOptions = {}): Promise<{ sim: Simulator; clock: ManualClock }> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({ clock, ...options });
  return { sim, clock };
}

export const basic = (id = DEMO_CLIENT_ID, secret = DEMO_CLIENT_SECRET): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * One answer read whole. `json` is the body parsed (undefined when it is not JSON), typed as `T`: the
 * shape the caller expects, usually the body of a success; an error's body is read with another `T`.
 */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** GET /api.xro/2.0/Organisation: the fields the tests read. */
export interface OrganisationsBody {
  Organisations: Array<{ Name: string; OrganisationID: string; [field: string]: unknown }>;
}

/** Xero's Problem Details (RFC 7807), as it answers a 401, a 403 or a 409. */
export interface XeroProblem {
  Type: string | null;
  Title: string;
  Status: number;
  Detail: string;
  Instance: string;
}

/** What the admin API answers a refused request: the field at fault, and why. */
export interface AdminRefusal {
  field: string;
  error: string;
}

/** The claims of the simulator's access token (a JWT) the tests read. */
export interface AccessTokenClaims {
  exp: number;
  nbf: number;
  iss: string;
  scope: string[];
  [claim: string]: unknown;
}

export async function call<T = unknown>(url: string, init: RequestInit = {}): Promise<Answer<T>> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as T };
}

export function postForm<T = unknown>(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer<T>> {
  return call<T>(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** The token set a refresh answers: always with the next refresh token (a grant without offline_access has none to refresh with). */
export type RefreshedTokens = SimulatorTokenResponse & { refresh_token: string };

/** A refresh at the token endpoint; `json` is the token set a success answers (a refusal's is `{ error }`). */
export function refresh(sim: Simulator, refreshToken: string, auth = basic()): Promise<Answer<RefreshedTokens>> {
  return postForm<RefreshedTokens>(sim.tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, { Authorization: auth });
}

export function getOrganisation<T = OrganisationsBody>(sim: Simulator, accessToken: string, tenantId: string): Promise<Answer<T>> {
  return call<T>(`${sim.apiUrl}/api.xro/2.0/Organisation`, {
    headers: { Authorization: `Bearer ${accessToken}`, 'xero-tenant-id': tenantId, Accept: 'application/json' },
  });
}

export function getConnections(sim: Simulator, accessToken: string, query = ''): Promise<Answer<XeroTenant[]>> {
  return call<XeroTenant[]>(`${sim.apiUrl}/connections${query}`, { headers: { Authorization: `Bearer ${accessToken}` } });
}

export function admin<T = unknown>(sim: Simulator, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  return call<T>(`${sim.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const decodeJwt = (token: string): AccessTokenClaims =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as AccessTokenClaims;
