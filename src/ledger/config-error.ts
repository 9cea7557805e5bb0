import { LedgerError } from '../errors';

/** A ledger option is missing or wrong. The message names the option and how to fix it; nothing was touched. */
export class LedgerConfigError extends LedgerError {
  readonly code = 'LEDGER_CONFIG';
}
