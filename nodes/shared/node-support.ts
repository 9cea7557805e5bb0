import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions, INode, IPollFunctions, ITriggerFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { adviceFor, type AlertWords, type ConnectionSession } from '../../src/host';
import { failureOfError } from './failure';
import { CREDENTIAL_TYPE, openGuardedSession } from './guarded-session';
import { safeErrorMessage } from './safe-error';
import { N8nVersionError } from './version-gate';

type Context = IExecuteFunctions | IPollFunctions | ITriggerFunctions | ILoadOptionsFunctions;

export interface OpenedSession {
  credentials: ICredentialDataDecryptedObject;
  session: ConnectionSession;
}

/** The node's Xero credential and its guarded session (version gate, first-sight adoption). */
export async function openNodeSession(context: Context): Promise<OpenedSession> {
  const credentials = await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE);
  const session = await openGuardedSession(credentials, process.env, { displayName: credentialNameOf(context.getNode()) });
  return { credentials, session };
}

/**
 * n8n's words for the host kit's advice and alert tables. The buttons are n8n 2.41's own labels
 * (n8n-editor-ui locale, checked in the shipped bundle): a credential never connected shows
 * "Connect" in its "Connect your account to use this credential" banner; a connected or failing
 * one shows "Switch account" (and "Disconnect"), which runs the sign-in again. "Connect my account"
 * is only a leftover string of the locale, no longer on any button.
 */
export const N8N_WORDS: AlertWords = {
  host: 'n8n',
  connectionNoun: 'Xero credential',
  redirectUrlField: 'the OAuth Redirect URL shown in the credential',
  flow: 'workflow',
  failedRun: 'the failed execution',
  connectButton: '"Connect"',
  holder: 'the credential',
  reconnect: 'Open the Xero credential in n8n and click "Switch account" (or "Connect" if it shows that), then allow access in Xero',
  reconnectShort: 'open the Xero credential and click "Switch account" (or "Connect")',
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

/** The name the user gave the node's Xero credential: what every text calls the connection. */
export function credentialNameOf(node: INode): string | null {
  const name = node.credentials?.[CREDENTIAL_TYPE]?.name;
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : null;
}

/** A NodeOperationError that says what to do, with no token or secret in it, and n8n's failure cause. */
export function toNodeError(node: INode, error: unknown, credentials?: Record<string, unknown>, itemIndex?: number): NodeOperationError {
  if (error instanceof NodeOperationError) return error;
  const failure = failureOfError(error);
  const name = credentialNameOf(node);
  const message = safeErrorMessage(error, credentials);
  return new NodeOperationError(node, name ? message.replace(/^This Xero connection\b/, `The Xero credential "${name}"`) : message, {
    itemIndex,
    description: adviceOf(error),
    ...(failure ? { failure } : {}),
  });
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
