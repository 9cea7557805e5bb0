/**
 * A small rotating token endpoint for engine tests until they move to the simulator: refresh-token
 * rotation, the 30-minute grace window in its three modes, 60-day idle expiry, dropped responses,
 * and a count of every presentation of a dead refresh token.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/clock';

export type GraceMode = 'same-pair' | 'fresh-pair' | 'fresh-pair-revokes';
export const GRACE_MODES: GraceMode[] = ['same-pair', 'fresh-pair', 'fresh-pair-revokes'];

export type Fault = 'drop_after_issue' | 'reset_before_issue' | 'status_500' | 'no_refresh_token' | 'non_numeric_expires_in' | 'not_json';

interface RefreshTokenState {
  issuedAt: number;
  spentAt?: number;
  children: Pair[];
  dead: boolean;
}

interface Pair {
  accessToken: string;
  refreshToken: string;
}

export interface TokenServer {
  url: string;
  tokenUrl: string;
  calls: number;
  deadTokenUses: number;
  /** Seeds a chain as a fresh consent would, returning the token set the client stores. */
  seed(expiresInSeconds?: number): { accessToken: string; refreshToken: string; expiresAt: number; obtainedAt: number };
  isValidAccessToken(token: string): boolean;
  faults: Fault[];
  revokeAll(): void;
  revokeToken(refreshToken: string): void;
  close(): Promise<void>;
}

export const CLIENT = { clientId: 'TESTCLIENT', clientSecret: 'TESTSECRET-canary-client-secret' };
const GRACE_MS = 30 * 60_000;
const IDLE_MS = 60 * 86_400_000;
const ACCESS_TTL_S = 1800;

export async function startTokenServer(options: { clock: Clock; mode: GraceMode; accessTtlSeconds?: number }): Promise<TokenServer> {
  const { clock, mode } = options;
  const ttl = options.accessTtlSeconds ?? ACCESS_TTL_S;
  const refreshTokens = new Map<string, RefreshTokenState>();
  const accessTokens = new Map<string, { expiresAt: number; dead: boolean; pairOf: string }>();

  const issue = (): Pair => {
    const refreshToken = `CANARY-RT-${randomBytes(16).toString('hex')}`;
    const exp = Math.floor(clock.now() / 1000) + ttl;
    const payload = Buffer.from(JSON.stringify({ exp, nbf: exp - ttl, iss: 'test-token-server', rand: randomBytes(6).toString('hex') })).toString('base64url');
    const accessToken = `eyJhbGciOiJub25lIn0.${payload}.CANARY-AT`;
    refreshTokens.set(refreshToken, { issuedAt: clock.now(), children: [], dead: false });
    accessTokens.set(accessToken, { expiresAt: exp * 1000, dead: false, pairOf: refreshToken });
    return { accessToken, refreshToken };
  };

  const kill = (pair: Pair) => {
    const rt = refreshTokens.get(pair.refreshToken);
    if (rt) rt.dead = true;
    const at = accessTokens.get(pair.accessToken);
    if (at) at.dead = true;
  };

  const server: TokenServer & { http?: Server } = {
    url: '',
    tokenUrl: '',
    calls: 0,
    deadTokenUses: 0,
    faults: [],
    seed(expiresInSeconds = ttl) {
      const pair = issue();
      const obtainedAt = clock.now();
      return { ...pair, obtainedAt, expiresAt: obtainedAt + expiresInSeconds * 1000 };
    },
    isValidAccessToken(token) {
      const at = accessTokens.get(token);
      return !!at && !at.dead && at.expiresAt > clock.now();
    },
    revokeAll() {
      for (const rt of refreshTokens.values()) rt.dead = true;
      for (const at of accessTokens.values()) at.dead = true;
    },
    revokeToken(refreshToken) {
      const rt = refreshTokens.get(refreshToken);
      if (rt) rt.dead = true;
    },
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'xero-correlation-id': randomBytes(8).toString('hex') });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.method !== 'POST' || req.url !== '/connect/token') return send(res, 404, { error: 'not_found' });
    server.calls++;
    const auth = req.headers.authorization ?? '';
    const expected = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;
    if (auth !== expected) return send(res, 400, { error: 'invalid_client' });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'refresh_token') return send(res, 400, { error: 'unsupported_grant_type' });
    const fault = server.faults.shift();
    if (fault === 'reset_before_issue') return req.socket.destroy();
    if (fault === 'status_500') return send(res, 500, 'Internal Server Error');
    const presented = form.get('refresh_token') ?? '';
    const state = refreshTokens.get(presented);
    const now = clock.now();
    const dead =
      !state ||
      state.dead ||
      (state.spentAt !== undefined && now - state.spentAt > GRACE_MS) ||
      (state.spentAt === undefined && now - state.issuedAt > IDLE_MS);
    if (dead || !state) {
      server.deadTokenUses++;
      return send(res, 400, { error: 'invalid_grant' });
    }
    let pair: Pair;
    if (state.spentAt === undefined) {
      state.spentAt = now;
      pair = issue();
      state.children.push(pair);
    } else if (mode === 'same-pair') {
      pair = state.children[0];
    } else {
      if (mode === 'fresh-pair-revokes') state.children.forEach(kill);
      pair = issue();
      state.children.push(pair);
    }
    if (fault === 'drop_after_issue') return req.socket.destroy();
    const payload: Record<string, unknown> = { access_token: pair.accessToken, expires_in: ttl, token_type: 'Bearer', refresh_token: pair.refreshToken, scope: 'offline_access accounting.settings' };
    if (fault === 'no_refresh_token') delete payload.refresh_token;
    if (fault === 'non_numeric_expires_in') payload.expires_in = 'soon';
    if (fault === 'not_json') return send(res, 200, '<html>gateway</html>');
    return send(res, 200, payload);
  };

  const http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  // Keep-alive sockets would let a dropped response hang the client instead of failing it.
  http.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  server.url = `http://127.0.0.1:${port}`;
  server.tokenUrl = `${server.url}/connect/token`;
  return server;
}
