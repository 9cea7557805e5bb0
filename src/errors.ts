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
