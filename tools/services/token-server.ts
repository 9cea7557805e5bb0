/**
 * The engine tests' view of Xero: the real simulator (src/simulator) behind the small interface
 * the engine and ledger tests were written against. Faults Xero itself would not produce (a 200
 * that is not a usable token response) are applied by `transport`, on the client side of the wire.
 */
import { startSimulator, type SimulatorClock } from '../../src/simulator';
import { fetchTransport, type HttpTransport } from '../../src/xero';

export type GraceMode = 'same-pair' | 'fresh-pair' | 'fresh-pair-revokes';
export const GRACE_MODES: GraceMode[] = ['same-pair', 'fresh-pair', 'fresh-pair-revokes'];

export type Fault = 'drop_after_issue' | 'reset_before_issue' | 'status_500' | 'rate_limit' | 'no_refresh_token' | 'non_numeric_expires_in' | 'not_json';

export interface SeededTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  obtainedAt: number;
}

export interface TokenServer {
  url: string;
  tokenUrl: string;
  /** Requests to the token endpoint so far, whatever their outcome (faulted ones included). */
  readonly calls: number;
  /** Presentations of an already dead refresh token: the simulator's verdict. */
  readonly deadTokenUses: number;
  /** A fresh consent, as the token endpoint would have answered it; `expiresInSeconds` shortens what the client believes. */
  seed(expiresInSeconds?: number): SeededTokens;
  /** Every access and refresh token the simulator issued so far: what a secrets scan must never find. */
  issuedTokens(): string[];
  /** True when any issued token appears in `text`. */
  leaksToken(text: string): boolean;
  /** Asks the simulator's API, as a client would: GET /connections with the token. */
  isValidAccessToken(token: string): Promise<boolean>;
  faults: { push(...faults: Fault[]): void };
  /** Use this transport for clients that should see the client-side faults. */
  transport: HttpTransport;
  revokeAll(): void;
  revokeToken(refreshToken: string): void;
  close(): Promise<void>;
}

/** The canary secret must never show up in a log, error, ledger file or output. */
export const CLIENT = { clientId: 'TESTCLIENT00000000000000000000001', clientSecret: 'TESTSECRET-canary-client-secret' };
const USER = 'engine-tests@xero-guard.test';
const MANGLES = new Set<Fault>(['no_refresh_token', 'non_numeric_expires_in', 'not_json']);

export async function startTokenServer(options: { clock: SimulatorClock; mode: GraceMode }): Promise<TokenServer> {
  const sim = await startSimulator({
    clock: options.clock,
    graceMode: options.mode,
    clients: [{ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, redirectUris: ['http://localhost/callback'], name: 'Engine tests' }],
    users: [{ email: USER }],
  });
  const mangles: Fault[] = [];
  const issuedTokens = () =>
    sim.log().flatMap((event) => (event.type === 'token-issued' ? [event.accessToken, ...(event.refreshToken ? [event.refreshToken] : [])] : []));

  const transport: HttpTransport = async (request) => {
    const response = await fetchTransport(request);
    if (request.url !== sim.tokenUrl || response.status !== 200 || mangles.length === 0) return response;
    const fault = mangles.shift();
    const body = JSON.parse(response.body) as Record<string, unknown>;
    if (fault === 'no_refresh_token') delete body.refresh_token;
    if (fault === 'non_numeric_expires_in') body.expires_in = 'soon';
    return { ...response, body: fault === 'not_json' ? '<html>gateway</html>' : JSON.stringify(body) };
  };

  return {
    url: sim.url,
    tokenUrl: sim.tokenUrl,
    get calls() {
      // Every request that reached the token endpoint, including those a fault answered.
      return sim.stats().requestsByEndpoint.token ?? 0;
    },
    get deadTokenUses() {
      return sim.stats().deadTokenUses;
    },
    seed(expiresInSeconds) {
      const answer = sim.seedGrant({ clientId: CLIENT.clientId, email: USER, scopes: ['offline_access', 'accounting.settings'] });
      const obtainedAt = options.clock.now();
      return {
        accessToken: answer.access_token,
        refreshToken: answer.refresh_token as string,
        obtainedAt,
        expiresAt: obtainedAt + (expiresInSeconds ?? answer.expires_in) * 1000,
      };
    },
    issuedTokens,
    leaksToken: (text) => issuedTokens().some((token) => text.includes(token)),
    async isValidAccessToken(token) {
      const response = await fetchTransport({ method: 'GET', url: `${sim.apiUrl}/connections`, headers: { authorization: `Bearer ${token}` } });
      return response.status === 200;
    },
    faults: {
      push(...faults) {
        // Every pending drop fires on the same call, so consecutive drops become one fault with a count.
        const drops = faults.filter((fault) => fault === 'drop_after_issue').length;
        if (drops > 0) sim.faults.add({ kind: 'drop-response', endpoint: 'token', times: drops });
        for (const fault of faults) {
          if (MANGLES.has(fault)) mangles.push(fault);
          else if (fault === 'drop_after_issue') continue;
          else if (fault === 'reset_before_issue') sim.faults.add({ kind: 'reset', endpoint: 'token' });
          else if (fault === 'rate_limit') sim.faults.add({ kind: 'rate-limit', endpoint: 'token', retryAfter: 1 });
          else sim.faults.add({ kind: 'server-error', endpoint: 'token', status: 500 });
        }
      },
    },
    transport,
    revokeAll: () => void sim.revokeUser(USER),
    revokeToken: (refreshToken) => sim.expireRefreshToken(refreshToken),
    close: () => sim.close(),
  };
}

/** True when every token is accepted by the simulator's API (each distinct token asked once, one at a time). */
export async function allValid(server: TokenServer, tokens: string[]): Promise<boolean> {
  for (const token of new Set(tokens)) if (!(await server.isValidAccessToken(token))) return false;
  return true;
}
