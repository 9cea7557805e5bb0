import { systemClock, type Clock } from '../../src/clock';
import { connectionKeyFor, TokenEngine, type EnginePolicy } from '../../src/engine';
import type { Ledger } from '../../src/ledger';
import { jwtExpiry, XERO_ENDPOINTS, XeroApiClient, XeroIdentityClient, type ClientCredentials, type TokenSet, type XeroTrust } from '../../src/xero';
import { chooseLedger, LEDGER_MODES, type LedgerOverride } from './ledger-choice';
import { assertN8nVersion, runningN8nVersion } from './version-gate';

/** The credential type name, as nodes and the HTTP Request node refer to it. */
export const CREDENTIAL_TYPE = 'xeroGuardOAuth2Api';

/** What the credential's fields mean to the engine. Built from n8n's decrypted credential data. */
export interface XeroGuardCredential {
  grant: 'authorization_code' | 'client_credentials';
  client: ClientCredentials;
  tokenUrl: string;
  apiUrl: string;
  scopes: string[];
  ledger: LedgerOverride;
  /** n8n's oauthTokenData: what "Connect my account" stored (n8n never rewrites it for this type). */
  tokenData: Record<string, unknown> | null;
}

export class XeroGuardSetupError extends Error {
  readonly code: string;
  readonly retryable = false;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'XeroGuardSetupError';
    this.code = code;
  }
}

type Data = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Scopes the credential asks for, as the hidden `scope` field computes them (kept in step with it). */
export function scopesOf(data: Data): string[] {
  const resolved = str(data.scope);
  if (resolved && !resolved.startsWith('=')) return resolved.split(/[\s,]+/).filter(Boolean);
  const picked = Array.isArray(data.xeroScopes) ? data.xeroScopes.filter((s): s is string => typeof s === 'string') : [];
  const extra = str(data.additionalScopes).split(/[\s,]+/).filter(Boolean);
  const base = data.grantType === 'clientCredentials' ? [] : ['offline_access', 'openid', 'profile', 'email'];
  return [...new Set([...base, ...picked, ...extra])];
}

export function readCredential(data: Data): XeroGuardCredential {
  const custom = data.useCustomEndpoints === true;
  const tokenData = data.oauthTokenData && typeof data.oauthTokenData === 'object' ? (data.oauthTokenData as Data) : null;
  const mode = LEDGER_MODES.find((m) => m === data.ledger) ?? 'auto';
  return {
    grant: data.grantType === 'clientCredentials' ? 'client_credentials' : 'authorization_code',
    client: { clientId: str(data.clientId), clientSecret: typeof data.clientSecret === 'string' ? data.clientSecret : '' },
    tokenUrl: custom && str(data.customAccessTokenUrl) ? str(data.customAccessTokenUrl) : XERO_ENDPOINTS.tokenUrl,
    apiUrl: (custom && str(data.apiBaseUrl) ? str(data.apiBaseUrl) : XERO_ENDPOINTS.apiUrl).replace(/\/+$/, ''),
    scopes: scopesOf(data),
    ledger: { mode, folder: str(data.ledgerFolder), postgresUrl: str(data.ledgerPostgresUrl), redisUrl: str(data.ledgerRedisUrl) },
    tokenData,
  };
}

interface EngineEntry {
  engine: TokenEngine;
  identity: XeroIdentityClient;
  api: XeroApiClient;
  ledger: Ledger;
  where: string;
  /** First sight of a connection key in this process: adopt once, share the promise. */
  adopted: Map<string, Promise<void>>;
}

interface Registry {
  engines: Map<string, EngineEntry>;
  clock: Clock;
  policy: Partial<EnginePolicy>;
  xeroTrust?: XeroTrust;
}

// On globalThis, so a second copy of this module (n8n reloading a package) still shares one engine per ledger.
const REGISTRY = Symbol.for('n8n-nodes-xero-guard.engines');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  holder[REGISTRY] ??= { engines: new Map(), clock: systemClock, policy: {} };
  return holder[REGISTRY];
}

/** Tests only: a clock and policy for engines created from now on, and a clean registry. */
export async function resetEnginesForTests(options: { clock?: Clock; policy?: Partial<EnginePolicy>; xeroTrust?: XeroTrust } = {}): Promise<void> {
  const reg = registry();
  for (const entry of reg.engines.values()) await entry.ledger.close().catch(() => undefined);
  reg.engines.clear();
  reg.clock = options.clock ?? systemClock;
  reg.policy = options.policy ?? {};
  reg.xeroTrust = options.xeroTrust;
}

/** One engine per ledger, encryption key and Xero endpoints, for the whole n8n process. */
function engineFor(credential: XeroGuardCredential, env: Record<string, string | undefined>): EngineEntry {
  const reg = registry();
  const choice = chooseLedger(credential.ledger, env, reg.clock);
  const id = [choice.id, choice.keyId, credential.tokenUrl, credential.apiUrl].join('|');
  const existing = reg.engines.get(id);
  if (existing) return existing;
  const ledger = choice.build();
  const identity = new XeroIdentityClient({ endpoints: { tokenUrl: credential.tokenUrl }, clock: reg.clock, clientAuth: 'basic' });
  const engine = new TokenEngine({ ledger, identity, clock: reg.clock, policy: reg.policy, xeroTrust: reg.xeroTrust });
  const entry: EngineEntry = { engine, identity, api: new XeroApiClient({ endpoints: { apiUrl: credential.apiUrl } }), ledger, where: `${ledger.description} (${choice.reason})`, adopted: new Map() };
  reg.engines.set(id, entry);
  return entry;
}

export interface XeroConnection {
  key: string;
  engine: TokenEngine;
  api: XeroApiClient;
  credential: XeroGuardCredential;
  /** The ledger, for messages. */
  where: string;
}

/**
 * Everything an n8n request needs from the credential: the version gate, the connection key
 * (client id + the refresh token stored at connect time), the process-wide engine for its ledger,
 * and, on first sight, the connect-time token set adopted as the root of the chain.
 */
export async function openConnection(data: Data, env: Record<string, string | undefined> = process.env): Promise<XeroConnection> {
  assertN8nVersion(runningN8nVersion());
  const credential = readCredential(data);
  if (!credential.client.clientId || !credential.client.clientSecret) {
    throw new XeroGuardSetupError('MISCONFIGURED', 'The Xero credential has no client id or client secret: copy both from your app at developer.xero.com/app/manage into the credential.');
  }
  const entry = engineFor(credential, env);
  const key = connectionKeyOf(credential);
  entry.engine.setClient(key, credential.client);
  let first = entry.adopted.get(key);
  if (!first) {
    first = adoptOnFirstSight(entry, key, credential).catch((error: unknown) => {
      entry.adopted.delete(key);
      throw error;
    });
    entry.adopted.set(key, first);
  }
  await first;
  return { key, engine: entry.engine, api: entry.api, credential, where: entry.where };
}

export function connectionKeyOf(credential: XeroGuardCredential): string {
  if (credential.grant === 'client_credentials') return `xero:${credential.client.clientId}:client_credentials`;
  const refreshToken = str(credential.tokenData?.refresh_token);
  if (!credential.tokenData || !str(credential.tokenData.access_token)) {
    throw new XeroGuardSetupError('NOT_CONNECTED', 'OAuth credentials not connected: open the Xero credential in n8n and click "Connect my account".');
  }
  if (!refreshToken) {
    throw new XeroGuardSetupError('NOT_CONNECTED', 'The Xero credential was connected without a refresh token (the offline_access scope was missing): open the credential and click "Connect my account" again.');
  }
  return connectionKeyFor(credential.client.clientId, refreshToken);
}

async function adoptOnFirstSight(entry: EngineEntry, key: string, credential: XeroGuardCredential): Promise<void> {
  const { engine } = entry;
  if ((await engine.status(key)).state !== 'not_connected') return;
  const now = registry().clock.now();
  if (credential.grant === 'client_credentials') {
    let tokenSet = credential.tokenData && str(credential.tokenData.access_token) ? tokenSetFromN8n(credential.tokenData, now) : null;
    if (!tokenSet) {
      const result = await entry.identity.clientCredentials(credential.client, credential.scopes);
      if (!result.ok) throw new XeroGuardSetupError(result.error.kind === 'invalid_scope' ? 'MISCONFIGURED' : 'TOKEN_ERROR', `${result.error.message} (Custom Connection token request)`);
      tokenSet = result.tokenSet;
    }
    await engine.adoptGrant(key, tokenSet, { ifAbsent: true, grant: 'client_credentials' });
    return;
  }
  const tokenSet = tokenSetFromN8n(credential.tokenData as Data, now);
  // The engine supersedes older chains of the same user only if this id_token proves Xero issued the grant.
  const evidence = tokenSet.idToken ? { idToken: tokenSet.idToken, tokenUrl: credential.tokenUrl } : undefined;
  await engine.adoptGrant(key, tokenSet, { ifAbsent: true, supersedeSameUser: evidence });
}

/**
 * n8n's oauthTokenData has no absolute expiry (only expires_in, relative to an unknown moment):
 * the JWT's exp decides, else n8n's n8n_expires_at, else "expired now" so the engine refreshes at once.
 * The issue time (JWT iat/nbf) starts the 60-day idle clock, so a credential connected long ago is not
 * mistaken for a fresh one.
 */
export function tokenSetFromN8n(data: Data, now: number): TokenSet {
  const accessToken = str(data.access_token);
  const fromJwt = jwtExpiry(accessToken);
  const n8nExpiry = Number(data.n8n_expires_at);
  const known = [fromJwt, Number.isFinite(n8nExpiry) && n8nExpiry > 0 ? n8nExpiry : undefined].filter((v): v is number => v !== undefined);
  const expiresAt = known.length > 0 ? Math.min(...known) : now;
  const issued = jwtClaim(accessToken, 'iat') ?? jwtClaim(accessToken, 'nbf');
  const expiresIn = Number(data.expires_in);
  const obtainedAt =
    typeof issued === 'number' && Number.isFinite(issued)
      ? Math.min(issued * 1000, now)
      : fromJwt !== undefined && Number.isFinite(expiresIn) && expiresIn > 0
        ? Math.min(fromJwt - expiresIn * 1000, now)
        : now;
  const scope = typeof data.scope === 'string' ? data.scope.split(/[\s,]+/).filter(Boolean) : Array.isArray(data.scope) ? data.scope.filter((s): s is string => typeof s === 'string') : [];
  return {
    accessToken,
    refreshToken: str(data.refresh_token) || undefined,
    idToken: str(data.id_token) || undefined,
    tokenType: str(data.token_type) || 'Bearer',
    scope,
    expiresAt,
    obtainedAt,
  };
}

function jwtClaim(token: string, claim: string): unknown {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    return payload && typeof payload === 'object' ? payload[claim] : undefined;
  } catch {
    return undefined;
  }
}

/** The access token for one request, through the engine (single flight, lease, write-ahead). */
export async function accessTokenFor(data: Data, env?: Record<string, string | undefined>): Promise<string> {
  const connection = await openConnection(data, env);
  return connection.engine.getAccessToken(connection.key);
}
