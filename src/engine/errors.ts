import { XeroGuardError } from '../errors';
import type { ConnectionState } from '../ledger/types';
import type { TokenError } from '../xero/token-response';

export class ConnectionNotFoundError extends XeroGuardError {
  readonly code = 'NOT_CONNECTED';
  readonly retryable = false;

  constructor(readonly connectionKey: string) {
    // The key stays a property for logs and code; messages reach users, so they name no key and no host's button.
    super('This Xero connection is not stored in the ledger: connect the account first.');
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
        `Another process is refreshing the Xero token for this connection and did not finish within ${Math.round(waitedMs / 1000)} s; no refresh was attempted from here. Retry the request shortly.`,
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
    super(`${cause.message} This Xero connection is not broken; retry when the network is back.`);
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
        ? `${cause.message} This Xero connection is not broken; retry the request shortly.`
        : `${cause.message} This Xero connection is not broken: its refresh token is kept and will be retried until ${new Date(retryUntil).toISOString()} (Xero's 30-minute grace window). Retry the request shortly.`,
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
      `Xero is rate limiting token requests for this connection; retry ${retryAfterSeconds ? `after ${retryAfterSeconds} s` : 'in a minute'}. The connection is not broken.`,
    );
  }
}

/**
 * The chain was granted by other Xero endpoints (token URL, API URL) than the session's (Invariant
 * 16): nothing of it is sent to these, and it is left as it is. Its owner changed the endpoints
 * after connecting, or another credential reached its key.
 */
export class ConnectionEndpointsError extends XeroGuardError {
  readonly code = 'ENDPOINTS_CHANGED';
  readonly retryable = false;

  constructor(readonly connectionKey: string) {
    super(
      'This Xero connection was made with other Xero endpoints (token URL or API URL) than the ones set now, so its tokens are not sent to these and it was left as it is: set the endpoints back, or connect again to make a connection with the new ones.',
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
    super(stateMessage(state, reason));
    this.code = state === 'needs_reauth' ? 'NEEDS_REAUTH' : state === 'misconfigured' ? 'MISCONFIGURED' : 'SUPERSEDED';
  }
}

/** Host-neutral: each host adds its own reconnect step (src/host/alert-texts.ts, the advice table). */
function stateMessage(state: ConnectionState, reason: string): string {
  switch (state) {
    case 'needs_reauth':
      return `This Xero connection needs to be reconnected: ${reason} No further refresh will be tried until then.`;
    case 'misconfigured':
      return `This Xero connection is misconfigured: ${reason} Fix the client id, secret or scopes in the Xero app, then reconnect.`;
    case 'superseded':
      return `This Xero connection was replaced by a newer connection of the same account (${reason}); use the one that was reconnected.`;
    default:
      return `This Xero connection is ${state}: ${reason}`;
  }
}
