import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { XeroClient } from 'xero-node';
import { MINUTE } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { selfSignedCert } from './support/self-signed-cert';

/**
 * The official SDK, which nobody here wrote, against the simulator. xero-node hard-codes
 * https://identity.xero.com and https://api.xero.com, so inside this test process only, TLS
 * connections for those hosts are sent to the simulator, which serves HTTPS with a throwaway
 * certificate for them; certificate checking stays on (the certificate is trusted explicitly).
 * Any other host fails, so nothing reaches the network.
 */
const XERO_HOSTS = ['identity.xero.com', 'api.xero.com', 'login.xero.com'];
const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.settings'];
const REDIRECT = 'http://localhost:5678/rest/oauth2-credential/callback';

type CreateConnection = (options: { host?: string; servername?: string }, cb?: (err: Error | null, socket: Duplex) => void) => Duplex;

let sim: Simulator;
let original: CreateConnection;
const agent = https.globalAgent as unknown as { createConnection: CreateConnection };

beforeAll(async () => {
  const cert = selfSignedCert(XERO_HOSTS);
  sim = await startSimulator({ tls: cert, graceMode: 'same-pair' });
  original = agent.createConnection;
  agent.createConnection = (options) => {
    const host = options.servername || options.host || '';
    if (!XERO_HOSTS.includes(host)) throw new Error(`This test does not reach the network (asked for ${host})`);
    return tls.connect({ host: '127.0.0.1', port: sim.port, servername: host, ca: [cert.cert] });
  };
});

afterAll(async () => {
  agent.createConnection = original;
  https.globalAgent.destroy();
  await sim.close();
});

afterEach(() => sim.faults.clear());

async function connectedClient(): Promise<{ xero: XeroClient; refreshToken: string }> {
  const tokens = sim.seedGrant({ scopes: SCOPES, tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
  const xero = new XeroClient({ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, redirectUris: [REDIRECT], scopes: SCOPES });
  await xero.initialize();
  xero.setTokenSet({ ...tokens });
  return { xero, refreshToken: tokens.refresh_token as string };
}

/** What xero-node's ApiError carries of the answer: its status, Xero's body (a Problem here) and the headers. */
interface SdkApiError {
  statusCode: number;
  body: { Detail: string; Instance: string };
  headers: Record<string, string>;
}

/** One organisation as xero-node's updateTenants lists it (the SDK types the list as any[]). */
interface SdkTenant {
  id: string;
  tenantId: string;
  orgData: { createdDateUTC: unknown; [field: string]: unknown };
}

/** xero-node rejects API calls with a JSON string of its ApiError. */
async function apiError(p: Promise<unknown>): Promise<SdkApiError> {
  try {
    await p;
  } catch (err) {
    return (JSON.parse(err as string) as { response: SdkApiError }).response;
  }
  throw new Error('expected the SDK call to fail');
}

describe('xero-node against the simulator', () => {
  it('discovers, refreshes through openid-client (validating the id_token against the JWKS) and rotates', async () => {
    const { xero, refreshToken } = await connectedClient();
    const refreshed = await xero.refreshToken();
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(refreshToken);
    expect(refreshed.claims().email).toBe('demo@xero-guard.test');
    expect(refreshed.expires_in).toBe(1800);
    expect(sim.refreshTokenState(refreshToken)).toBe('grace');
  });

  it('refreshes with refreshWithRefreshToken (its own axios call, Basic auth)', async () => {
    const { xero, refreshToken } = await connectedClient();
    const set = await xero.refreshWithRefreshToken(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, refreshToken);
    expect(set.access_token).toBeDefined();
    expect(sim.refreshTokenState(refreshToken)).toBe('grace');
  });

  it('reads connections and each Organisation with updateTenants', async () => {
    const { xero } = await connectedClient();
    const tenants: SdkTenant[] = await xero.updateTenants(true);
    expect(tenants.map((t) => t.tenantId).sort()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());
    const demo = tenants.find((t) => t.tenantId === DEMO_TENANT_ID)!;
    expect(demo.orgData).toMatchObject({ organisationID: DEMO_TENANT_ID, name: 'Demo Company (NZ)', isDemoCompany: true, baseCurrency: 'NZD' });
    // The SDK deserialises Xero's /Date()/ into a Date.
    expect(demo.orgData.createdDateUTC).toBeInstanceOf(Date);
  });

  it('disconnects a tenant by connection id', async () => {
    const { xero } = await connectedClient();
    const [first]: SdkTenant[] = await xero.updateTenants(false);
    await xero.disconnect(first.id);
    expect(((await xero.updateTenants(false)) as SdkTenant[]).map((t) => t.id)).not.toContain(first.id);
  });

  it("surfaces an expired access token as Xero's 401", async () => {
    const { xero } = await connectedClient();
    sim.clock.advance(31 * MINUTE);
    try {
      const err = await apiError(xero.accountingApi.getOrganisations(DEMO_TENANT_ID));
      expect(err.statusCode).toBe(401);
      expect(err.body.Detail).toMatch(/^TokenExpired: token expired at \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
      expect(err.headers['www-authenticate']).toBe('Bearer error=invalid_token');
      expect(err.headers['xero-correlation-id']).toBe(err.body.Instance);
    } finally {
      sim.clock.advance(-31 * MINUTE);
    }
  });

  it('surfaces a 429 with Retry-After and the problem header', async () => {
    const { xero } = await connectedClient();
    sim.faults.add({ kind: 'rate-limit', problem: 'minute', retryAfter: 42, endpoint: 'organisation' });
    const err = await apiError(xero.accountingApi.getOrganisations(DEMO_TENANT_ID));
    expect(err.statusCode).toBe(429);
    expect(err.headers['retry-after']).toBe('42');
    expect(err.headers['x-rate-limit-problem']).toBe('minute');
  });

  it('surfaces a dead refresh token as invalid_grant from openid-client', async () => {
    const { xero, refreshToken } = await connectedClient();
    sim.expireRefreshToken(refreshToken);
    await expect(xero.refreshToken()).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(sim.deadTokenUses(refreshToken)).toBe(1);
  });
});
