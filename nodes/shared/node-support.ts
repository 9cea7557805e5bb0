import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions, INode, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { adviceFor, type HostWords } from '../../src/host';
import { CREDENTIAL_TYPE, openGuardedSession, type GuardedSession } from './guarded-session';
import { safeErrorMessage } from './safe-error';
import { N8nVersionError } from './version-gate';

type Context = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export interface OpenedSession {
  credentials: ICredentialDataDecryptedObject;
  session: GuardedSession;
}

/** The node's Xero credential and its guarded session (version gate, first-sight adoption). */
export async function openNodeSession(context: Context): Promise<OpenedSession> {
  const credentials = await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE);
  const session = await openGuardedSession(credentials);
  return { credentials, session };
}

/** n8n's words for the host kit's advice table. */
export const N8N_WORDS: HostWords = {
  connectButton: '"Connect my account"',
  holder: 'the credential',
  reconnect: 'Open the Xero credential and click "Connect my account"',
  reconnectShort: 'open the Xero credential and click "Connect my account"',
  ledgerSettings:
    'the "Token Ledger" settings of the Xero credential (or set it to Automatic), or n8n\'s own settings named in the message (N8N_ENCRYPTION_KEY, DB_TYPE, DB_POSTGRESDB_*, QUEUE_BULL_REDIS_*)',
  ledgerSettingsShort: 'the "Token Ledger" settings of the Xero credential',
  sameKey: 'give every n8n process the same N8N_ENCRYPTION_KEY',
  sameKeyShort: 'give every n8n process the same N8N_ENCRYPTION_KEY',
  processes: 'every n8n process',
  retry: 'turn on "Retry On Fail" in the node settings',
  docs: 'docs/n8n.md',
  log: "n8n's log",
};

/** What to do about an error: the description n8n shows under the message. */
export function adviceOf(error: unknown): string {
  if (error instanceof N8nVersionError) return 'Upgrade n8n to 2.20 or newer; Xero Guard refuses older versions so that the Xero token chain is never split.';
  return adviceFor(error, N8N_WORDS).advice;
}

/** A NodeOperationError that says what to do, with no token or secret in it. */
export function toNodeError(node: INode, error: unknown, credentials?: Record<string, unknown>, itemIndex?: number): NodeOperationError {
  if (error instanceof NodeOperationError) return error;
  return new NodeOperationError(node, safeErrorMessage(error, credentials), { itemIndex, description: adviceOf(error) });
}

/** For continueOnFail: the error as an item's json.error, secret-free. */
export function errorJson(error: unknown, credentials?: Record<string, unknown>): { error: string; advice: string } {
  return { error: safeErrorMessage(error, credentials), advice: adviceOf(error) };
}

/** Setup errors that are really the connection's state: a check reports them on its Problem output. */
export function isConnectionStateError(error: unknown): boolean {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return code === 'NOT_CONNECTED' || code === 'MISCONFIGURED';
}
