/**
 * The Node-RED adapter of the core's connection session: one per deployed xero-connection node.
 * Node-RED's config and credentials become the session's plain options (the ledger in the userDir,
 * the key file, settings.js's clock, policy and budget thresholds); the connection key of the chain
 * is the node's id. What is Node-RED's own stays here: the settings and what is wrong with them in
 * the node's words, redaction against the secrets it holds, and the check as Node-RED's nodes
 * report it (the short "what to fix" for a status dot). Everything else is the session's.
 */
import type { BudgetReport, CheckResult } from '../../src/check';
import type { ConnectionStatus } from '../../src/engine';
import { shownCapReport, type ShownCapReport } from '../../src/fleet';
import { adviceFor, checkResultForError, classificationInWords, ConnectionSession, scopeReport, scopesChecked, type ScopeReport } from '../../src/host';
import { tierSetting, TIER_SETTING } from '../../src/host/tier-setting';
import { hasChainNotes } from '../../src/ledger';
import { redactSecrets } from '../../src/secrets';
import { engines, engineSpec } from './engines';
import type { RED } from './red';
import { editorUrl, noConnectionError, readSettings, runtimeOptions, secretsOf, settingsProblem, type ConnectionSettings } from './settings';
import { NODE_RED_WORDS, wrongTenantFix } from './status';

/** The note beside the chain holding the editor address of its last "Connect to Xero": the base of reconnect links. */
export const EDITOR_NOTE = 'nodeRedEditor';

/** A check result as a Node-RED check reports it in msg.payload: the core's, with the call budget. */
export type HandleCheckResult = CheckResult & {
  /** Each organisation's call budget as last seen (day, minute, app minute). */
  budget?: BudgetReport[];
  /** Organisations whose Organisation read was skipped: their day budget is down to the reserve kept for the user's own work. */
  budgetSkipped?: string[];
  /** The scopes this node asks for against those Xero granted, with the fix when one is missing. */
  scopes?: ScopeReport & { advice?: string };
  /** The app's connections against its tier's cap, counted from the ledger (the app by its fingerprint, never its client id). */
  connectionCap?: ShownCapReport | null;
};

export class ConnectionHandle {
  readonly key: string;
  readonly settings: ConnectionSettings;
  /** A setting to fix before anything can run, or null. */
  readonly problem: ReturnType<typeof settingsProblem>;
  /** The secrets this node holds, for redaction. */
  readonly secrets: string[];
  /** The connection: engine, budget, Xero clients, check. Opening it fails with `problem` while a setting is wrong. */
  readonly session: ConnectionSession;
  /** The editor address of the chain's last "Connect to Xero", once read from its note (undefined: not read yet). */
  private learnedEditor: string | null | undefined;

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
    const own = runtimeOptions(red);
    const problem = this.problem;
    this.session = new ConnectionSession({
      registry: engines,
      spec: () => {
        if (problem) throw problem;
        return engineSpec(red, this.settings);
      },
      lifetime: 'until_close',
      key: this.key,
      client: { clientId: this.settings.clientId, clientSecret: this.settings.clientSecret },
      clock: own.clock,
      // The node's "Xero App Tier", else settings.js's budget tier, else Starter (tier-setting.ts).
      budgetPolicy: { ...own.budget, tier: tierSetting(config[TIER_SETTING] || own.budget?.tier) },
      onBudgetError: (error) =>
        this.red.log.warn(
          `[xero-connection ${this.id}] could not store the call budget: ${this.scrub(error instanceof Error ? error.message : String(error))}`,
        ),
    });
  }

  /** The user's name for this connection: the node's name, else the name in its settings. */
  get label(): string | null {
    return (this.name ?? '').trim() || this.settings.name || null;
  }

  /** Opens the session at deploy, so a ledger that is down shows now; the fleet view names the chain by this node. */
  async open(): Promise<void> {
    await this.session.open();
    // Best effort: a rename under a busy lease waits for the next deploy.
    void this.session.nameChain(this.name);
  }

  /** One check; never throws. A setup or ledger problem comes back in the same shape, with its short "what to fix". */
  async check(tenantId: string): Promise<{ result: HandleCheckResult; fix: string | null }> {
    const { result, budget, skipped, failure } = await this.session.check(tenantId);
    if (failure !== undefined) return { result: inNodeRedWords(result), fix: this.fixFor(result, tenantId, failure) };
    const connected = result.status === 'connected';
    const granted = connected ? await this.session.grantedScopes().catch(() => null) : null;
    const cap = connected ? await this.session.capReport(result.tenants.map((t) => t.tenantId)).catch(() => null) : null;
    const reported: HandleCheckResult = {
      ...result,
      ...(this.session.budget() ? { budget } : {}),
      ...(skipped.length > 0 ? { budgetSkipped: skipped } : {}),
      ...(connected
        ? { scopes: scopesChecked(scopeReport(this.settings.scopes, granted), NODE_RED_WORDS), connectionCap: cap ? shownCapReport(cap) : null }
        : {}),
    };
    return { result: inNodeRedWords(reported), fix: this.fixFor(reported, tenantId) };
  }

  /**
   * Where a person reconnects this connection: its node in the editor, at settings.js's editorUrl,
   * else at the address the editor was opened at for the chain's last "Connect to Xero" (kept
   * beside the chain, so it outlives a restart), else at Node-RED's own host and port.
   */
  async editorLink(): Promise<string> {
    if (this.learnedEditor === undefined) {
      try {
        const note = await this.session.use(async ({ ledger }) => (hasChainNotes(ledger) ? (await ledger.readNotes(this.key))[EDITOR_NOTE] : undefined));
        this.learnedEditor = typeof note === 'string' && /^https?:\/\//.test(note) ? note : null;
      } catch {
        // The ledger is down: the fallback address, and another try next time.
        return `${editorUrl(this.red)}/#node/${this.id}`;
      }
    }
    return `${editorUrl(this.red, this.learnedEditor)}/#node/${this.id}`;
  }

  /** A "Connect to Xero" finished from the editor at `base`: reconnect links use it from now on. */
  learnEditor(base: string): void {
    this.learnedEditor = base;
  }

  /** The short "what to fix" of a setting of ours for a status dot: the failure that kept the session shut, or a tenant not connected. */
  fixFor(result: CheckResult, tenantId: string, failure?: unknown): string | null {
    return failure !== undefined ? adviceFor(failure, NODE_RED_WORDS, this.secrets).status : wrongTenantFix(result, tenantId);
  }

  /** The chain's state from the ledger, with no call to Xero; for the status dots at deploy. */
  chainStatus(): Promise<ConnectionStatus> {
    return this.session.status();
  }

  /** Text with this node's secrets and anything secret-shaped cut out. */
  scrub(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  /** Gives the engine back; the node is closed for good (a redeploy makes a new one). */
  close(): Promise<void> {
    return this.session.close();
  }
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
    return { result: inNodeRedWords(checkResultForError(error)), fix: error.fix ?? null };
  }
  return conn.check(tenantId);
}

/** A check result whose problem a person reads in Node-RED's words. */
function inNodeRedWords<R extends CheckResult>(result: R): R {
  return result.problem ? { ...result, problem: classificationInWords(result.problem, NODE_RED_WORDS) } : result;
}
