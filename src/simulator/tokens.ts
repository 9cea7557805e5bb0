import { DAY, MINUTE, SECOND, type Clock } from '../clock';
import { newId, opaqueToken } from './formats';
import { atHash, type JwtSigner } from './jwt';
import type { DeathReason, Recorder } from './observation';
import type { GraceMode, TokenResponse } from './types';

export const ACCESS_TOKEN_TTL = 30 * MINUTE;
export const GRACE_WINDOW = 30 * MINUTE;
export const REFRESH_IDLE_EXPIRY = 60 * DAY;
const ID_TOKEN_TTL = 5 * MINUTE;

/** One authorization (consent, seedGrant or client_credentials) and everything rotated from it. */
export interface Grant {
  grantId: string;
  clientId: string;
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  scopes: string[];
  authEventId: string;
  sessionId: string;
  authTime: number;
}

export interface RefreshRecord {
  token: string;
  grant: Grant;
  issuedAt: number;
  parent?: RefreshRecord;
  children: RefreshRecord[];
  /** When it was first rotated; the grace window runs from here and is not extended by reuses. */
  spentAt?: number;
  /** What the first rotation answered, replayed by `same-pair`. */
  firstAnswer?: TokenResponse;
  death?: Exclude<DeathReason, 'spent'>;
  accessJti: string;
}

export interface AccessRecord {
  jti: string;
  grant: Grant;
  exp: number;
  killed: boolean;
}

/** Per grant, for tests and benches: refresh calls that presented one of its tokens, and the newest rotation's number. */
export interface GrantCounts {
  grantId: string;
  clientId: string;
  userId: string;
  tokenCalls: number;
  /** 0 for the grant's first refresh token; +1 per refresh token issued from it. */
  sequence: number;
}

/** What a state file keeps of the store (state-file.ts): the records as they are linked, grants shared between them. */
export interface TokenStoreState {
  refresh: Map<string, RefreshRecord>;
  access: Map<string, AccessRecord>;
  counts: Map<string, GrantCounts>;
}

export type RefreshOutcome = { ok: true; tokens: TokenResponse; grantId: string } | { ok: false; error: 'invalid_grant' };

export type AccessCheck =
  | { ok: true; grant: Grant; scopes: string[] }
  | { ok: false; problem: 'TokenExpired'; expiredAt: number }
  | { ok: false; problem: 'AuthenticationUnsuccessful' };

/**
 * Xero's token rules: 30-minute access tokens, rotation on every refresh, a 30-minute grace window
 * for a spent refresh token, 60-day expiry of an unused one. It also keeps the verdict the chaos
 * tests read: every presentation of a refresh token that was already dead.
 */
export class TokenStore {
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly access = new Map<string, AccessRecord>();
  private readonly counts = new Map<string, GrantCounts>();

  constructor(
    private readonly clock: Clock,
    private readonly signer: JwtSigner,
    private readonly issuer: string,
    private readonly recorder: Recorder,
    public graceMode: GraceMode,
  ) {}

  /** The live records, not copies: a state file writes them in one piece (shared grants stay shared) and refills them. */
  snapshot(): TokenStoreState {
    return { refresh: this.refresh, access: this.access, counts: this.counts };
  }

  /** The first token set of a new grant (authorization_code, client_credentials, seedGrant). */
  issueInitial(grant: Grant, grantType: string): TokenResponse {
    return this.issue(grant, grantType).tokens;
  }

  rotate(presented: string, clientId: string): RefreshOutcome {
    const rec = this.refresh.get(presented);
    if (!rec) {
      this.recorder.record({ type: 'unknown-token-use', refreshToken: presented });
      return { ok: false, error: 'invalid_grant' };
    }
    // Another app's token is refused before its state is looked at: it is not a use of a dead token.
    if (rec.grant.clientId !== clientId) return { ok: false, error: 'invalid_grant' };
    this.countsOf(rec.grant).tokenCalls++;
    const dead = this.deathOf(rec);
    if (dead) {
      this.recorder.record({ type: 'dead-token-use', grantId: rec.grant.grantId, refreshToken: rec.token, reason: dead });
      return { ok: false, error: 'invalid_grant' };
    }
    if (rec.spentAt === undefined) {
      rec.spentAt = this.clock.now();
      this.recorder.record({ type: 'token-spent', grantId: rec.grant.grantId, refreshToken: rec.token });
      const { tokens } = this.issue(rec.grant, 'refresh_token', rec);
      rec.firstAnswer = tokens;
      return { ok: true, tokens, grantId: rec.grant.grantId };
    }
    this.recorder.record({ type: 'grace-reuse', grantId: rec.grant.grantId, refreshToken: rec.token, graceMode: this.graceMode });
    switch (this.graceMode) {
      case 'same-pair':
        return { ok: true, tokens: { ...(rec.firstAnswer as TokenResponse) }, grantId: rec.grant.grantId };
      case 'fresh-pair':
        return { ok: true, tokens: this.issue(rec.grant, 'refresh_token', rec).tokens, grantId: rec.grant.grantId };
      case 'fresh-pair-revokes':
        for (const child of rec.children) this.killTree(child, 'killed');
        return { ok: true, tokens: this.issue(rec.grant, 'refresh_token', rec).tokens, grantId: rec.grant.grantId };
    }
  }

  /** Undefined while the token may still be used (live, or spent inside its grace window). */
  deathOf(rec: RefreshRecord): DeathReason | undefined {
    if (rec.death) return rec.death;
    const now = this.clock.now();
    if (rec.spentAt !== undefined) return now >= rec.spentAt + GRACE_WINDOW ? 'spent' : undefined;
    return now >= rec.issuedAt + REFRESH_IDLE_EXPIRY ? 'expired' : undefined;
  }

  /** For observers: 'live', 'grace' or why it is dead; undefined if it never existed. */
  refreshTokenState(token: string): 'live' | 'grace' | DeathReason | undefined {
    const rec = this.refresh.get(token);
    if (!rec) return undefined;
    return this.deathOf(rec) ?? (rec.spentAt === undefined ? 'live' : 'grace');
  }

  grantCounts(): GrantCounts[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  private countsOf(grant: Grant): GrantCounts {
    let counts = this.counts.get(grant.grantId);
    if (!counts) {
      counts = { grantId: grant.grantId, clientId: grant.clientId, userId: grant.userId, tokenCalls: 0, sequence: -1 };
      this.counts.set(grant.grantId, counts);
    }
    return counts;
  }

  grantOf(refreshToken: string): Grant | undefined {
    return this.refresh.get(refreshToken)?.grant;
  }

  checkAccess(token: string): AccessCheck {
    const claims = this.signer.verify(token);
    const rec = typeof claims?.jti === 'string' ? this.access.get(claims.jti) : undefined;
    if (!rec || rec.killed) return { ok: false, problem: 'AuthenticationUnsuccessful' };
    if (this.clock.now() >= rec.exp) return { ok: false, problem: 'TokenExpired', expiredAt: rec.exp };
    return { ok: true, grant: rec.grant, scopes: rec.grant.scopes };
  }

  /** Revocation: the presented token's whole lineage dies (its access tokens run out on their own). */
  revokeLineageOf(refreshToken: string): Grant | undefined {
    const rec = this.refresh.get(refreshToken);
    if (!rec) return undefined;
    this.killGrant(rec.grant.grantId, 'revoked');
    return rec.grant;
  }

  revokeWhere(match: (g: Grant) => boolean): number {
    const grants = new Set([...this.refresh.values()].filter((r) => match(r.grant)).map((r) => r.grant.grantId));
    for (const g of grants) this.killGrant(g, 'revoked');
    return grants.size;
  }

  expireNow(refreshToken: string): boolean {
    const rec = this.refresh.get(refreshToken);
    if (!rec) return false;
    if (!rec.death) {
      rec.death = 'expired';
      this.recorder.record({ type: 'token-killed', grantId: rec.grant.grantId, refreshToken: rec.token, reason: 'expired' });
    }
    return true;
  }

  private killGrant(grantId: string, reason: 'revoked' | 'killed'): void {
    for (const rec of this.refresh.values()) {
      if (rec.grant.grantId === grantId && !rec.death) {
        rec.death = reason;
        this.recorder.record({ type: 'token-killed', grantId, refreshToken: rec.token, reason });
      }
    }
  }

  /** `fresh-pair-revokes`: an earlier child dies with its access token and all it was rotated into. */
  private killTree(rec: RefreshRecord, reason: 'killed'): void {
    if (!rec.death) {
      rec.death = reason;
      this.recorder.record({ type: 'token-killed', grantId: rec.grant.grantId, refreshToken: rec.token, reason });
    }
    const access = this.access.get(rec.accessJti);
    if (access) access.killed = true;
    for (const child of rec.children) this.killTree(child, reason);
  }

  private issue(grant: Grant, grantType: string, parent?: RefreshRecord): { tokens: TokenResponse } {
    const now = this.clock.now();
    const nowSec = Math.floor(now / SECOND);
    const jti = newId().replace(/-/g, '').toUpperCase();
    const exp = (nowSec + ACCESS_TOKEN_TTL / SECOND) * SECOND;
    this.access.set(jti, { jti, grant, exp, killed: false });
    const accessToken = this.signer.sign({
      nbf: nowSec,
      exp: exp / SECOND,
      iss: this.issuer,
      aud: `${this.issuer}/resources`,
      client_id: grant.clientId,
      sub: grant.userId.replace(/-/g, ''),
      auth_time: Math.floor(grant.authTime / SECOND),
      xero_userid: grant.userId,
      global_session_id: grant.sessionId,
      sid: grant.sessionId,
      jti,
      authentication_event_id: grant.authEventId,
      scope: grant.scopes,
      amr: ['pwd'],
    });
    let idToken: string | undefined;
    if (grant.scopes.includes('openid')) {
      idToken = this.signer.sign({
        nbf: nowSec,
        exp: nowSec + ID_TOKEN_TTL / SECOND,
        iss: this.issuer,
        aud: grant.clientId,
        iat: nowSec,
        at_hash: atHash(accessToken),
        sid: grant.sessionId,
        sub: grant.userId.replace(/-/g, ''),
        auth_time: Math.floor(grant.authTime / SECOND),
        xero_userid: grant.userId,
        global_session_id: grant.sessionId,
        preferred_username: grant.email,
        email: grant.email,
        given_name: grant.firstName,
        family_name: grant.lastName,
        name: `${grant.firstName} ${grant.lastName}`,
        amr: ['pwd'],
      });
    }
    // Xero sends a refresh token only to apps that asked for offline_access; client_credentials never gets one.
    let refreshToken: string | undefined;
    if (grant.scopes.includes('offline_access') && grantType !== 'client_credentials') {
      refreshToken = opaqueToken();
      const rec: RefreshRecord = { token: refreshToken, grant, issuedAt: now, parent, children: [], accessJti: jti };
      this.refresh.set(refreshToken, rec);
      parent?.children.push(rec);
      this.countsOf(grant).sequence++;
    }
    this.recorder.record({ type: 'token-issued', grantId: grant.grantId, grantType, accessToken, refreshToken, parentRefreshToken: parent?.token });
    // Key order as Xero sends it.
    const tokens: TokenResponse = {
      ...(idToken ? { id_token: idToken } : {}),
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_TTL / SECOND,
      token_type: 'Bearer',
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: grant.scopes.join(' '),
    };
    return { tokens };
  }
}
