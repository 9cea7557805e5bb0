/**
 * Status dots: Node-RED's way of saying what a node needs. What each error code means comes from
 * the core's advice table; here are only Node-RED's words and the dots for a check result.
 */
import type { CheckResult } from '../../src/check';
import type { Classification } from '../../src/classify';
import { adviceFor, shortStatus, type AlertWords } from '../../src/host';
import type { NodeStatus, RuntimeNode } from './red';

/** Node-RED's words for the core's advice and alert tables. */
export const NODE_RED_WORDS: AlertWords = {
  host: 'Node-RED',
  connectionNoun: 'Xero connection',
  redirectUrlField: 'the redirect address shown in the xero-connection node',
  connectButton: '"Connect to Xero"',
  holder: 'the xero-connection node',
  reconnect: 'Open the xero-connection node in the Node-RED editor and click "Connect to Xero"',
  reconnectShort: 'click Connect to Xero in the xero-connection node',
  ledgerSettings: 'the ledger of the xero-connection node (its folder, PostgreSQL URL or Redis URL)',
  ledgerSettingsShort: 'its folder or URL in the xero-connection node',
  sameKey: 'restore <userDir>/xero-guard.key, or the credentialSecret in settings.js, that sealed it',
  sameKeyShort: 'restore xero-guard.key or credentialSecret',
  processes: 'Node-RED',
  retry: 'a delay node looping back does it',
  docs: 'docs/node-red.md',
  log: 'the Node-RED log',
};

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
  if (fix) return { fill: 'red', shape: 'dot', text: shortStatus(fix) };
  if (result.status === 'degraded') return { fill: 'yellow', shape: 'ring', text: shortStatus(`degraded: ${problem?.summary ?? result.reason}`) };
  if (problem?.action === 'reauthenticate') return { fill: 'red', shape: 'dot', text: shortStatus(`needs reconnect: ${reconnectHint(problem)}`) };
  return { fill: 'red', shape: 'dot', text: shortStatus(`fix: ${problem?.summary ?? result.reason}`) };
}

function reconnectHint(problem: Classification): string {
  if (problem.category === 'tenant_access_denied') return 'organisation not connected; Connect to Xero again and tick it';
  if (problem.category === 'not_connected') return 'never connected; click Connect to Xero in the xero-connection node';
  return NODE_RED_WORDS.reconnectShort;
}

/** A tenant the node names that the grant does not reach: the node's setting to fix. */
export function wrongTenantFix(result: CheckResult, tenantId: string): string | null {
  if (result.status === 'connected') return null;
  if (tenantId && result.tenants.length > 0 && !result.tenants.some((t) => t.tenantId === tenantId)) {
    return 'wrong tenant: it is not connected; pick one from Connect to Xero';
  }
  return null;
}

/** What a node's dots need of its xero-connection. */
export interface StatusSource {
  readonly problem: unknown;
  chainStatus(): Promise<{ state: string; reason?: string | null }>;
}

/**
 * The dot a node shows right after deploy, before any check: red for a setup or ledger problem
 * (what to fix), red for a chain that needs reconnecting, a green ring for a stored, active chain.
 */
export function showInitialStatus(node: RuntimeNode, conn: StatusSource | null): void {
  if (!conn) {
    node.status({ fill: 'red', shape: 'dot', text: 'no xero-connection: pick or add one in this node' });
    return;
  }
  if (conn.problem) {
    node.status(statusForError(conn.problem));
    return;
  }
  conn.chainStatus().then(
    (status) => {
      if (status.state === 'active' || status.state === 'refreshing') node.status({ fill: 'green', shape: 'ring', text: 'ready (not checked yet)' });
      else if (status.state === 'not_connected')
        node.status({ fill: 'red', shape: 'dot', text: 'not connected: click Connect to Xero in the xero-connection node' });
      else if (status.state === 'misconfigured')
        node.status({ fill: 'red', shape: 'dot', text: shortStatus(`fix: ${status.reason || 'client id or secret refused by Xero'}`) });
      else node.status({ fill: 'red', shape: 'dot', text: `needs reconnect: ${NODE_RED_WORDS.reconnectShort}` });
    },
    (error: unknown) => node.status(statusForError(error)),
  );
}
