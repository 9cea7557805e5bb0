import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../clock';
import { fingerprint } from '../secrets/fingerprint';
import type { SpooledSet, TokenSpool } from '../ledger/spool';
import { hasChainNotes, type ChainEndpoints, type ConnectionRecord, type ConnectionState, type GrantKind, type Lease, type Ledger } from '../ledger/types';
import { IdTokenVerifier, XERO_TRUST, type GrantEvidence, type XeroTrust } from '../xero/id-token';
import { XeroIdentityClient, type ClientCredentials } from '../xero/identity-client';
import type { TokenError } from '../xero/token-response';
import { jwtClaims, type TokenSet } from '../xero/token-set';
import { XeroGuardSetupError } from '../errors';
import {
  ConnectionBusyError,
  ConnectionEndpointsError,
  ConnectionNotFoundError,
  ConnectionStateError,
  RefreshOutcomeUnknownError,
  TokenEndpointRateLimitedError,
  XeroUnreachableError,
} from './errors';
import { connectionStatusOf, type ConnectionStatus } from './connection-status';
import type { EngineEvent, EngineEventHandler } from './events';
import { resolvePolicy, type EnginePolicy } from './policy';
import { cleanDisplayName } from '../ledger/display-name';
import {
  newGrantRecord,
  retireCandidate,
  retireOutgrownCandidates,
  sameEndpoints,
  withCandidate,
  withDisplayName,
  withRotation,
  withState,
} from './record-updates';

export interface TokenEngineOptions {
  ledger: Ledger;
  /** Client id and secret used for every connection without its own (see setClient). */
  client?: ClientCredentials;
  identity?: XeroIdentityClient;
  clock?: Clock;
  policy?: Partial<EnginePolicy>;
  /** Names this process in leases and pending-refresh notes. */
  owner?: string;
  onEvent?: EngineEventHandler;
  /** Where a token set whose ledger write failed is kept; default: the ledger's own spool, if it has one. */
  spool?: TokenSpool;
  /**
   * Who counts as Xero when a new grant's evidence is checked (Invariant 13). Default XERO_TRUST,
   * pinned in code. Only tests pass another (the simulator); no host maps configuration to it.
   */
  xeroTrust?: XeroTrust;
}

export type { CandidateStatus, ConnectionStatus, ReportedState } from './connection-status';

export interface RefreshResult {
  /** False when no call to Xero was needed (fresh already, or a sibling process had just rotated). */
  refreshed: boolean;
  accessTokenExpiresAt: number;
  lastRotationAt: number;
  version: number;
}

type Mode = 'get' | 'if_needed' | 'force' | 'rejected';

interface Obtained {
  accessToken: string;
  refreshed: boolean;
  record: ConnectionRecord;
}

type SpendOutcome =
  { kind: 'rotated'; obtained: Obtained } | { kind: 'sibling' } | { kind: 'dead'; reason: string } | { kind: 'stepped_back'; obtained: Obtained };

interface CachedToken {
  accessToken: string;
  answer: Promise<string>;
  /**
   * The first instant isFresh() would say no (refresh-ahead or keep-alive due), worked out once when
   * the token is cached, so the warm path reads the clock once and compares one number.
   */
  freshUntil: number;
}

const MAX_ROUNDS = 6;
const INVALID_GRANT_REASON = 'Xero rejected its refresh token (invalid_grant): access was revoked, the token was used elsewhere, or it was unused for 60 days.';

/**
 * Owns Xero token chains: every refresh is serialized (single flight in-process, a lease across
 * processes), written ahead to the ledger, fenced by a version check, retried inside Xero's grace
 * window when its answer is lost, and never repeated against a refresh token known to be dead.
 * See docs/design/engine.md for the invariants this class keeps.
 */
export class TokenEngine {
  readonly policy: EnginePolicy;
  readonly ledger: Ledger;
  private readonly identity: XeroIdentityClient;
  private readonly clock: Clock;
  private readonly owner: string;
  private readonly onEvent?: EngineEventHandler;
  private readonly defaultClient?: ClientCredentials;
  private readonly clients = new Map<string, ClientCredentials>();
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<Obtained>>();
  private readonly unsaved = new Map<string, SpooledSet>();
  private readonly spool?: TokenSpool;
  private readonly verifier: IdTokenVerifier;
  private readonly rejections = new Map<string, Promise<void>>();
  private readonly lastRejectionRefresh = new Map<string, number>();
  /** The Xero endpoints this engine refreshes at and hands tokens out for (its identity client's). */
  private readonly endpoints: ChainEndpoints;

  constructor(options: TokenEngineOptions) {
    if (!options?.ledger) throw new Error('TokenEngine needs a ledger (FileLedger, MemoryLedger, or a Postgres/Redis ledger)');
    this.ledger = options.ledger;
    this.clock = options.clock ?? systemClock;
    this.identity = options.identity ?? new XeroIdentityClient({ clock: this.clock });
    this.policy = resolvePolicy(options.policy);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.onEvent = options.onEvent;
    this.defaultClient = options.client;
    this.spool = options.spool ?? options.ledger.spool;
    this.verifier = new IdTokenVerifier(options.xeroTrust ?? XERO_TRUST);
    this.endpoints = { tokenUrl: this.identity.endpoints.tokenUrl, apiUrl: this.identity.endpoints.apiUrl };
  }

  /** The client id/secret to refresh `key` with; a changed secret takes effect on the next refresh. */
  setClient(key: string, client: ClientCredentials): void {
    this.clients.set(key, client);
  }

  /** Invariant 10: answers from memory, with no I/O, while the cached token is outside the refresh-ahead window. */
  getAccessToken(key: string): Promise<string> {
    const cached = this.cache.get(key);
    // The same settled promise every time: no allocation on the warm path.
    if (cached && this.clock.now() < cached.freshUntil) return cached.answer;
    return this.singleFlight(key, 'get').then((obtained) => obtained.accessToken);
  }

  /** `force` rotates now; otherwise only inside the refresh-ahead window or past the keep-alive age. */
  async refresh(key: string, options: { force?: boolean } = {}): Promise<RefreshResult> {
    const obtained = await this.singleFlight(key, options.force ? 'force' : 'if_needed');
    return {
      refreshed: obtained.refreshed,
      accessTokenExpiresAt: obtained.record.tokenSet.expiresAt,
      lastRotationAt: obtained.record.lastRotationAt,
      version: obtained.record.version,
    };
  }

  /**
   * The host says Xero answered 401 to `accessToken` (Invariant 15). If the ledger still holds that
   * token, the connection is refreshed once: single flight in this process, under the lease across
   * processes (a process that finds the ledger already moved on just drops its cache), and at most
   * once per `rejectionRefreshIntervalMs` per connection and process, so a caller that reports every
   * 401 of a broken integration cannot cause a refresh storm. Rejects only with the refresh's own
   * error (for example NEEDS_REAUTH after a revocation).
   */
  reportRejected(key: string, accessToken: string): Promise<void> {
    if (this.cache.get(key)?.accessToken === accessToken) this.cache.delete(key);
    // One flight per refused token: a report of a different token is judged on its own.
    const flight = `${key}\u0000${fingerprint(accessToken)}`;
    const running = this.rejections.get(flight);
    if (running) return running;
    const promise = this.handleRejection(key, accessToken).finally(() => {
      if (this.rejections.get(flight) === promise) this.rejections.delete(flight);
    });
    this.rejections.set(flight, promise);
    return promise;
  }

  private async handleRejection(key: string, accessToken: string): Promise<void> {
    // A rotation already under way here decides first; its result may replace the refused token.
    await this.inflight.get(key)?.catch(() => undefined);
    const record = await this.ledger.read(key);
    if (!record) return;
    if (record.tokenSet.accessToken !== accessToken) {
      if (this.cache.get(key)?.accessToken === accessToken) this.cache.delete(key);
      return;
    }
    const last = this.lastRejectionRefresh.get(key);
    if (last !== undefined && this.clock.now() - last < this.policy.rejectionRefreshIntervalMs) {
      await this.emit({ type: 'rejection_rate_limited', key });
      return;
    }
    this.lastRejectionRefresh.set(key, this.clock.now());
    await this.emit({ type: 'access_token_rejected', key, accessTokenFp: fingerprint(accessToken) });
    try {
      await this.singleFlight(key, 'rejected', accessToken);
    } catch (error) {
      // Another process holds the lease: it is refreshing, and its result replaces the refused token.
      if (!(error instanceof ConnectionBusyError)) throw error;
      this.cache.delete(key);
    }
  }

  /**
   * Stores a freshly connected grant as the start of a chain. With `ifAbsent` an existing chain is
   * left alone (hosts call this on every request with the token set from connect time).
   *
   * With `supersedeSameUser`, older chains of the same Xero user and app are marked superseded, but
   * only when the evidence proves Xero issued this grant to that user (Invariant 13): the grant came
   * from the trusted token endpoint, and its id_token verifies against the trusted key set and
   * names this app and this access token. Anything else leaves every other chain alone.
   */
  async adoptGrant(
    key: string,
    tokenSet: TokenSet,
    options: { ifAbsent?: boolean; grant?: GrantKind; supersedeSameUser?: GrantEvidence; displayName?: string | null } = {},
  ): Promise<ConnectionStatus> {
    validateTokenSet(tokenSet, options.grant ?? 'authorization_code');
    const displayName = options.displayName === undefined ? undefined : cleanDisplayName(options.displayName);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const existing = await this.ledger.read(key);
      if (existing && options.ifAbsent) {
        // Hosts call this on every request: a renamed credential is stored then, best effort, never failing the request.
        if (displayName !== undefined && displayName !== (existing.displayName ?? null) && this.bound(existing)) {
          const renamed = await this.renameUnderLease(key, displayName, 0).catch(() => null);
          if (renamed) return this.statusOf(key, renamed);
        }
        return this.statusOf(key, existing);
      }
      const adopted = newGrantRecord(key, tokenSet, options.grant ?? 'authorization_code', this.clock.now(), existing, this.endpoints);
      const next = displayName === undefined ? adopted : withDisplayName(adopted, displayName, this.clock.now());
      const written = await this.ledger.write(next, existing?.version ?? 0);
      if (written.ok) {
        const stored = { ...next, version: written.version };
        await this.emit({ type: 'ledger_written', key, version: written.version, why: 'adopted' });
        if (!existing || existing.state !== 'active')
          await this.emit({ type: 'state_changed', key, from: existing?.state ?? null, to: 'active', reason: stored.history.at(-1)?.reason ?? 'connected' });
        this.remember(stored, false);
        if (options.supersedeSameUser) await this.supersedeOlderChains(key, tokenSet, options.supersedeSameUser);
        return this.statusOf(key, stored);
      }
    }
    throw new ConnectionBusyError(key, 0, `The ledger entry of the Xero connection "${key}" kept changing while the new grant was stored; connect again.`);
  }

  /**
   * Starts a Custom Connection (client credentials) chain under `key` unless it exists: with the
   * token set the host already holds, else one asked for now with the key's client. There is no
   * refresh token, so nothing of an older chain is needed to go on; a chain the app had under
   * `legacyKey` (written before chains were bound to their secret, Invariant 16) is carried over,
   * with its name, history and notes, only when this client proves the app's secret: a token
   * granted just now by the trusted token endpoint (Xero's own; no host setting reaches it). The
   * old chain is then marked superseded. Otherwise it is not read at all.
   */
  async adoptClientCredentials(
    key: string,
    options: { scopes: string[]; tokenSet?: TokenSet | null; legacyKey?: string; displayName?: string | null },
  ): Promise<ConnectionStatus> {
    const existing = await this.ledger.read(key);
    if (existing) return this.adoptGrant(key, existing.tokenSet, { ifAbsent: true, grant: 'client_credentials', displayName: options.displayName });
    // Only a grant from the trusted endpoint proves the secret; with any other, the old chain is never looked at.
    const provable = options.legacyKey !== undefined && this.endpoints.tokenUrl === this.verifier.trust.tokenUrl;
    const legacy = provable ? await this.ledger.read(options.legacyKey as string).catch(() => null) : null;
    const carry = legacy?.grant === 'client_credentials' && legacy.state !== 'superseded' ? legacy : null;
    let tokenSet = carry ? null : (options.tokenSet ?? null);
    if (!tokenSet) {
      const result = await this.identity.clientCredentials(this.clientFor(key), options.scopes);
      await this.emit({ type: 'token_response', key, ok: result.ok, errorKind: result.ok ? undefined : result.error.kind });
      if (!result.ok) {
        throw new XeroGuardSetupError(
          result.error.kind === 'invalid_scope' ? 'MISCONFIGURED' : 'TOKEN_ERROR',
          `${result.error.message} (Custom Connection token request)`,
        );
      }
      tokenSet = result.tokenSet;
    }
    if (!carry) return this.adoptGrant(key, tokenSet, { ifAbsent: true, grant: 'client_credentials', displayName: options.displayName });
    return this.carryOver(carry, key, tokenSet, options.displayName);
  }

  /** Moves a proven Custom Connection chain to its bound key: the new token set, the old name, history and notes. */
  private async carryOver(legacy: ConnectionRecord, key: string, tokenSet: TokenSet, displayName: string | null | undefined): Promise<ConnectionStatus> {
    const now = this.clock.now();
    const name = displayName === undefined || displayName === null ? (legacy.displayName ?? null) : cleanDisplayName(displayName);
    const fresh = newGrantRecord(key, tokenSet, 'client_credentials', now, null, this.endpoints);
    const moved = withDisplayName(
      {
        ...fresh,
        createdAt: legacy.createdAt,
        history: [
          ...legacy.history,
          ...fresh.history.map((h) => ({
            ...h,
            seq: (legacy.history.at(-1)?.seq ?? 0) + h.seq,
            reason: "carried over: the credential proved the app's secret",
          })),
        ],
      },
      name,
      now,
    );
    const written = await this.ledger.write(moved, 0);
    if (!written.ok) return this.status(key);
    await this.emit({ type: 'ledger_written', key, version: written.version, why: 'adopted' });
    if (hasChainNotes(this.ledger)) {
      const notes = await this.ledger.readNotes(legacy.key).catch(() => ({}));
      if (Object.keys(notes).length > 0) await this.ledger.writeNotes(key, notes).catch(() => undefined);
    }
    await this.markSuperseded(legacy.key, 'carried over to a chain bound to its client secret');
    await this.emit({ type: 'chain_carried_over', key, from: legacy.key });
    const stored = { ...moved, version: written.version };
    this.remember(stored, false);
    return this.statusOf(key, stored);
  }

  /**
   * The token set the ledger holds for `key` now, or null: only for a user who explicitly asked to
   * see the tokens, and never of a chain bound to other endpoints (Invariant 16).
   */
  async currentTokenSet(key: string): Promise<TokenSet | null> {
    const record = await this.ledger.read(key);
    if (!record) return null;
    this.assertBound(record);
    return record.tokenSet;
  }

  /**
   * Stores the name the user gave the connection (n8n credential name, Node-RED config node name)
   * with the chain; null removes it. Taken under the refresh lease, so it never fences a refresh in
   * flight; throws ConnectionBusyError when the lease is not had within the policy's wait.
   */
  async setDisplayName(key: string, name: string | null): Promise<ConnectionStatus> {
    const renamed = await this.renameUnderLease(key, cleanDisplayName(name), this.policy.leaseWaitMs);
    if (!renamed) throw new ConnectionBusyError(key, this.policy.leaseWaitMs);
    return this.statusOf(key, renamed);
  }

  private async renameUnderLease(key: string, displayName: string | null, waitMs: number): Promise<ConnectionRecord | null> {
    const current = await this.readExisting(key);
    this.assertBound(current);
    if ((current.displayName ?? null) === displayName) return current;
    const lease = await this.ledger.acquireLease(key, { owner: this.owner, ttlMs: this.policy.leaseTtlMs, waitMs });
    if (!lease) return null;
    try {
      return await this.update(key, (latest) => withDisplayName(latest, displayName, this.clock.now()), 'renamed');
    } finally {
      await this.ledger.releaseLease(lease).catch(() => undefined);
    }
  }

  /** Invariant 13: the older chains of the user Xero vouches for, through the same app, are superseded. */
  private async supersedeOlderChains(key: string, tokenSet: TokenSet, evidence: GrantEvidence): Promise<void> {
    const clientId = (this.clients.get(key) ?? this.defaultClient)?.clientId;
    const verdict = clientId
      ? await this.verifier.verify(evidence, clientId, tokenSet.accessToken)
      : { ok: false as const, why: 'no client id is configured for it' };
    if (!verdict.ok) {
      await this.emit({ type: 'supersede_refused', key, why: verdict.why });
      return;
    }
    const prefix = `xero:${clientId}:`;
    for (const other of await this.ledger.keys()) {
      if (other === key || !other.startsWith(prefix)) continue;
      const record = await this.ledger.read(other).catch(() => null);
      if (!record || record.state === 'superseded' || record.grant !== 'authorization_code') continue;
      // The older chain's own claim is unverified; at worst a forged older chain is superseded, which harms only its forger.
      if (jwtClaims(record.tokenSet.accessToken).xero_userid === verdict.xeroUserId) await this.markSuperseded(other, `reconnected as ${key}`);
    }
  }

  /** Marks a chain replaced by a newer grant; its tokens are kept but no longer used. */
  async markSuperseded(key: string, reason: string): Promise<void> {
    this.cache.delete(key);
    await this.changeState(key, 'superseded', reason);
  }

  async status(key: string): Promise<ConnectionStatus> {
    const record = await this.ledger.read(key);
    return this.statusOf(key, record);
  }

  private statusOf(key: string, record: ConnectionRecord | null): ConnectionStatus {
    return connectionStatusOf(key, record, this.clock.now(), this.policy);
  }

  /**
   * Keeps idle chains alive: rotates every active connection whose last rotation is older than the
   * keep-alive age, one at a time and paced at `keepAliveCallsPerMinute`, so a sweep of a thousand
   * connections stays inside Xero's rate limits.
   */
  async keepAliveSweep(): Promise<Array<{ key: string; refreshed: boolean; error?: string }>> {
    const results: Array<{ key: string; refreshed: boolean; error?: string }> = [];
    for (const key of await this.ledger.keys()) {
      const record = await this.ledger.read(key).catch(() => null);
      // Only the refresh token's age matters here: an idle connection needs no fresh access token.
      if (!record || record.state !== 'active' || record.grant !== 'authorization_code' || !this.bound(record) || !this.keepAliveDue(record.lastRotationAt))
        continue;
      try {
        const refreshed = (await this.refresh(key)).refreshed;
        results.push({ key, refreshed });
        if (refreshed) await this.clock.sleep(60_000 / this.policy.keepAliveCallsPerMinute);
      } catch (error) {
        results.push({ key, refreshed: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return results;
  }

  private singleFlight(key: string, mode: Mode, rejectedToken?: string): Promise<Obtained> {
    const running = this.inflight.get(key);
    const after = mode === 'force' || mode === 'rejected';
    // A forced refresh must rotate after whatever is in flight, not merely share its result.
    const start = running && after ? running.catch(() => undefined).then(() => this.obtain(key, mode, rejectedToken)) : running;
    if (start && !after) return start;
    const promise = (start ?? this.obtain(key, mode, rejectedToken)).finally(() => {
      if (this.inflight.get(key) === promise) this.inflight.delete(key);
    });
    this.inflight.set(key, promise);
    return promise;
  }

  private async obtain(key: string, mode: Mode, rejectedToken?: string): Promise<Obtained> {
    if (mode === 'get' || mode === 'if_needed') {
      // Most callers in a storm stop here: a sibling process has already stored a fresh token.
      const record = await this.readExisting(key);
      this.assertUsable(record, mode);
      if (this.isFresh(record.tokenSet.expiresAt, record.lastRotationAt)) return this.remember(record, false);
    } else {
      // Invariant 16: a chain of other endpoints does not even get its lease taken from here.
      this.assertBound(await this.readExisting(key));
    }
    const lease = await this.ledger.acquireLease(key, { owner: this.owner, ttlMs: this.policy.leaseTtlMs, waitMs: this.policy.leaseWaitMs });
    if (!lease) {
      // Invariant 6: never refresh without the lease; take what the holder wrote, or report busy.
      await this.emit({ type: 'lease_busy', key });
      const latest = await this.readExisting(key);
      this.assertUsable(latest, 'get');
      if (mode === 'rejected' && latest.tokenSet.accessToken !== rejectedToken) return this.remember(latest, false);
      if (
        mode !== 'rejected' &&
        (this.isFresh(latest.tokenSet.expiresAt, latest.lastRotationAt) || (mode === 'get' && latest.tokenSet.expiresAt > this.clock.now()))
      ) {
        return this.remember(latest, false);
      }
      throw new ConnectionBusyError(key, this.policy.leaseWaitMs);
    }
    await this.emit({ type: 'lease_acquired', key });
    try {
      return await this.rotateUnderLease(key, lease, mode, rejectedToken);
    } finally {
      await this.ledger.releaseLease(lease).catch(() => undefined);
      await this.emit({ type: 'lease_released', key });
    }
  }

  private async rotateUnderLease(key: string, lease: Lease, mode: Mode, rejectedToken?: string): Promise<Obtained> {
    let force = mode === 'force';
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // Re-read under the lease: the previous holder may have rotated while we waited.
      const record = await this.readExisting(key);
      if (mode === 'rejected' && round === 0) {
        // Another process may have rotated while we waited for the lease: then the refused token is already history.
        if (record.tokenSet.accessToken !== rejectedToken) {
          this.assertUsable(record, 'get');
          return this.remember(record, false);
        }
        force = true;
      }
      this.assertUsable(record, force && mode !== 'rejected' ? 'force' : 'get');
      const recovered = await this.recoverUnsaved(record);
      if (recovered) return recovered;
      if (!force && this.isFresh(record.tokenSet.expiresAt, record.lastRotationAt)) return this.remember(record, false);
      if (record.grant === 'client_credentials') return this.clientCredentials(record, lease);
      // Everything that can fail without a token call is checked before the write-ahead intent.
      const client = this.clientFor(key);
      const current = record.tokenSet.refreshToken;
      if (!current) throw await this.giveUp(record, 'its token set has no refresh token (connect with the offline_access scope).');
      // No check of the intent's owner here: holding the lease means its owner's lease is gone, and a
      // paused owner re-checks its lease before it sends (Invariant 11), so the intent is resumed at once.
      const currentFp = fingerprint(current);
      const resumingCandidate = record.pending !== null && record.pending.refreshTokenFp !== currentFp;
      let reason = INVALID_GRANT_REASON;
      // A human's forced retry presents the current token once more, whatever is known about it.
      if (force || (record.rejectedRefreshTokenFp !== currentFp && !resumingCandidate)) {
        if (!force && this.clock.now() > record.lastRotationAt + this.policy.refreshTokenIdleMs + this.policy.graceWindowMs) {
          // Presenting it would only be a dead-token use: Xero expired it after 60 idle days.
          throw await this.giveUp(
            record,
            `its refresh token was last used on ${iso(record.lastRotationAt)}, and Xero expires refresh tokens unused for 60 days.`,
          );
        }
        const outcome = await this.spend(record, record.tokenSet, 'current', lease, client, force);
        if (outcome.kind === 'rotated' || outcome.kind === 'stepped_back') return outcome.obtained;
        if (outcome.kind === 'sibling') {
          force = false;
          continue;
        }
        reason = outcome.reason;
        // Never present it again automatically: later callers go straight to the candidates.
        await this.update(key, (latest) => (latest.tokenSet.refreshToken === current ? { ...latest, rejectedRefreshTokenFp: currentFp } : latest), 'state');
      }
      const viaCandidate = await this.tryCandidates(key, lease, client);
      if (viaCandidate === 'sibling') {
        force = false;
        continue;
      }
      if (viaCandidate) return viaCandidate;
      throw await this.giveUp(await this.readExisting(key), reason);
    }
    throw new ConnectionBusyError(
      key,
      0,
      `The ledger entry of the Xero connection "${key}" kept changing while this process held the refresh lease; retry the request.`,
    );
  }

  /** Invariant 3: a token set another writer produced may still be alive; try those before giving up. */
  private async tryCandidates(key: string, lease: Lease, client: ClientCredentials): Promise<Obtained | 'sibling' | null> {
    for (;;) {
      const record = await this.readExisting(key);
      const now = this.clock.now();
      const currentFp = record.tokenSet.refreshToken ? fingerprint(record.tokenSet.refreshToken) : null;
      const live = record.candidates.filter(
        (c) =>
          c.deadAt === undefined &&
          c.tokenSet.refreshToken !== undefined &&
          fingerprint(c.tokenSet.refreshToken) !== currentFp &&
          c.tokenSet.obtainedAt + this.policy.refreshTokenIdleMs > now,
      );
      // A candidate whose refresh was under way when its caller failed is resumed first, inside its grace window.
      // Invariant 12: newest first. An older candidate is from a branch the chain has since left, so it
      // is the likelier to be dead; each dead one presented is a wasted call and a dead-token use.
      live.sort((a, b) => b.addedAt - a.addedAt);
      const candidate = live.find((c) => fingerprint(c.tokenSet.refreshToken as string) === record.pending?.refreshTokenFp) ?? live[0];
      if (!candidate) return null;
      const outcome = await this.spend(record, candidate.tokenSet, 'candidate', lease, client, false);
      if (outcome.kind === 'rotated' || outcome.kind === 'stepped_back') return outcome.obtained;
      if (outcome.kind === 'sibling') return 'sibling';
      await this.update(key, (latest) => retireCandidate(latest, candidate.tokenSet.refreshToken as string, now, 'rejected by Xero'), 'candidate');
    }
  }

  /**
   * Spends one refresh token: write-ahead intent, token call, retries of an unknown outcome with
   * the same token inside the grace window (invariant 4), and the write of the result (invariant 2).
   */
  private async spend(
    record: ConnectionRecord,
    source: TokenSet,
    sourceKind: 'current' | 'candidate',
    lease: Lease,
    client: ClientCredentials,
    force: boolean,
  ): Promise<SpendOutcome> {
    const key = record.key;
    const refreshToken = source.refreshToken as string;
    const fp = fingerprint(refreshToken);
    const now = this.clock.now();
    const pending = record.pending?.refreshTokenFp === fp ? record.pending : null;
    let current = record;
    let graceStart: number;
    let attemptsAllowed = this.policy.maxAttemptsPerCall;
    // Whether this call wrote the intent it sends under: only then may it take the intent back unsent.
    let ownIntent = false;
    if (pending && now <= this.retryDeadline(pending.startedAt)) {
      graceStart = pending.startedAt;
      if (pending.owner !== this.owner) {
        // Taking over another process's intent is a write, so that owner, if it wakes, cannot withdraw it under us.
        const note = { ...pending, owner: this.owner };
        const taken = await this.ledger.write({ ...record, pending: note, updatedAt: now }, record.version);
        if (!taken.ok) return { kind: 'sibling' };
        await this.emit({ type: 'ledger_written', key, version: taken.version, why: 'intent' });
        current = { ...record, version: taken.version, pending: note };
      }
    } else if (pending && !force) {
      return {
        kind: 'dead',
        reason: `a refresh started at ${iso(pending.startedAt)} never got Xero's answer, and the 30-minute window to retry it has passed. If Xero never received that refresh, a forced refresh (Refresh Token node, mode Force) may still work.`,
      };
    } else {
      // A forced retry past the grace window gets one attempt: its outcome cannot be retried safely.
      if (pending) attemptsAllowed = 1;
      graceStart = now;
      const note = { refreshTokenFp: fp, startedAt: graceStart, owner: this.owner };
      const intent = await this.ledger.write({ ...record, pending: note, updatedAt: graceStart }, record.version);
      if (!intent.ok) return { kind: 'sibling' };
      await this.emit({ type: 'ledger_written', key, version: intent.version, why: 'intent' });
      current = { ...record, version: intent.version, pending: note };
      ownIntent = true;
    }
    for (let attempt = 1; ; attempt++) {
      await this.emit({ type: 'refresh_started', key, refreshTokenFp: fp, attempt, source: sourceKind });
      // Invariant 11: the last await before the send. Everything above (ledger I/O, event handlers, a
      // GC pause) may have outlasted the lease; a holder that lost it never presents the token.
      if (!(await this.holdLease(lease))) {
        const busy = new ConnectionBusyError(
          key,
          0,
          `This process lost the refresh lease of the Xero connection "${key}" before calling Xero (it paused longer than the lease); no refresh token was sent from here. Retry the request.`,
        );
        // Nothing was sent under this intent: left in place, a holder more than 30 minutes later would
        // take it for a lost answer and give the connection up although its refresh token is unspent.
        if (ownIntent && attempt === 1) current = await this.withdrawIntent(current, record.pending);
        return { kind: 'stepped_back', obtained: await this.stepBack(current, busy) };
      }
      const result = await this.identity.refresh(client, refreshToken);
      await this.emit({ type: 'token_response', key, ok: result.ok, errorKind: result.ok ? undefined : result.error.kind });
      if (result.ok) return { kind: 'rotated', obtained: await this.commitOrKeep(current, result.tokenSet, sourceKind, fp) };
      const error = result.error;
      if (error.kind === 'invalid_grant') {
        const latest = await this.readExisting(key);
        if (latest.tokenSet.refreshToken !== current.tokenSet.refreshToken) {
          await this.emit({ type: 'sibling_adopted', key, version: latest.version });
          return { kind: 'sibling' };
        }
        return { kind: 'dead', reason: INVALID_GRANT_REASON };
      }
      if (!error.outcomeUnknown) await this.throwDefinite(current, error);
      const retryUntil = this.retryDeadline(graceStart);
      const pause = Math.min(this.policy.retryMaxMs, this.policy.retryBaseMs * 2 ** (attempt - 1));
      if (attempt >= attemptsAllowed || this.clock.now() + pause > retryUntil) {
        return { kind: 'stepped_back', obtained: await this.stepBack(current, new RefreshOutcomeUnknownError(key, error, retryUntil)) };
      }
      await this.clock.sleep(pause);
    }
  }

  /**
   * Takes back an intent this process wrote and never sent under, if nobody has written since (a
   * holder that took the intent over wrote it again, so this write then fails and changes nothing).
   */
  private async withdrawIntent(current: ConnectionRecord, previous: ConnectionRecord['pending']): Promise<ConnectionRecord> {
    const undone = await this.ledger.write({ ...current, pending: previous, updatedAt: this.clock.now() }, current.version).catch(() => null);
    if (!undone?.ok) return current;
    await this.emit({ type: 'ledger_written', key: current.key, version: undone.version, why: 'intent' });
    return { ...current, version: undone.version, pending: previous };
  }

  private async holdLease(lease: Lease): Promise<boolean> {
    const held = await this.ledger.renewLease(lease, this.policy.leaseTtlMs).catch(() => false);
    if (!held) await this.emit({ type: 'lease_lost', key: lease.key });
    return held;
  }

  /**
   * Before giving up with a retryable error, look once more: a sibling that took over the lease
   * may already have stored a fresh set (then the caller gets it, not an error).
   */
  private async stepBack(current: ConnectionRecord, cause: Error): Promise<Obtained> {
    const latest = await this.readExisting(current.key);
    if (
      latest.state === 'active' &&
      this.bound(latest) &&
      latest.tokenSet.refreshToken !== current.tokenSet.refreshToken &&
      latest.tokenSet.expiresAt > this.clock.now()
    ) {
      await this.emit({ type: 'sibling_adopted', key: latest.key, version: latest.version });
      return this.remember(latest, false);
    }
    throw cause;
  }

  /** Answers that say the refresh token was not used: clear the intent, and record what a human must fix. */
  private async throwDefinite(record: ConnectionRecord, error: TokenError): Promise<never> {
    const key = record.key;
    const clearIntent = (latest: ConnectionRecord) => (latest.pending === null ? latest : { ...latest, pending: null });
    if (error.kind === 'rate_limited') {
      await this.update(key, clearIntent, 'intent');
      throw new TokenEndpointRateLimitedError(key, error.retryAfterSeconds);
    }
    if (error.kind === 'network') {
      await this.update(key, clearIntent, 'intent');
      throw new XeroUnreachableError(key, error);
    }
    await this.update(key, (latest) => withState(clearIntent(latest), 'misconfigured', error.message, this.clock.now()), 'state');
    this.cache.delete(key);
    throw new ConnectionStateError(key, 'misconfigured', error.message);
  }

  /**
   * Stores what Xero gave. If the ledger write itself fails (disk full, database down), the set is
   * spooled durably and sealed (Invariant 14), and also held in memory in case the spool fails too;
   * whichever process next holds the lease stores it before anything else is tried.
   */
  private async commitOrKeep(record: ConnectionRecord, tokenSet: TokenSet, sourceKind: 'current' | 'candidate', sourceFp: string): Promise<Obtained> {
    try {
      return await this.commit(record, tokenSet, sourceKind, sourceFp);
    } catch (error) {
      const entry = { key: record.key, tokenSet, sourceKind, sourceFp, spooledAt: this.clock.now() };
      this.unsaved.set(record.key, { ...entry, id: 'memory' });
      if (this.spool && tokenSet.refreshToken) {
        try {
          await this.spool.put(entry);
          await this.emit({ type: 'token_set_spooled', key: record.key, refreshTokenFp: fingerprint(tokenSet.refreshToken) });
        } catch {
          // The in-memory copy is what is left; the ledger error below says what to fix.
        }
      }
      throw error;
    }
  }

  /** Sets Xero gave whose write failed, from this process's memory and from the spool any process shares. */
  private async recoverUnsaved(record: ConnectionRecord): Promise<Obtained | null> {
    const fromSpool = this.spool ? await this.spool.list(record.key).catch(() => []) : [];
    const memory = this.unsaved.get(record.key);
    const entries = memory && !fromSpool.some((e) => e.tokenSet.refreshToken === memory.tokenSet.refreshToken) ? [...fromSpool, memory] : fromSpool;
    if (entries.length === 0) return null;
    let latest = record;
    let obtained: Obtained | null = null;
    for (const entry of entries) {
      const refreshFp = entry.tokenSet.refreshToken ? fingerprint(entry.tokenSet.refreshToken) : '-';
      if (!obtained && latest.pending?.refreshTokenFp === entry.sourceFp) {
        // The intent it answers is still open: it is the chain's next set.
        obtained = await this.commit(latest, entry.tokenSet, entry.sourceKind, entry.sourceFp);
        latest = obtained.record;
        await this.emit({ type: 'spool_recovered', key: record.key, refreshTokenFp: refreshFp, as: 'current' });
      } else if (
        entry.tokenSet.refreshToken &&
        latest.tokenSet.refreshToken !== entry.tokenSet.refreshToken &&
        !latest.candidates.some((c) => c.tokenSet.refreshToken === entry.tokenSet.refreshToken)
      ) {
        // The chain moved on meanwhile: keep the set as a candidate rather than forget it.
        latest = await this.update(
          record.key,
          (l) => withCandidate(l, { tokenSet: entry.tokenSet, addedAt: this.clock.now(), reason: 'stored after a failed ledger write' }),
          'candidate',
        );
        await this.emit({ type: 'spool_recovered', key: record.key, refreshTokenFp: refreshFp, as: 'candidate' });
      }
      if (entry.id === 'memory') this.unsaved.delete(record.key);
      else await this.spool?.remove(record.key, entry.id);
      if (memory?.tokenSet.refreshToken === entry.tokenSet.refreshToken) this.unsaved.delete(record.key);
    }
    return obtained;
  }

  private async commit(record: ConnectionRecord, tokenSet: TokenSet, sourceKind: 'current' | 'candidate', sourceFp: string): Promise<Obtained> {
    const now = this.clock.now();
    const base =
      sourceKind === 'candidate'
        ? retireCandidate(
            withCandidate(record, { tokenSet: record.tokenSet, addedAt: now, reason: 'rejected by Xero', deadAt: now }),
            sourceFp,
            now,
            'spent: rotated into the current token set',
            true,
          )
        : record;
    // Invariant 12: the chain just proved its current token alive, so every candidate from before this rotation is retired.
    const since = record.pending?.startedAt ?? now;
    // A record written before Invariant 16 is bound here, to the endpoints that just rotated it.
    const next = { ...withRotation(retireOutgrownCandidates(base, sourceFp, since, now), tokenSet, now), endpoints: record.endpoints ?? this.endpoints };
    const written = await this.ledger.write(next, record.version);
    if (written.ok) {
      const stored = { ...next, version: written.version };
      await this.emit({ type: 'ledger_written', key: record.key, version: written.version, why: 'rotated' });
      if (record.state !== 'active')
        await this.emit({ type: 'state_changed', key: record.key, from: record.state, to: 'active', reason: 'refreshed after a retry' });
      return this.remember(stored, true);
    }
    // Invariant 7: a newer version exists (our lease ran out mid-call). Keep what Xero gave as a candidate, then use it.
    await this.emit({ type: 'fenced', key: record.key, version: record.version });
    // Under same-pair the fenced answer is the very set a sibling stored: not a second chance, so not a candidate.
    const stored = await this.update(
      record.key,
      (latest) =>
        latest.tokenSet.refreshToken === tokenSet.refreshToken || latest.candidates.some((c) => c.tokenSet.refreshToken === tokenSet.refreshToken)
          ? latest
          : withCandidate(latest, { tokenSet, addedAt: now, reason: 'written after a newer version (lease expired mid-refresh)' }),
      'candidate',
    );
    if (this.isFresh(stored.tokenSet.expiresAt, stored.lastRotationAt)) return this.remember(stored, false);
    return { accessToken: tokenSet.accessToken, refreshed: true, record: stored };
  }

  private async clientCredentials(record: ConnectionRecord, lease: Lease): Promise<Obtained> {
    const client = this.clientFor(record.key);
    for (let attempt = 1; ; attempt++) {
      await this.emit({ type: 'refresh_started', key: record.key, refreshTokenFp: '-', attempt, source: 'client_credentials' });
      if (!(await this.holdLease(lease))) {
        return this.stepBack(
          record,
          new ConnectionBusyError(
            record.key,
            0,
            `This process lost the refresh lease of the Xero connection "${record.key}" before calling Xero; no token was requested from here. Retry the request.`,
          ),
        );
      }
      const result = await this.identity.clientCredentials(client, record.tokenSet.scope);
      await this.emit({ type: 'token_response', key: record.key, ok: result.ok, errorKind: result.ok ? undefined : result.error.kind });
      if (result.ok) return this.commitOrKeep(record, result.tokenSet, 'current', '-');
      if (!result.error.outcomeUnknown) await this.throwDefinite(record, result.error);
      // No refresh token is at stake here, so there is no grace window: just a few retries.
      if (attempt >= this.policy.maxAttemptsPerCall) throw new RefreshOutcomeUnknownError(record.key, result.error, null);
      await this.clock.sleep(Math.min(this.policy.retryMaxMs, this.policy.retryBaseMs * 2 ** (attempt - 1)));
    }
  }

  /** Invariant 5: record needs_reauth once, keep every token, and stop calling Xero for this chain. */
  private async giveUp(record: ConnectionRecord, reason: string): Promise<ConnectionStateError> {
    this.cache.delete(record.key);
    let from: ConnectionState | null = null;
    const stored = await this.update(
      record.key,
      (latest) => {
        from = latest.state;
        // The intent is cleared so that a human's forced retry later is judged afresh, not as a lost answer.
        const settled = latest.pending === null ? latest : { ...latest, pending: null };
        return latest.state === 'needs_reauth' ? settled : withState(settled, 'needs_reauth', reason, this.clock.now());
      },
      'state',
    );
    if (from !== 'needs_reauth') await this.emit({ type: 'state_changed', key: record.key, from, to: 'needs_reauth', reason });
    return new ConnectionStateError(record.key, 'needs_reauth', stored.stateReason ?? reason);
  }

  private async changeState(key: string, to: ConnectionState, reason: string): Promise<void> {
    let from: ConnectionState | null = null;
    await this.update(
      key,
      (latest) => {
        from = latest.state;
        return withState(latest, to, reason, this.clock.now());
      },
      'state',
    );
    if (from !== to) await this.emit({ type: 'state_changed', key, from, to, reason });
  }

  /** Read-modify-write with the version check, re-reading on conflict. */
  private async update(
    key: string,
    change: (latest: ConnectionRecord) => ConnectionRecord,
    why: 'intent' | 'candidate' | 'state' | 'renamed',
  ): Promise<ConnectionRecord> {
    for (let round = 0; round < MAX_ROUNDS * 2; round++) {
      const latest = await this.readExisting(key);
      const next = change(latest);
      if (next === latest) return latest;
      const written = await this.ledger.write(next, latest.version);
      if (written.ok) {
        await this.emit({ type: 'ledger_written', key, version: written.version, why });
        return { ...next, version: written.version };
      }
    }
    throw new ConnectionBusyError(key, 0, `The ledger entry of the Xero connection "${key}" kept changing; retry the request.`);
  }

  private assertUsable(record: ConnectionRecord, mode: Mode): void {
    this.assertBound(record);
    if (record.state === 'active') return;
    // A human may force one more try of a broken chain; a superseded chain is never used again.
    if (mode === 'force' && record.state !== 'superseded') return;
    this.cache.delete(record.key);
    throw new ConnectionStateError(record.key, record.state, record.stateReason ?? record.state);
  }

  /** Invariant 16: a chain granted by other endpoints is neither refreshed here nor handed out for these. */
  private bound(record: ConnectionRecord): boolean {
    return !record.endpoints || sameEndpoints(record.endpoints, this.endpoints);
  }

  private assertBound(record: ConnectionRecord): void {
    if (this.bound(record)) return;
    this.cache.delete(record.key);
    throw new ConnectionEndpointsError(record.key);
  }

  private isFresh(expiresAt: number, lastRotationAt: number): boolean {
    return expiresAt - this.clock.now() > this.policy.refreshAheadMs && !this.keepAliveDue(lastRotationAt);
  }

  private keepAliveDue(lastRotationAt: number): boolean {
    return this.policy.keepAliveAfterMs !== null && this.clock.now() - lastRotationAt >= this.policy.keepAliveAfterMs;
  }

  private retryDeadline(graceStart: number): number {
    return graceStart + this.policy.graceWindowMs - this.policy.graceSafetyMs;
  }

  private remember(record: ConnectionRecord, refreshed: boolean): Obtained {
    if (record.state === 'active') {
      this.cache.set(record.key, {
        accessToken: record.tokenSet.accessToken,
        answer: Promise.resolve(record.tokenSet.accessToken),
        freshUntil: Math.min(
          record.tokenSet.expiresAt - this.policy.refreshAheadMs,
          this.policy.keepAliveAfterMs === null ? Infinity : record.lastRotationAt + this.policy.keepAliveAfterMs,
        ),
      });
    }
    return { accessToken: record.tokenSet.accessToken, refreshed, record };
  }

  private async readExisting(key: string): Promise<ConnectionRecord> {
    const record = await this.ledger.read(key);
    if (!record) throw new ConnectionNotFoundError(key);
    return record;
  }

  private clientFor(key: string): ClientCredentials {
    const client = this.clients.get(key) ?? this.defaultClient;
    if (!client?.clientId || !client.clientSecret) {
      throw new ConnectionStateError(key, 'misconfigured', 'no client id and secret are configured for it.');
    }
    return client;
  }

  /** A failing observer must not turn a refresh into an error, nor strand an intent without its call. */
  private async emit(event: EngineEvent): Promise<void> {
    if (!this.onEvent) return;
    try {
      await this.onEvent(event);
    } catch {
      // Observers are for logs and metrics; the rotation goes on regardless.
    }
  }
}

function validateTokenSet(tokenSet: TokenSet, grant: GrantKind): void {
  if (!tokenSet || typeof tokenSet.accessToken !== 'string' || tokenSet.accessToken === '') {
    throw new Error('adoptGrant needs a token set with an access token');
  }
  if (grant === 'authorization_code' && (typeof tokenSet.refreshToken !== 'string' || tokenSet.refreshToken === '')) {
    throw new Error('adoptGrant needs a refresh token for an authorization-code grant: connect with the offline_access scope');
  }
  if (!Number.isFinite(tokenSet.expiresAt) || !Number.isFinite(tokenSet.obtainedAt)) {
    throw new Error('adoptGrant needs expiresAt and obtainedAt as epoch milliseconds');
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
