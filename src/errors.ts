/**
 * Every error the core throws says what is wrong and what to do, carries a stable `code` for
 * programs, and never carries a token or secret.
 */
export abstract class XeroGuardError extends Error {
  abstract readonly code: string;
  /** True when trying the same operation again later may succeed without a human. */
  abstract readonly retryable: boolean;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class LedgerError extends XeroGuardError {
  readonly code: string = 'LEDGER_ERROR';
  readonly retryable: boolean = false;
}

/** The ledger file or row cannot be read as what we wrote. It is left exactly as found. */
export class LedgerCorruptError extends LedgerError {
  readonly code = 'LEDGER_CORRUPT';
}

/** The ledger was written with another encryption key. Nothing was overwritten. */
export class LedgerKeyError extends LedgerError {
  readonly code = 'LEDGER_WRONG_KEY';
}

/** The ledger cannot be reached or written (directory permissions, database down). */
export class LedgerUnavailableError extends LedgerError {
  readonly code = 'LEDGER_UNAVAILABLE';
  readonly retryable: boolean;

  constructor(message: string, retryable = false) {
    super(message);
    this.retryable = retryable;
  }
}

/**
 * A configuration problem found before anything was sent to Xero (no client id, never connected,
 * a ledger setting): a person must change something, so it is never retryable. `fix` is the same
 * advice cut to a status line ("no client secret: add it in the xero-connection node").
 */
export class XeroGuardSetupError extends XeroGuardError {
  readonly code: string;
  readonly retryable = false;
  readonly fix?: string;

  constructor(code: 'MISCONFIGURED' | 'NOT_CONNECTED' | 'LEDGER_CONFIG' | 'TOKEN_ERROR', message: string, fix?: string) {
    super(message);
    this.code = code;
    if (fix !== undefined) this.fix = fix;
  }
}
