/**
 * One connection session: what every node of a host needs of one Xero connection (one n8n
 * credential, one Node-RED xero-connection node), kept once for both hosts. It owns the shared
 * engine of the connection's ledger (from the host's EngineRegistry), the chain key, the call
 * budget in the ledger's notes, the Accounting client and the housekeeping Xero client (every
 * answer of both is recorded in the budget, and a 401 is reported to the engine), the organisation
 * list, the probe, the health check with its note for the fleet view, and the chain's display
 * name. It takes plain options: no n8n or Node-RED object crosses into it. Each host holds one per
 * credential or config node; nothing in a wing records a budget or builds a Xero client itself.
 */
import {
  budgetReport,
  CallBudget,
  checkConnection,
  probeTenants,
  type BudgetPolicy,
  type BudgetReport,
  type CheckResult,
  type ProbeTenantsResult,
  type ConnectionCapReport,
  type TenantBudget,
} from '../check';
import { classifyXeroError } from '../classify';
import { systemClock, type Clock } from '../clock';
import { LedgerError } from '../errors';
import type { ConnectionStatus, EngineEvent, RefreshResult } from '../engine';
import { recordCheck } from '../fleet';
import { cleanDisplayName, hasChainNotes } from '../ledger';
import {
  fetchTransport,
  readRateLimits,
  resolveEndpoints,
  tokenSourceFor,
  XeroAccountingClient,
  XeroApiClient,
  XeroApiError,
  type ClientCredentials,
  type HttpTransport,
  type TokenSet,
  type XeroTenant,
} from '../xero';
import type { EventStore } from '../ledger';
import type { EngineRegistry, EngineSpec, SharedEngine } from './engine-registry';
import { XERO_TIER_DEFAULT, type XeroTier } from '../xero-tiers';
import { ledgerCapReports, noteTier } from '../fleet/app-caps';
import { eventStoreOf } from './event-store';
import { checkResultForError } from './failed-check';

export interface ConnectionSessionOptions {
  /** The host's registry: one engine per ledger, key and Xero endpoints for the whole process. */
  registry: EngineRegistry;
  /** The engine this connection needs; a function is read at the first open (it may read or write a key file), so its failure is that open's. */
  spec: EngineSpec | (() => EngineSpec);
  /** process: the engine is held for the life of the process (n8n has no hook that closes a credential); until_close: given back by close(). */
  lifetime: 'process' | 'until_close';
  /** The chain's connection key. */
  key: string;
  /** The Xero app's client id and secret: every refresh of the chain uses them. */
  client: ClientCredentials;
  clock?: Clock;
  /** The call budget's thresholds (an app tier's day limit, the warning share, the reserve). */
  budgetPolicy?: BudgetPolicy;
  /** A budget that could not be stored: told here (a log line), never failing the call that produced it. */
  onBudgetError?: (error: unknown) => void;
  /** First sight of the chain: adopt what the host's own connect stored (n8n's connect-time token set). Once per engine and key. */
  adopt?: (shared: SharedEngine) => Promise<void>;
  /** The HTTP function under both Xero clients (tests; a host's own). Default: fetch. */
  transport?: HttpTransport;
}

/** One health check through the session, with what a host reports beside it. */
export interface SessionCheck {
  /** The core's check result; a session that could not open reports why in the same shape. */
  result: CheckResult;
  /** Each organisation's call budget as last seen (empty while the session is not open, or its ledger keeps no notes). */
  budget: BudgetReport[];
  /** The organisation asked for, not read: its day budget is down to the reserve kept for the user's own work. */
  skipped: string[];
  /** Why the session could not open (a setting, the ledger), when that is what the result reports. */
  failure?: unknown;
}

export class ConnectionSession {
  readonly key: string;
  private readonly options: ConnectionSessionOptions;
  private readonly clock: Clock;
  private client: ClientCredentials;
  private shared: SharedEngine | null = null;
  private opening: Promise<SharedEngine> | null = null;
  private closed = false;
  private callBudget: CallBudget | null = null;
  private housekeeping: XeroApiClient | null = null;
  private accountingClient: XeroAccountingClient | null = null;
  /** The display name last stored with the chain by this session: a rename costs one ledger write, the steady state none. */
  private storedName: { name: string | null } | null = null;
  /** The tier last noted beside the chain by this session (connection-caps.ts). */
  private notedTier: XeroTier | null = null;

  constructor(options: ConnectionSessionOptions) {
    this.options = options;
    this.key = options.key;
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
  }

  /** The shared engine, opened on first use; a failure is reported to the caller and tried again on the next use. */
  open(): Promise<SharedEngine> {
    if (this.closed) return Promise.reject(closedError());
    if (this.shared) return Promise.resolve(this.shared);
    this.opening ??= this.start().catch((error: unknown) => {
      this.opening = null;
      throw error;
    });
    return this.opening;
  }

  private async start(): Promise<SharedEngine> {
    const { registry, lifetime } = this.options;
    const spec = typeof this.options.spec === 'function' ? this.options.spec() : this.options.spec;
    const shared = lifetime === 'process' ? await registry.hold(spec) : await registry.acquire(spec);
    const giveBack = async () => {
      if (lifetime === 'until_close') await registry.release(shared);
    };
    if (this.closed) {
      await giveBack();
      throw closedError();
    }
    try {
      shared.engine.setClient(this.key, this.client);
      const adopt = this.options.adopt;
      if (adopt) await shared.once(this.key, () => adopt(shared));
    } catch (error) {
      await giveBack();
      throw error;
    }
    const endpoints = resolveEndpoints(spec.endpoints);
    const inner = this.options.transport ?? fetchTransport;
    const recording = recordingTransport(() => this.callBudget, inner);
    this.housekeeping = new XeroApiClient({ endpoints, transport: recording });
    this.accountingClient = new XeroAccountingClient({
      tokens: tokenSourceFor(shared.engine, this.key),
      endpoints,
      transport: recording,
      clock: this.clock,
      // The app's tier names itself in a plan_restricted error (Journals below Advanced).
      tier: this.options.budgetPolicy?.tier ?? null,
    });
    if (hasChainNotes(shared.ledger)) {
      this.callBudget = new CallBudget({
        notes: shared.ledger,
        key: this.key,
        clock: this.clock,
        policy: this.options.budgetPolicy,
        onError: this.options.onBudgetError,
      });
      void shared.track(this.callBudget.load()).catch(() => undefined);
    }
    this.shared = shared;
    return shared;
  }

  /** The app's client id and secret changed (a credential saved again): refreshes use the new ones from now on. */
  setClient(client: ClientCredentials): void {
    this.client = client;
    this.shared?.engine.setClient(this.key, client);
  }

  /** Runs `work` against the engine, counted so that a close waits for it. */
  async use<T>(work: (shared: SharedEngine) => Promise<T>): Promise<T> {
    const shared = await this.open();
    return shared.track(Promise.resolve().then(() => work(shared)));
  }

  /** The ledger in the user's words, for messages ("file ledger at /data/xero-guard"). */
  where(): Promise<string> {
    return this.open().then((shared) => shared.where);
  }

  /** An access token for one request, through the engine (single flight, lease, write-ahead). */
  accessToken(): Promise<string> {
    return this.use((shared) => shared.engine.getAccessToken(this.key));
  }

  /** A rotation if due (`force`: now, whatever the token's age; also one more try of a chain marked as needing reconnection). */
  refresh(options: { force?: boolean } = {}): Promise<RefreshResult> {
    return this.use((shared) => shared.engine.refresh(this.key, { force: options.force === true }));
  }

  /** The chain's state from the ledger, with no call to Xero. */
  status(): Promise<ConnectionStatus> {
    return this.use((shared) => shared.engine.status(this.key));
  }

  /**
   * The scopes Xero granted the chain (its token set's `scope`), from the ledger with no call to Xero;
   * null while the chain is not connected or its token set names none, so a caller cannot tell what is missing.
   */
  grantedScopes(): Promise<string[] | null> {
    return this.use(async (shared) => {
      const status = await shared.engine.status(this.key);
      return status.state === 'not_connected' || status.scopes.length === 0 ? null : status.scopes;
    });
  }

  /** The token set the ledger holds now: only for a user who explicitly asked to see the tokens, never of a chain bound to other endpoints. */
  storedTokens(): Promise<TokenSet | null> {
    return this.use((shared) => shared.engine.currentTokenSet(this.key));
  }

  /** The Accounting API client over this chain: tokens through the engine (a 401 reported to it), every answer into the call budget. */
  async accounting(): Promise<XeroAccountingClient> {
    await this.open();
    return this.accountingClient as XeroAccountingClient;
  }

  /** The Xero events beside this connection's ledger (inbox, consumers, poll claims), shared by every process of the ledger. */
  async eventStore(): Promise<EventStore> {
    const shared = await this.open();
    return eventStoreOf(shared.ledger, shared.where);
  }

  /**
   * The organisations the chain reaches (GET /connections). A 401 is reported to the engine (one
   * refresh if the ledger still holds that token) and the list asked once more; an empty list, as
   * Xero answers for a token still inside its 30 minutes after the grant was revoked, is confirmed
   * with one rotation, so a revoked connection surfaces as the engine's "reconnect" error rather
   * than "no organisation". Any other failure rejects with a classified XeroApiError.
   */
  organisations(): Promise<XeroTenant[]> {
    return this.use(async ({ engine }) => {
      const api = this.housekeeping as XeroApiClient;
      let token = await engine.getAccessToken(this.key);
      let result = await api.getConnections(token);
      if (!result.ok && result.response.status === 401) {
        await engine.reportRejected(this.key, token);
        token = await engine.getAccessToken(this.key);
        result = await api.getConnections(token);
      } else if (result.ok && result.data.length === 0) {
        await engine.refresh(this.key, { force: true });
        result = await api.getConnections(await engine.getAccessToken(this.key));
      }
      if (!result.ok) {
        const { status, headers, body } = result.response;
        const classification = classifyXeroError({ statusCode: status, headers, body, source: 'api' });
        throw new XeroApiError({ classification, method: 'GET', path: '/connections', httpStatus: status });
      }
      return result.data;
    });
  }

  /**
   * One GET Organisation per listed organisation (the watch's per-organisation view), never into an
   * organisation's reserve; the answers feed the call budget, stored before it resolves (the next
   * poll may run in another process).
   */
  probe(tenants: Array<{ tenantId: string; tenantName: string | null }>, only?: (tenantId: string) => boolean): Promise<ProbeTenantsResult> {
    return this.use(async ({ engine }) => {
      const accessToken = await engine.getAccessToken(this.key);
      const budget = this.callBudget ?? undefined;
      const probed = await probeTenants({ api: this.housekeeping as XeroApiClient, accessToken, tenants, only, budget });
      await budget?.flush().catch(() => undefined);
      return probed;
    });
  }

  /**
   * The core health check, with this chain's call budget; never throws. A session that cannot open
   * reports why in the same shape. What the check learned goes beside the chain for the fleet view
   * (`record: false`: a dry run that leaves no note).
   */
  async check(tenantId = '', options: { record?: boolean } = {}): Promise<SessionCheck> {
    let shared: SharedEngine;
    try {
      shared = await this.open();
    } catch (failure) {
      return { result: checkResultForError(failure, { clock: this.clock }), budget: [], skipped: [], failure };
    }
    return shared.track(
      (async () => {
        const budget = this.callBudget;
        // What other processes of the same ledger spent is theirs to tell.
        await budget?.load().catch(() => undefined);
        // Housekeeping never spends an organisation's last calls of the day: /connections still tells whether the grant lives.
        const skipped = tenantId && budget && !budget.mayUseForHousekeeping(tenantId) ? [tenantId] : [];
        const result = await checkConnection({
          engine: shared.engine,
          key: this.key,
          api: this.housekeeping as XeroApiClient,
          tenantId: (skipped.length === 0 && tenantId) || undefined,
          clock: this.clock,
        });
        await budget?.flush().catch(() => undefined);
        if (options.record !== false) await this.recordCheck(result);
        return { result, budget: this.budgetReport(namesOf(result)), skipped };
      })(),
    );
  }

  /** What a check learned, beside the chain for the fleet view; a chain never connected has nothing to note. Never throws. */
  async recordCheck(result: CheckResult): Promise<void> {
    const shared = this.shared;
    if (!shared || !hasChainNotes(shared.ledger) || result.problem?.category === 'not_connected') return;
    await shared.track(recordCheck(shared.ledger, this.key, result, this.clock)).catch(() => undefined);
  }

  /** The app's Xero tier as the host's setting gives it (the call budget's), or Starter when none is set. */
  get tier(): XeroTier {
    return this.options.budgetPolicy?.tier ?? XERO_TIER_DEFAULT;
  }

  /**
   * This chain's app against its tier's connection cap, counted from the ledger alone (every chain of
   * the app, by what its last check saw; `tenantIds`, a check just made, stand for this chain's). The
   * tier is noted beside the chain once per session, so a command reading the ledger counts the app the
   * same way. Null for a ledger without notes (nothing to count from).
   */
  async capReport(tenantIds?: readonly string[]): Promise<ConnectionCapReport | null> {
    return this.use(async (shared) => {
      if (!hasChainNotes(shared.ledger)) return null;
      const clientId = this.client.clientId;
      if (this.notedTier !== this.tier) {
        await noteTier(shared.ledger, this.key, this.tier, this.clock.now()).catch(() => undefined);
        this.notedTier = this.tier;
      }
      const own = { key: this.key, clientId, tier: this.tier, ...(tenantIds ? { tenantIds } : {}) };
      const [report] = await ledgerCapReports(shared.ledger, { own, onlyClientId: clientId });
      return report ?? null;
    });
  }

  /** This chain's call budget per organisation, or null before the session is open (or for a ledger without notes). */
  budget(): CallBudget | null {
    return this.callBudget;
  }

  /** Every organisation's budget as last seen. */
  budgets(): TenantBudget[] {
    return this.callBudget?.all() ?? [];
  }

  /** Every organisation's budget as a check reports it. */
  budgetReport(names: Record<string, string | null> = {}): BudgetReport[] {
    const budget = this.callBudget;
    return budget ? budgetReport(budget.all(), { now: this.clock.now(), policy: budget.policy, names }) : [];
  }

  /**
   * The user's name for the connection, stored with the chain so every listing and alert uses it.
   * Best effort, never throws: a busy lease leaves it to a later call. No name (undefined or blank)
   * never clears one already stored.
   */
  async nameChain(name: string | null | undefined): Promise<void> {
    const wanted = cleanDisplayName(name);
    if (wanted === null || this.storedName?.name === wanted) return;
    try {
      await this.use(async ({ engine }) => {
        const status = await engine.status(this.key);
        if (status.state === 'not_connected') return;
        if ((status.displayName ?? null) !== wanted) await engine.setDisplayName(this.key, wanted);
        this.storedName = { name: wanted };
      });
    } catch {
      // A name is a label: the chain works without it, and the next call tries again.
    }
  }

  /** Engine events of this chain (refreshing...) to `listener`; returns an unsubscribe. */
  onEngineEvent(listener: (event: EngineEvent) => void): () => void {
    let stopped = false;
    let unsubscribe: (() => void) | null = null;
    this.open().then(
      (shared) => {
        if (stopped) return;
        unsubscribe = shared.onEvent((event) => {
          if (event.key === this.key) listener(event);
        });
      },
      () => undefined,
    );
    return () => {
      stopped = true;
      unsubscribe?.();
    };
  }

  /** Stores the budget not yet written and gives the engine back (until_close); the session is closed for good. */
  async close(): Promise<void> {
    this.closed = true;
    const held = this.shared;
    this.shared = null;
    await this.callBudget?.flush().catch(() => undefined);
    if (held && this.options.lifetime === 'until_close') await this.options.registry.release(held);
  }
}

/** A session used after its close: the node that held it was redeployed or is stopping. */
function closedError(): LedgerError {
  return new LedgerError('This Xero connection was closed (its node was redeployed or is stopping)');
}

function namesOf(result: CheckResult): Record<string, string | null> {
  return Object.fromEntries(result.tenants.map((t) => [t.tenantId, t.tenantName]));
}

/** The organisation an answer counts against: the xero-tenant-id its request carried (any case). */
function tenantOf(headers: Record<string, string>): string {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'xero-tenant-id') return value.trim();
  return '';
}

/**
 * A transport that records every answer's remaining calls in the chain's budget, errors and 429s
 * included (those are the answers that matter most). /connections carries no tenant and is not
 * counted against one.
 */
function recordingTransport(budget: () => CallBudget | null, inner: HttpTransport): HttpTransport {
  return async (request) => {
    const response = await inner(request);
    const tenantId = tenantOf(request.headers);
    if (tenantId) budget()?.record(tenantId, readRateLimits(response.headers));
    return response;
  };
}
