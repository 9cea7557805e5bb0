import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions, INode, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { safeErrorMessage } from './safe-error';
import { CREDENTIAL_TYPE, openConnection, type XeroConnection } from './xero-connection';

type Context = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export interface OpenedConnection {
  credentials: ICredentialDataDecryptedObject;
  connection: XeroConnection;
}

/** The node's Xero credential and its engine connection (version gate, first-sight adoption). */
export async function openNodeConnection(context: Context): Promise<OpenedConnection> {
  const credentials = await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE);
  const connection = await openConnection(credentials);
  return { credentials, connection };
}

/** What to do, per error code: the description n8n shows under the message. */
export function adviceFor(error: unknown): string {
  const code = error && typeof error === 'object' ? (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name : undefined;
  switch (code) {
    case 'N8nVersionError':
      return 'Upgrade n8n to 2.20 or newer; Xero Guard refuses older versions so that the Xero token chain is never split.';
    case 'NOT_CONNECTED':
      return 'Open the Xero credential and click "Connect my account".';
    case 'NEEDS_REAUTH':
      return 'Open the Xero credential and click "Connect my account" to reconnect; nothing will be retried until then.';
    case 'MISCONFIGURED':
      return 'Check the client id, client secret and scopes against the app at developer.xero.com/app/manage, then reconnect the credential.';
    case 'SUPERSEDED':
      return 'This connection was replaced by a newer "Connect my account" of the same Xero user: use the credential that was reconnected.';
    case 'BUSY':
    case 'REFRESH_OUTCOME_UNKNOWN':
    case 'RATE_LIMITED':
      return 'Nothing is broken: retry in a minute (turn on "Retry On Fail" in the node settings to do it automatically).';
    case 'LEDGER_CONFIG':
      return 'Fix the "Token Ledger" settings of the Xero credential (or set it to Automatic), or n8n\'s own settings named in the message (N8N_ENCRYPTION_KEY, DB_TYPE, DB_POSTGRESDB_*, QUEUE_BULL_REDIS_*).';
    case 'LEDGER_UNAVAILABLE':
      return 'Make sure the ledger (folder or database) is reachable and writable by every n8n process, then retry.';
    case 'LEDGER_WRONG_KEY':
      return 'The ledger was written with another n8n encryption key: give every n8n process the same N8N_ENCRYPTION_KEY.';
    default:
      return 'See the message above; if it names Xero, check status.xero.com. The Xero Guard docs (docs/n8n.md) list every message.';
  }
}

/** A NodeOperationError that says what to do, with no token or secret in it. */
export function toNodeError(node: INode, error: unknown, credentials?: Record<string, unknown>, itemIndex?: number): NodeOperationError {
  if (error instanceof NodeOperationError) return error;
  return new NodeOperationError(node, safeErrorMessage(error, credentials), { itemIndex, description: adviceFor(error) });
}

/** For continueOnFail: the error as an item's json.error, secret-free. */
export function errorJson(error: unknown, credentials?: Record<string, unknown>): { error: string; advice: string } {
  return { error: safeErrorMessage(error, credentials), advice: adviceFor(error) };
}

/** Setup errors that are really the connection's state: a check reports them on its Problem output. */
export function isConnectionStateError(error: unknown): boolean {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return code === 'NOT_CONNECTED' || code === 'MISCONFIGURED';
}
