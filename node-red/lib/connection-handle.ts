/**
 * The runtime side of one deployed xero-connection node, as the other nodes use it: its settings,
 * the shared engine of its ledger (opened on first use, given back at close), a health check that
 * never throws, engine events, and redaction against the secrets it holds. The connection key of
 * its token chain is the node's id.
 */
import { checkConnection, type CheckResult } from '../../src/check';
import type { ConnectionStatus, EngineEvent } from '../../src/engine';
import { LedgerError, type XeroGuardSetupError } from '../../src/errors';
import { adviceFor, checkResultForError, type SharedEngine } from '../../src/host';
import { redactSecrets } from '../../src/secrets';
import { acquireEngine, releaseEngine } from './engines';
import type { RED } from './red';
import { noConnectionError, readSettings, secretsOf, settingsProblem, type ConnectionSettings } from './settings';
import { NODE_RED_WORDS, wrongTenantFix } from './status';

/** A check result, with the short "what to fix" of a setup or ledger problem (not enumerable: msg.payload keeps the core's shape). */
export type HandleCheckResult = CheckResult & { readonly fix?: string };

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
        return shared;
      },
      (error: unknown) => {
        this.opening = null;
        throw error;
      },
    );
    return this.opening;
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
    return shared.track(checkConnection({ engine: shared.engine, key: this.key, api: shared.api, tenantId: tenantId || undefined }));
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
