/**
 * The runtime side of one deployed xero-connection node, as the other nodes use it: its settings,
 * the shared engine of its ledger (opened on first use, given back at close), a health check that
 * never throws, engine events, and redaction against the secrets it holds. The connection key of
 * its token chain is the node's id.
 */
import { CallBudget, checkConnection, probeTenants, type CheckResult, type ProbeTenantsResult, type TenantBudget } from '../../src/check';
import { systemClock, type Clock } from '../../src/clock';
import type { ConnectionStatus, EngineEvent } from '../../src/engine';
import { LedgerError, type XeroGuardSetupError } from '../../src/errors';
import { recordCheck } from '../../src/fleet';
import { adviceFor, checkResultForError, type SharedEngine } from '../../src/host';
import { hasChainNotes } from '../../src/ledger';
import { redactSecrets } from '../../src/secrets';
import { XeroAccountingClient, XeroApiClient, tokenSourceFor } from '../../src/xero';
import { budgetReport, recordingTransport, type BudgetReport } from './call-budget';
import { acquireEngine, releaseEngine } from './engines';
import type { RED } from './red';
import { noConnectionError, readSettings, runtimeOptions, secretsOf, settingsProblem, type ConnectionSettings } from './settings';
import { NODE_RED_WORDS, wrongTenantFix } from './status';

/** A check result, with the short "what to fix" of a setup or ledger problem (not enumerable: msg.payload keeps the core's shape). */
export type HandleCheckResult = CheckResult & {
  readonly fix?: string;
  /** Each organisation's call budget as last seen (day, minute, app minute). */
  budget?: BudgetReport[];
  /** Organisations whose Organisation read was skipped: their day budget is down to the reserve kept for the user's own work. */
  budgetSkipped?: string[];
};

export class ConnectionHandle {
  readonly key: string;
  readonly settings: ConnectionSettings;
  /** A setting to fix before anything can run, or null. */
  readonly problem: XeroGuardSetupError | null;
  /** The secrets this node holds, for redaction. */
  readonly secrets: string[];
  private shared: SharedEngine | null = null;
  private opening: Promise<SharedEngine> | null = null;
  private closed = false;
  private callBudget: CallBudget | null = null;
  private accountingClient: XeroAccountingClient | null = null;
  private readonly clock: Clock;
  /** Housekeeping calls (checks, probes) go through this, so their answers feed the call budget too. */
  private readonly housekeepingApi: XeroApiClient;

  constructor(
    private readonly red: RED,
    readonly id: string,
    readonly name: string | undefined,
    config: Record<string, unknown>,
    credentials: Record<string, unknown> | undefined,
  ) {
    this.key = id;
    this.settings = readSettings(config, credentials);
    this.problem = settingsProblem(this.settings);
    this.secrets = secretsOf(this.settings);
    this.clock = runtimeOptions(red).clock ?? systemClock;
    this.housekeepingApi = new XeroApiClient({ endpoints: this.settings.endpoints, transport: recordingTransport(() => this.callBudget) });
  }

  /** The shared engine for this node's ledger; a failure is reported and retried on the next use. */
  open(): Promise<SharedEngine> {
    if (this.problem) return Promise.reject(this.problem);
    if (this.closed) return Promise.reject(closedError());
    if (this.shared) return Promise.resolve(this.shared);
    this.opening ??= acquireEngine(this.red, this.settings).then(
      (shared) => {
        if (this.closed) {
          void releaseEngine(shared);
          throw closedError();
        }
        shared.engine.setClient(this.key, { clientId: this.settings.clientId, clientSecret: this.settings.clientSecret });
        this.shared = shared;
        this.startBudget(shared);
        void shared.track(this.storeName(shared));
        return shared;
      },
      (error: unknown) => {
        this.opening = null;
        throw error;
      },
    );
    return this.opening;
  }

  /** Every ledger keeps notes; a custom one without them simply has no stored budget. */
  private startBudget(shared: SharedEngine): void {
    if (!hasChainNotes(shared.ledger)) return;
    this.callBudget = new CallBudget({
      notes: shared.ledger,
      key: this.key,
      clock: this.clock,
      policy: runtimeOptions(this.red).budget,
      onError: (error) =>
        this.red.log.warn(
          `[xero-connection ${this.id}] could not store the call budget: ${this.scrub(error instanceof Error ? error.message : String(error))}`,
        ),
    });
    const budget = this.callBudget;
    void shared.track(budget.load()).catch(() => undefined);
  }

  /**
   * The fleet view names a chain by its config node: the node's name goes with the chain, best
   * effort (a rename under a busy lease waits for the next deploy).
   */
  private async storeName(shared: SharedEngine): Promise<void> {
    try {
      const status = await shared.engine.status(this.key);
      const name = (this.name ?? '').trim() || null;
      if (status.state === 'not_connected' || (status.displayName ?? null) === name) return;
      await shared.engine.setDisplayName(this.key, name);
    } catch {
      // A name is a label: the chain works without it.
    }
  }

  /** The call budget of this connection's organisations, or null before the ledger is open. */
  budget(): CallBudget | null {
    return this.callBudget;
  }

  /** The Accounting API client over this connection's chain: tokens through the engine, answers into the call budget. */
  async accounting(): Promise<XeroAccountingClient> {
    const shared = await this.open();
    this.accountingClient ??= new XeroAccountingClient({
      tokens: tokenSourceFor(shared.engine, this.key),
      endpoints: this.settings.endpoints,
      transport: recordingTransport(() => this.callBudget),
      clock: this.clock,
    });
    return this.accountingClient;
  }

  /**
   * One GET Organisation per listed organisation (the watch's per-organisation view), never into
   * an organisation's reserve; answers feed the call budget.
   */
  async probe(tenants: Array<{ tenantId: string; tenantName: string | null }>, only?: (tenantId: string) => boolean): Promise<ProbeTenantsResult> {
    return this.use(async (shared) => {
      const accessToken = await shared.engine.getAccessToken(this.key);
      return probeTenants({ api: this.housekeepingApi, accessToken, tenants, only, budget: this.callBudget ?? undefined });
    });
  }

  /** A rotation now, whatever the token's age: when Xero refuses every organisation, this tells a revoked grant from a 403. */
  async forceRefresh(): Promise<void> {
    await this.use((shared) => shared.engine.refresh(this.key, { force: true }));
  }

  /** Runs `work` against the engine, counted so a close waits for it. */
  async use<T>(work: (shared: SharedEngine) => Promise<T>): Promise<T> {
    const shared = await this.open();
    return shared.track(Promise.resolve().then(() => work(shared)));
  }

  /** The core health check; never throws. A setup or ledger problem comes back in the same shape. */
  async check(tenantId: string): Promise<HandleCheckResult> {
    let shared: SharedEngine;
    try {
      shared = await this.open();
    } catch (error) {
      const result = checkResultForError(error);
      Object.defineProperty(result, 'fix', { value: adviceFor(error, NODE_RED_WORDS, this.secrets).status, enumerable: false });
      return result;
    }
    const budget = this.callBudget;
    // Housekeeping never spends an organisation's last calls of the day: /connections still tells whether the grant lives.
    const skipped = tenantId && budget && !budget.mayUseForHousekeeping(tenantId) ? [tenantId] : [];
    const result: HandleCheckResult = await shared.track(
      checkConnection({
        engine: shared.engine,
        key: this.key,
        api: this.housekeepingApi,
        tenantId: (skipped.length === 0 && tenantId) || undefined,
        clock: this.clock,
      }),
    );
    if (budget) {
      const names = Object.fromEntries(result.tenants.map((t) => [t.tenantId, t.tenantName]));
      Object.assign(result, {
        budget: budgetReport(budget.all(), names, this.clock.now(), budget.policy),
        ...(skipped.length > 0 ? { budgetSkipped: skipped } : {}),
      });
    }
    // What the check learned goes beside the chain for the fleet view; a chain never connected has nothing to note.
    if (hasChainNotes(shared.ledger) && result.problem?.category !== 'not_connected') {
      await shared.track(recordCheck(shared.ledger, this.key, result, this.clock)).catch(() => undefined);
    }
    return result;
  }

  /** Every organisation's budget as last seen. */
  budgets(): TenantBudget[] {
    return this.callBudget?.all() ?? [];
  }

  /** The chain's state from the ledger, with no call to Xero; for the status dots at deploy. */
  chainStatus(): Promise<ConnectionStatus> {
    return this.use((shared) => shared.engine.status(this.key));
  }

  /** Notifies `listener` of engine events for this connection (refreshing...). Returns an unsubscribe. */
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

  /** Text with this node's secrets and anything secret-shaped cut out. */
  scrub(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  /** Gives the engine back; the node is closed for good (a redeploy makes a new one). */
  async close(): Promise<void> {
    this.closed = true;
    const held = this.shared;
    this.shared = null;
    await this.callBudget?.flush().catch(() => undefined);
    if (held) await releaseEngine(held);
  }
}

function closedError(): LedgerError {
  return new LedgerError('The xero-connection node was closed (redeployed or stopping)');
}

/** What the xero-connection node carries for the nodes that use it. */
export interface ConnectionNode {
  xeroGuard?: ConnectionHandle;
}

/** The xero-connection a node points at, or null (none chosen, or deleted). */
export function connectionOf(red: RED, config: Record<string, unknown>): ConnectionHandle | null {
  const id = config.connection;
  const node = typeof id === 'string' && id !== '' ? (red.nodes.getNode(id) as ConnectionNode | null) : null;
  const handle = node?.xeroGuard;
  return handle && typeof handle.check === 'function' ? handle : null;
}

/**
 * One check by a node: through its xero-connection, or, with none, the setup problem in the same
 * shape; with the short "what to fix" of a setting of ours (setup, ledger, a tenant not connected).
 */
export async function checkThrough(conn: ConnectionHandle | null, tenantId: string): Promise<{ result: CheckResult; fix: string | null }> {
  if (!conn) {
    const error = noConnectionError();
    return { result: checkResultForError(error), fix: error.fix ?? null };
  }
  const result = await conn.check(tenantId);
  return { result, fix: wrongTenantFix(result, tenantId) };
}
