import { XeroGuardError } from '../errors';
import type { ConnectionState } from '../ledger/types';
import type { TokenError } from '../xero/token-response';

export class ConnectionNotFoundError extends XeroGuardError {
  readonly code = 'NOT_CONNECTED';
  readonly retryable = false;

  constructor(readonly connectionKey: string) {
    super(`No Xero connection "${connectionKey}" is stored in the ledger: connect the account first (n8n: "Connect my account" on the credential).`);
  }
}

/** Another holder has the refresh lease and no fresh token appeared in time. Nothing was sent to Xero. */
export class ConnectionBusyError extends XeroGuardError {
  readonly code = 'BUSY';
  readonly retryable = true;

  constructor(
    readonly connectionKey: string,
    waitedMs: number,
    why?: string,
  ) {
    super(
      why ??
        `Another process is refreshing the Xero token for connection "${connectionKey}" and did not finish within ${Math.round(waitedMs / 1000)} s; no refresh was attempted from here. Retry the request shortly.`,
    );
  }
}

/** The token endpoint could not be reached at all, so nothing was spent; the chain is intact. */
export class XeroUnreachableError extends XeroGuardError {
  readonly code = 'XERO_UNREACHABLE';
  readonly retryable = true;

  constructor(
    readonly connectionKey: string,
    cause: TokenError,
  ) {
    super(`${cause.message} The Xero connection "${connectionKey}" is not broken; retry when the network is back.`);
  }
}

/** Xero's answer never arrived or could not be used; the refresh token is kept for a retry inside the grace window. */
export class RefreshOutcomeUnknownError extends XeroGuardError {
  readonly code = 'REFRESH_OUTCOME_UNKNOWN';
  readonly retryable = true;

  /** The kind of failure only: the wire's own words stay out of a property that gets serialised. */
  readonly causeKind: TokenError['kind'];

  constructor(
    readonly connectionKey: string,
    cause: TokenError,
    retryUntil: number | null,
  ) {
    super(
      retryUntil === null
        ? `${cause.message} The Xero connection "${connectionKey}" is not broken; retry the request shortly.`
        : `${cause.message} The Xero connection "${connectionKey}" is not broken: its refresh token is kept and will be retried until ${new Date(retryUntil).toISOString()} (Xero's 30-minute grace window). Retry the request shortly.`,
    );
    this.causeKind = cause.kind;
  }
}

/** Xero is rate limiting the token endpoint; the refresh token was not used. */
export class TokenEndpointRateLimitedError extends XeroGuardError {
  readonly code = 'RATE_LIMITED';
  readonly retryable = true;

  constructor(
    readonly connectionKey: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(
      `Xero is rate limiting token requests for connection "${connectionKey}"; retry ${retryAfterSeconds ? `after ${retryAfterSeconds} s` : 'in a minute'}. The connection is not broken.`,
    );
  }
}

/** The connection is in a state where only a human can make it work again. */
export class ConnectionStateError extends XeroGuardError {
  readonly code: string;
  readonly retryable = false;

  constructor(
    readonly connectionKey: string,
    readonly state: ConnectionState,
    readonly reason: string,
  ) {
    super(stateMessage(connectionKey, state, reason));
    this.code = state === 'needs_reauth' ? 'NEEDS_REAUTH' : state === 'misconfigured' ? 'MISCONFIGURED' : 'SUPERSEDED';
  }
}

function stateMessage(key: string, state: ConnectionState, reason: string): string {
  switch (state) {
    case 'needs_reauth':
      return `The Xero connection "${key}" needs to be reconnected: ${reason} Reconnect it (n8n: open the credential and click "Connect my account"; Node-RED: "Connect to Xero" on the xero-connection node). No further refresh will be tried until then.`;
    case 'misconfigured':
      return `The Xero connection "${key}" is misconfigured: ${reason} Fix the client id, secret or scopes in the Xero app and the credential, then reconnect.`;
    case 'superseded':
      return `The Xero connection "${key}" was replaced by a newer connection of the same account (${reason}); use the reconnected credential.`;
    default:
      return `The Xero connection "${key}" is ${state}: ${reason}`;
  }
}
