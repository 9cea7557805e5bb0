/**
 * The n8n adapter of the core's connection session: n8n's decrypted credential data and n8n's
 * environment become the session's plain options (the ledger n8n's own settings choose, the chain
 * key from the connect-time refresh token, or for a Custom Connection from its secret), behind the
 * version gate; on first sight the token set n8n's "Connect" stored is adopted as the root of the
 * chain. One session per credential chain for the whole process (n8n has no hook that closes a
 * credential).
 */
import { systemClock, type Clock } from '../../src/clock';
import { clientCredentialsKey, connectionKeyFor, legacyClientCredentialsKey, type EnginePolicy } from '../../src/engine';
import { XeroGuardSetupError } from '../../src/errors';
import { ConnectionSession, EngineRegistry, engineIdentity, N8N_CREDENTIAL_TYPE, requestedScopes, type EngineSpec, type SharedEngine } from '../../src/host';
import { tierSetting, TIER_SETTING } from '../../src/host/tier-setting';
import type { XeroTier } from '../../src/xero-tiers';
import { buildLedger, type Ledger } from '../../src/ledger';
import { jwtClaims, jwtExpiry, XERO_ENDPOINTS, type ClientCredentials, type HttpTransport, type TokenSet, type XeroTrust } from '../../src/xero';
import { chooseN8nLedger, LEDGER_MODES, type N8nLedgerOverride } from './n8n-ledger';
import { assertN8nVersion, runningN8nVersion } from './version-gate';

/** The credential type name, as nodes and the HTTP Request node refer to it (one spelling, in the core's host kit). */
export const CREDENTIAL_TYPE = N8N_CREDENTIAL_TYPE;

/** What the credential's fields mean to the engine. Built from n8n's decrypted credential data. */
export interface XeroGuardCredential {
  grant: 'authorization_code' | 'client_credentials';
  client: ClientCredentials;
  tokenUrl: string;
  apiUrl: string;
  scopes: string[];
  ledger: N8nLedgerOverride;
  /** n8n's oauthTokenData: what "Connect" stored (n8n never rewrites it for this type). */
  tokenData: Record<string, unknown> | null;
  /** The "Xero App Tier" setting (empty: Starter, tier-setting.ts). */
  tier: XeroTier;
}

type Data = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const orUndefined = (v: string): string | undefined => (v === '' ? undefined : v);

/** Scopes the credential asks for, as the hidden `scope` field computes them (kept in step with it). */
export function scopesOf(data: Data): string[] {
  const resolved = str(data.scope);
  if (resolved && !resolved.startsWith('=')) return resolved.split(/[\s,]+/).filter(Boolean);
  return requestedScopes(data.xeroScopes, { base: data.grantType !== 'clientCredentials', extra: data.additionalScopes });
}

export function readCredential(data: Data): XeroGuardCredential {
  const custom = data.useCustomEndpoints === true;
  const tokenData = data.oauthTokenData && typeof data.oauthTokenData === 'object' ? (data.oauthTokenData as Data) : null;
  return {
    grant: data.grantType === 'clientCredentials' ? 'client_credentials' : 'authorization_code',
    client: { clientId: str(data.clientId), clientSecret: typeof data.clientSecret === 'string' ? data.clientSecret : '' },
    tokenUrl: custom && str(data.customAccessTokenUrl) ? str(data.customAccessTokenUrl) : XERO_ENDPOINTS.tokenUrl,
    apiUrl: (custom && str(data.apiBaseUrl) ? str(data.apiBaseUrl) : XERO_ENDPOINTS.apiUrl).replace(/\/+$/, ''),
    scopes: scopesOf(data),
    ledger: {
      kind: LEDGER_MODES.find((m) => m === data.ledger) ?? 'auto',
      directory: orUndefined(str(data.ledgerFolder)),
      connectionString: orUndefined(str(data.ledgerPostgresUrl)),
      redisUrl: orUndefined(str(data.ledgerRedisUrl)),
    },
    tokenData,
    tier: tierSetting(data[TIER_SETTING]),
  };
}

/** The engines of this n8n process; n8n has no hook that closes a credential, so each is held for the process. */
const engines = EngineRegistry.shared('n8n-nodes-xero-guard.engines');
/**
 * One session per engine and chain in this process: its call budget and stored name are shared by
 * every node. Beside it, what the credential said last: a first-sight adoption that failed (Xero
 * down, a wrong secret) is tried again with what the credential holds now, not what it held then.
 */
const sessions = new Map<string, { session: ConnectionSession; latest: { credential: XeroGuardCredential; displayName?: string | null } }>();
const settings: { clock: Clock; policy: Partial<EnginePolicy>; xeroTrust?: XeroTrust; transport?: HttpTransport } = { clock: systemClock, policy: {} };

/** Tests only: a clock, policy, Xero trust and HTTP function for sessions created from now on, and a clean registry. */
export async function resetEnginesForTests(
  options: { clock?: Clock; policy?: Partial<EnginePolicy>; xeroTrust?: XeroTrust; transport?: HttpTransport } = {},
): Promise<void> {
  await engines.closeAll();
  sessions.clear();
  settings.clock = options.clock ?? systemClock;
  settings.policy = options.policy ?? {};
  settings.xeroTrust = options.xeroTrust;
  settings.transport = options.transport;
}

/** The engine a credential needs: one per ledger, encryption key and Xero endpoints, for the whole n8n process. */
function engineSpec(credential: XeroGuardCredential, env: Record<string, string | undefined>): EngineSpec {
  const { options, reason } = chooseN8nLedger(env, { override: credential.ledger, clock: settings.clock });
  return {
    ledger: options,
    // Built without connecting: the first request connects, and n8n shows its error there.
    openLedger: buildLedger,
    endpoints: { tokenUrl: credential.tokenUrl, apiUrl: credential.apiUrl },
    clock: settings.clock,
    policy: settings.policy,
    xeroTrust: settings.xeroTrust,
    reason,
  };
}

export interface OpenSessionOptions {
  /** The name the user gave the credential: stored with the chain, so every listing and alert uses it. */
  displayName?: string | null;
}

/**
 * Everything an n8n request needs from the credential: the version gate, the connection key
 * (client id + the refresh token stored at connect time), the process-wide session of that chain
 * and, on first sight, the connect-time token set adopted as the root of the chain.
 */
export async function openGuardedSession(
  data: Data,
  env: Record<string, string | undefined> = process.env,
  options: OpenSessionOptions = {},
): Promise<ConnectionSession> {
  assertN8nVersion(runningN8nVersion());
  const credential = readCredential(data);
  if (!credential.client.clientId || !credential.client.clientSecret) {
    throw new XeroGuardSetupError(
      'MISCONFIGURED',
      'The Xero credential has no client id or client secret: copy both from your app at developer.xero.com/app/manage into the credential.',
    );
  }
  const spec = engineSpec(credential, env);
  const key = await connectionKeyOf(credential, hostKeyOf(spec));
  // The tier shapes the session's budget and texts: a tier changed in the credential is a new session of the same chain.
  const id = `${engineIdentity(spec)}|${key}|${credential.tier}`;
  let held = sessions.get(id);
  if (!held) {
    const latest = { credential, displayName: options.displayName };
    const session = new ConnectionSession({
      registry: engines,
      spec,
      lifetime: 'process',
      key,
      client: credential.client,
      clock: settings.clock,
      transport: settings.transport,
      budgetPolicy: { tier: credential.tier },
      adopt: (shared) => adoptOnFirstSight(shared, key, latest.credential, latest.displayName),
    });
    held = { session, latest };
    sessions.set(id, held);
  } else {
    // An authorization-code chain with its secret saved again: refreshes use what the credential holds
    // now. (A Custom Connection's secret is part of its key: another secret is another chain.)
    held.latest.credential = credential;
    held.latest.displayName = options.displayName;
    held.session.setClient(credential.client);
  }
  const { session } = held;
  await session.open();
  await session.nameChain(options.displayName);
  return session;
}

/** What the fleet view needs of a credential's ledger: the ledger, whose chain is the credential's, and the key its ids are made with. */
export interface GuardedLedger {
  ledger: Ledger;
  where: string;
  policy: Partial<EnginePolicy>;
  clock: Clock;
  /** The credential's own chain key, or null while it names none (never connected, no client id or secret). */
  ownKey: string | null;
  /** n8n's encryption key: chain ids in a listing are made with it, so they say nothing outside this instance. */
  hostKey: string;
}

/**
 * The ledger the credential's settings choose, and which of its chains is the credential's: the
 * fleet view lists it whether or not this credential is connected, and never talks to Xero.
 */
export async function openGuardedLedger(data: Data, env: Record<string, string | undefined> = process.env): Promise<GuardedLedger> {
  assertN8nVersion(runningN8nVersion());
  const credential = readCredential(data);
  const spec = engineSpec(credential, env);
  const entry = await engines.hold(spec);
  const hostKey = hostKeyOf(spec);
  const named = !!credential.client.clientId && !!credential.client.clientSecret;
  const ownKey = named ? await connectionKeyOf(credential, hostKey).catch(() => null) : null;
  return { ledger: entry.ledger, where: entry.where, policy: settings.policy, clock: settings.clock, ownKey, hostKey };
}

/** The secret that seals the ledger: also what makes chain keys and ids mean nothing outside this instance. */
function hostKeyOf(spec: EngineSpec): string {
  return String(spec.ledger.encryptionKey);
}

/**
 * The chain a credential names (Invariant 16): an authorization-code chain by its client id and
 * connect-time refresh token; a Custom Connection by its client id, its secret (keyed with n8n's
 * encryption key, slow to guess) and its endpoints, so a credential holding only the client id
 * names another chain.
 */
export async function connectionKeyOf(credential: XeroGuardCredential, hostKey: string): Promise<string> {
  if (credential.grant === 'client_credentials') {
    return clientCredentialsKey(credential.client, { tokenUrl: credential.tokenUrl, apiUrl: credential.apiUrl }, hostKey);
  }
  const refreshToken = str(credential.tokenData?.refresh_token);
  if (!credential.tokenData || !str(credential.tokenData.access_token)) {
    throw new XeroGuardSetupError('NOT_CONNECTED', 'OAuth credentials not connected: open the Xero credential in n8n and click "Connect".');
  }
  if (!refreshToken) {
    throw new XeroGuardSetupError(
      'NOT_CONNECTED',
      'The Xero credential was connected without a refresh token (the offline_access scope was missing): open the credential and click "Switch account" to connect again.',
    );
  }
  return connectionKeyFor(credential.client.clientId, refreshToken);
}

async function adoptOnFirstSight(entry: SharedEngine, key: string, credential: XeroGuardCredential, name: string | null | undefined): Promise<void> {
  const displayName = name ?? undefined;
  const { engine } = entry;
  if ((await engine.status(key)).state !== 'not_connected') return;
  const now = settings.clock.now();
  if (credential.grant === 'client_credentials') {
    const tokenSet = credential.tokenData && str(credential.tokenData.access_token) ? tokenSetFromN8n(credential.tokenData, now) : null;
    // A chain an earlier version kept under the client id alone is carried over only if this secret proves itself to Xero.
    const legacyKey = legacyClientCredentialsKey(credential.client.clientId);
    await engine.adoptClientCredentials(key, { scopes: credential.scopes, tokenSet, legacyKey, displayName });
    return;
  }
  const tokenSet = tokenSetFromN8n(credential.tokenData as Data, now);
  // The engine supersedes older chains of the same user only if this id_token proves Xero issued the grant.
  const evidence = tokenSet.idToken ? { idToken: tokenSet.idToken, tokenUrl: credential.tokenUrl } : undefined;
  await engine.adoptGrant(key, tokenSet, { ifAbsent: true, supersedeSameUser: evidence, displayName });
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
  const claims = jwtClaims(accessToken);
  const issued = claims.iat ?? claims.nbf;
  const expiresIn = Number(data.expires_in);
  const obtainedAt =
    typeof issued === 'number' && Number.isFinite(issued)
      ? Math.min(issued * 1000, now)
      : fromJwt !== undefined && Number.isFinite(expiresIn) && expiresIn > 0
        ? Math.min(fromJwt - expiresIn * 1000, now)
        : now;
  const scope =
    typeof data.scope === 'string'
      ? data.scope.split(/[\s,]+/).filter(Boolean)
      : Array.isArray(data.scope)
        ? data.scope.filter((s): s is string => typeof s === 'string')
        : [];
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

/** The access token for one request, through the engine (single flight, lease, write-ahead). */
export async function accessTokenFor(data: Data, env?: Record<string, string | undefined>): Promise<string> {
  return (await openGuardedSession(data, env)).accessToken();
}
