/**
 * Status dots: Node-RED's way of saying what a node needs. What each error code means comes from
 * the core's advice table; here are only Node-RED's words, the dots for a check result, and the
 * dots of every node of one connection following that connection's state (the engine's events for
 * its chain), so one node's failed refresh turns them all red and a reconnect turns them back.
 */
import type { CheckResult } from '../../src/check';
import type { Classification } from '../../src/classify';
import type { ConnectionStatus, EngineEvent } from '../../src/engine';
import { adviceFor, type AlertWords } from '../../src/host';
import type { NodeStatus, RuntimeNode } from './red';

/** Node-RED's words for the core's advice and alert tables: no n8n word (test/unit/node-red/words.test.ts). */
export const NODE_RED_WORDS: AlertWords = {
  host: 'Node-RED',
  connectionNoun: 'Xero connection',
  redirectUrlField: 'the redirect address shown in the xero-connection node',
  flow: 'flow',
  failedRun: "the failed message's msg.error (or the Node-RED log)",
  connectButton: '"Connect to Xero"',
  holder: 'the xero-connection node',
  reconnect: 'Open the xero-connection node in the Node-RED editor and click "Connect to Xero"',
  reconnectShort: 'click Connect to Xero',
  ledgerSettings: 'the ledger of the xero-connection node (its folder, PostgreSQL URL or Redis URL)',
  ledgerSettingsShort: 'its folder or URL',
  sameKey: 'restore <userDir>/xero-guard.key, or the credentialSecret in settings.js, that sealed it',
  sameKeyShort: 'restore xero-guard.key',
  processes: 'Node-RED',
  retry: 'a delay node looping back does it',
  docs: 'docs/node-red.md',
  log: 'the Node-RED log',
};

/**
 * A status text stays under its node: Node-RED draws it in full, over the nodes beside it. The
 * whole story is in msg.error, the debug sidebar and the log; a dot says what to do in short.
 */
export const STATUS_TEXT_LENGTH = 60;

/** The text cut at a word to STATUS_TEXT_LENGTH, with an ellipsis. */
export function fitText(text: string, length = STATUS_TEXT_LENGTH): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= length) return t;
  const cut = t.slice(0, length - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > length / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, '')}…`;
}

/** Sets a node's status with its text fitted under the node. */
export function setStatus(node: Pick<RuntimeNode, 'status'>, status: NodeStatus): void {
  node.status(status.text === undefined ? status : { ...status, text: fitText(status.text) });
}

/** The status for an engine or setup error. */
export function statusForError(error: unknown, secrets: readonly string[] = []): NodeStatus {
  const advice = adviceFor(error, NODE_RED_WORDS, secrets);
  return { fill: advice.fill, shape: advice.fill === 'yellow' ? 'ring' : 'dot', text: advice.status };
}

/** The status dot for a check result: green connected, yellow degraded, red needs reconnect or fixing. */
export function statusForResult(result: CheckResult, fix: string | null | undefined): NodeStatus {
  if (result.status === 'connected') {
    const n = result.tenants.length;
    return { fill: 'green', shape: 'dot', text: `connected: ${n} organisation${n === 1 ? '' : 's'}` };
  }
  const problem = result.problem;
  // A setting of ours to fix (client id, ledger, tenant) is red even when it may pass (a database restarting).
  if (fix) return { fill: 'red', shape: 'dot', text: fix };
  if (result.status === 'degraded') return { fill: 'yellow', shape: 'ring', text: `degraded: ${problem?.summary ?? result.reason}` };
  if (problem?.action === 'reauthenticate') return { fill: 'red', shape: 'dot', text: `needs reconnect: ${reconnectHint(problem)}` };
  return { fill: 'red', shape: 'dot', text: `fix: ${problem?.summary ?? result.reason}` };
}

function reconnectHint(problem: Classification): string {
  if (problem.category === 'tenant_access_denied') return 'organisation not connected; reconnect and tick it';
  if (problem.category === 'not_connected') return `never connected; ${NODE_RED_WORDS.reconnectShort}`;
  return NODE_RED_WORDS.reconnectShort;
}

/** A tenant the node names that the grant does not reach: the node's setting to fix. */
export function wrongTenantFix(result: CheckResult, tenantId: string): string | null {
  if (result.status === 'connected') return null;
  if (tenantId && result.tenants.length > 0 && !result.tenants.some((t) => t.tenantId === tenantId)) {
    return 'wrong tenant: not connected to it; pick another';
  }
  return null;
}

/** What a node's dots need of its xero-connection. */
export interface StatusSource {
  readonly problem: unknown;
  chainStatus(): Promise<Pick<ConnectionStatus, 'state' | 'reason'>>;
  readonly session: { onEngineEvent(listener: (event: EngineEvent) => void): () => void };
}

/** The dot of a chain that needs a person (never connected, reconnect, app settings refused), or null while it works. */
export function statusForChain(status: Pick<ConnectionStatus, 'state' | 'reason'>): NodeStatus | null {
  if (status.state === 'active' || status.state === 'refreshing') return null;
  if (status.state === 'not_connected') return { fill: 'red', shape: 'dot', text: `not connected: ${NODE_RED_WORDS.reconnectShort}` };
  if (status.state === 'misconfigured') return { fill: 'red', shape: 'dot', text: `fix: ${status.reason || 'client id or secret refused by Xero'}` };
  return { fill: 'red', shape: 'dot', text: `needs reconnect: ${NODE_RED_WORDS.reconnectShort}` };
}

/** The dot right after deploy, from the connection's state, for a node that sets its own dots from then on. */
export function showInitialStatus(node: Pick<RuntimeNode, 'status'>, conn: StatusSource | null): void {
  followConnection(node, conn).close();
}

const READY: NodeStatus = { fill: 'green', shape: 'ring', text: 'ready (not checked yet)' };
/** Engine events after which the chain's state may differ (a refresh ended, a reconnect stored): read it again from the ledger. */
function settles(event: EngineEvent): boolean {
  if (event.type === 'ledger_written') return event.why === 'rotated' || event.why === 'adopted' || event.why === 'state';
  return event.type === 'token_response' || event.type === 'state_changed';
}

/** A node's dots: its own (what it last did) and its connection's, kept apart. */
export interface NodeDots {
  /** The node's own status: shown unless its connection needs a person. */
  show(status: NodeStatus): void;
  /** Stops following the connection (the node's close). */
  close(): void;
}

/**
 * The dots of a node using `conn`: at deploy, the chain's state from the ledger (red for a setup
 * or ledger problem, red for a chain that needs reconnecting, a green ring for a stored, active
 * chain); then every node of the connection follows its chain: "refreshing" while any of them
 * refreshes, red once the chain needs a person (whichever node found out), and back to what the
 * node last did once the chain works again.
 */
export function followConnection(node: Pick<RuntimeNode, 'status'>, conn: StatusSource | null): NodeDots {
  if (!conn) {
    setStatus(node, { fill: 'red', shape: 'dot', text: 'no xero-connection: pick or add one in this node' });
    return { show: (status) => setStatus(node, status), close: () => undefined };
  }
  let own: NodeStatus | null = null;
  let chainProblem = false;
  let reads = 0;
  const showChain = () => {
    const read = ++reads;
    conn.chainStatus().then(
      (status) => {
        if (read !== reads) return;
        const problem = statusForChain(status);
        if (problem) setStatus(node, problem);
        // Back from a problem: the node's own last dot was about that problem.
        else setStatus(node, chainProblem || !own ? READY : own);
        chainProblem = problem !== null;
      },
      (error: unknown) => {
        if (read === reads) setStatus(node, statusForError(error));
      },
    );
  };
  if (conn.problem) setStatus(node, statusForError(conn.problem));
  else showChain();
  const unsubscribe = conn.session.onEngineEvent((event) => {
    if (event.type === 'refresh_started') setStatus(node, { fill: 'yellow', shape: 'ring', text: 'refreshing the access token' });
    else if (settles(event)) showChain();
  });
  return {
    show(status) {
      own = status;
      chainProblem = false;
      reads++;
      setStatus(node, status);
    },
    close: unsubscribe,
  };
}
