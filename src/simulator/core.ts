import { OffsetClock } from '../clock';
import { AdminGuard } from './admin-guard';
import { BadInput } from './bad-input';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, DEMO_USER_EMAIL, Directory, demoClients, demoOrganisations, type Client } from './directory';
import { FaultSet } from './faults';
import { newId, opaqueToken } from './formats';
import { JwtSigner } from './jwt';
import { Recorder } from './observation';
import { RateLimiter, XERO_RATE_LIMITS } from './rate-limits';
import { scopeProblem } from './scopes';
import { TokenStore, type Grant } from './tokens';
import type { GraceMode, OrganisationConfig, RateLimitSettings, SimulatorClock, SimulatorOptions, TokenResponse } from './types';
import { Webhooks } from './webhooks/webhooks';
import { parseXeroTier, tierOpens, XERO_TIER_IDS, XERO_TIERS, type XeroTier } from '../xero-tiers';

export const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.settings', 'accounting.contacts'];
export const DEFAULT_ISSUER = 'https://identity.xero.com';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface SeedGrantInput {
  clientId?: string;
  scopes?: string[];
  /** Existing tenant ids, or organisations to create (or reuse by tenantId). Default: the demo organisation. */
  tenants?: Array<string | OrganisationConfig>;
  /** The user who consents; created when new. Default: the demo user. */
  email?: string;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  grant: Grant;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

export function rateLimitSettings(option: SimulatorOptions['rateLimits']): { enabled: boolean; settings: RateLimitSettings } {
  if (option === undefined || option === false) return { enabled: false, settings: { ...XERO_RATE_LIMITS } };
  if (option === true) return { enabled: true, settings: { ...XERO_RATE_LIMITS } };
  return { enabled: true, settings: { ...XERO_RATE_LIMITS, ...option } };
}

/** Everything the simulator knows and every action a test can take on it, independent of HTTP. */
export class SimulatorCore {
  readonly clock: SimulatorClock;
  readonly recorder: Recorder;
  readonly directory: Directory;
  readonly signer = new JwtSigner();
  readonly tokens: TokenStore;
  readonly faults: FaultSet;
  readonly rateLimiter: RateLimiter;
  readonly webhooks: Webhooks;
  readonly adminGuard: AdminGuard;
  readonly issuer: string;
  readonly maxBodyBytes: number;
  connectionLimit: number | undefined;
  /** Tenants (lower-case ids) that answer 403 to every API call while /connections still lists them. */
  readonly refusedTenants = new Set<string>();
  private readonly codes = new Map<string, AuthCode>();

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? new OffsetClock();
    this.recorder = new Recorder(this.clock);
    this.issuer = options.issuer ?? DEFAULT_ISSUER;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.connectionLimit = options.connectionLimit;
    this.directory = new Directory(
      this.clock,
      options.clients ?? demoClients(),
      options.organisations ?? demoOrganisations(),
      options.users ?? [{ email: DEMO_USER_EMAIL, firstName: 'Demo', lastName: 'User' }],
    );
    this.tokens = new TokenStore(this.clock, this.signer, this.issuer, this.recorder, options.graceMode ?? 'same-pair');
    // An app's own tier wins over the one given for every app; either is read as a JS caller may write it ('Starter').
    for (const client of this.directory.clients.values()) {
      const tier = client.tier ?? options.tier;
      client.tier = tier === undefined ? undefined : tierNamed(tier);
    }
    this.faults = new FaultSet(options.randomSeed);
    const limits = rateLimitSettings(options.rateLimits);
    this.rateLimiter = new RateLimiter(this.clock, limits.enabled, limits.settings, (clientId) => {
      const tier = this.client(clientId)?.tier;
      return tier === undefined ? undefined : XERO_TIERS[tier].dayLimit;
    });
    this.adminGuard = new AdminGuard(options.host ?? '127.0.0.1', options.adminHosts);
    this.webhooks = new Webhooks({
      clock: this.clock,
      recorder: this.recorder,
      hasClient: (clientId) => this.directory.clients.has(clientId),
      isConnected: (clientId, tenantId) => this.directory.tenantsOfClient(clientId).has(tenantId),
      timeoutMs: options.webhookTimeoutMs,
    });
  }

  get graceMode(): GraceMode {
    return this.tokens.graceMode;
  }

  set graceMode(mode: GraceMode) {
    this.tokens.graceMode = mode;
  }

  client(clientId: string): Client | undefined {
    return this.directory.clients.get(clientId);
  }

  newGrant(client: Client, userId: string, scopes: string[]): Grant {
    const user = this.directory.users.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    return {
      grantId: newId(),
      clientId: client.clientId,
      userId: user.userId,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      scopes,
      authEventId: newId(),
      sessionId: opaqueToken(16),
      authTime: this.clock.now(),
    };
  }

  /** Plays the app on a Xero tier from now on (its connections stay); undefined: no tier, as before tiers. */
  setTier(clientId: string, tier: XeroTier | undefined): void {
    const client = this.client(clientId);
    if (!client) throw new BadInput('clientId', `no client ${clientId}`);
    client.tier = tier === undefined ? undefined : tierNamed(tier);
    this.recorder.record({ type: 'action', action: 'setTier', detail: { clientId, tier: client.tier ?? null } });
  }

  /** Organisations the app may hold: the lower of its tier's cap and the simulator-wide limit; undefined: no cap. */
  connectionCap(clientId: string): number | undefined {
    const tier = this.client(clientId)?.tier;
    const caps = [this.connectionLimit, tier === undefined ? null : XERO_TIERS[tier].connectionCap].filter((c): c is number => typeof c === 'number');
    return caps.length === 0 ? undefined : Math.min(...caps);
  }

  /** Whether connecting these tenants would take the app past its connection cap. */
  overConnectionLimit(clientId: string, tenantIds: string[]): boolean {
    const cap = this.connectionCap(clientId);
    if (cap === undefined) return false;
    const held = this.directory.tenantsOfClient(clientId);
    for (const t of tenantIds) held.add(t);
    return held.size > cap;
  }

  /** Below Advanced a consent connects one organisation ("bulk connections" are Advanced's); an app without a tier may connect several. */
  oneOrganisationPerConsent(client: Client): boolean {
    return client.tier !== undefined && !XERO_TIERS[client.tier].severalOrganisationsPerConsent;
  }

  /** Whether the app's tier opens this Accounting resource (`Journals` is Advanced's); an app without a tier reaches them all. */
  opensEndpoint(clientId: string, resource: string): boolean {
    const tier = this.client(clientId)?.tier;
    return tier === undefined || tierOpens(tier, resource);
  }

  issueCode(input: Omit<AuthCode, 'code' | 'used' | 'expiresAt'>): string {
    const code = opaqueToken();
    // Xero's authorization codes live for 5 minutes.
    this.codes.set(code, { ...input, code, used: false, expiresAt: this.clock.now() + 5 * 60_000 });
    return code;
  }

  takeCode(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }

  seedGrant(input: SeedGrantInput = {}): TokenResponse {
    const client = this.client(input.clientId ?? DEMO_CLIENT_ID);
    if (!client) throw new BadInput('clientId', `no client ${input.clientId ?? DEMO_CLIENT_ID}`);
    const scopes = input.scopes ?? DEFAULT_SCOPES;
    const problem = scopeProblem(scopes, client.granularScopesOnly ?? false);
    if (problem) throw new BadInput('scopes', `are not valid for this client (${problem})`);
    const tenantIds = (input.tenants ?? [DEMO_TENANT_ID]).map((t) => {
      if (typeof t === 'string') {
        if (!this.directory.organisations.has(t)) throw new BadInput('tenants', `no organisation ${t}`);
        return t;
      }
      if (typeof t.tenantId !== 'string' || typeof t.name !== 'string') throw new BadInput('tenants', 'an organisation needs tenantId and name');
      return (this.directory.organisations.get(t.tenantId) ?? this.directory.addOrganisation(t)).tenantId;
    });
    if (client.tier !== undefined && this.oneOrganisationPerConsent(client) && new Set(tenantIds).size > 1) {
      const tier = XERO_TIERS[client.tier].name;
      throw new BadInput('tenants', `name one organisation: on the ${tier} tier a consent connects one at a time (seed one grant per organisation)`);
    }
    if (this.overConnectionLimit(client.clientId, tenantIds))
      throw new BadInput('tenants', `would exceed the connection limit of ${this.connectionCap(client.clientId)}`);
    const user = this.directory.userByEmail(input.email ?? DEMO_USER_EMAIL);
    const grant = this.newGrant(client, user.userId, scopes);
    this.directory.connect(user.userId, client.clientId, tenantIds, grant.authEventId);
    this.recorder.record({ type: 'action', action: 'seedGrant', detail: { grantId: grant.grantId, clientId: client.clientId, tenants: tenantIds } });
    return this.tokens.issueInitial(grant, 'authorization_code');
  }

  /** The user loses every token set and connection, as when removed from Xero or revoked. */
  revokeUser(userIdOrEmail: string): { grantsRevoked: number; connectionsRemoved: number } {
    const user = this.directory.findUser(userIdOrEmail);
    if (!user) throw new BadInput('user', `no user ${userIdOrEmail}`);
    const grantsRevoked = this.tokens.revokeWhere((g) => g.userId === user.userId);
    const connectionsRemoved = this.directory.removeWhere((c) => c.userId === user.userId).length;
    this.recorder.record({ type: 'action', action: 'revokeUser', detail: { userId: user.userId, grantsRevoked, connectionsRemoved } });
    return { grantsRevoked, connectionsRemoved };
  }

  /** As if the user disconnected the app from one organisation in Xero: tokens keep working, the tenant goes. */
  removeConnection(connectionId: string): void {
    const conn = this.directory.remove(connectionId);
    if (!conn) throw new BadInput('connectionId', `no connection ${connectionId}`);
    this.recorder.record({ type: 'action', action: 'removeConnection', detail: { connectionId, tenantId: conn.tenantId } });
  }

  expireRefreshToken(refreshToken: string): void {
    if (!this.tokens.expireNow(refreshToken)) throw new BadInput('refreshToken', 'is not a refresh token this simulator issued');
    this.recorder.record({ type: 'action', action: 'expireRefreshToken', detail: { refreshToken } });
  }

  /** Xero's "generate a new secret": the old one stops working at once; tokens already issued live on. */
  rotateClientSecret(clientId: string, newSecret?: string): string {
    const client = this.client(clientId);
    if (!client) throw new BadInput('clientId', `no client ${clientId}`);
    client.clientSecret = newSecret ?? opaqueToken(24);
    this.recorder.record({ type: 'action', action: 'rotateClientSecret', detail: { clientId } });
    return client.clientSecret;
  }

  /**
   * As when Xero refuses one organisation to a token that still lists it (the user's role changed,
   * the trial ended): while on, Organisation and Accounting API calls for it get 403.
   */
  refuseTenant(tenantId: string, on: boolean): void {
    if (!this.directory.organisations.has(tenantId)) throw new BadInput('tenantId', `no organisation ${tenantId}`);
    if (on) this.refusedTenants.add(tenantId.toLowerCase());
    else this.refusedTenants.delete(tenantId.toLowerCase());
    this.recorder.record({ type: 'action', action: 'refuseTenant', detail: { tenantId, on } });
  }

  /** A demo company reset: every app loses its connection to it (403 for their tokens), limits start afresh. */
  resetOrganisation(tenantId: string): { connectionsRemoved: number } {
    if (!this.directory.organisations.has(tenantId)) throw new BadInput('tenantId', `no organisation ${tenantId}`);
    const connectionsRemoved = this.directory.removeWhere((c) => c.tenantId === tenantId).length;
    this.rateLimiter.forgetTenant(tenantId);
    this.recorder.record({ type: 'action', action: 'resetOrganisation', detail: { tenantId, connectionsRemoved } });
    return { connectionsRemoved };
  }
}

/** A tier from anything a caller may send (a JS caller, a JSON body): Xero's name in any case, else a BadInput naming the five. */
export function tierNamed(value: unknown): XeroTier {
  const tier = parseXeroTier(value);
  if (tier === null) throw new BadInput('tier', `must be one of ${XERO_TIER_IDS.join(', ')} (got ${String(JSON.stringify(value)).slice(0, 80)})`);
  return tier;
}
