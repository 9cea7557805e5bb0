import type { ConnectionState } from '../ledger/types';
import type { TokenErrorKind } from '../xero/token-response';

/**
 * What the engine did, for logs, metrics and fault-injection tests. Carries fingerprints and
 * versions, never tokens. The cold path awaits the handler, so a test can stop a process at an
 * exact point (e.g. after Xero answered, before the ledger write).
 */
export type EngineEvent =
  | { type: 'lease_acquired'; key: string }
  | { type: 'lease_busy'; key: string }
  | { type: 'refresh_started'; key: string; refreshTokenFp: string; attempt: number; source: 'current' | 'candidate' | 'client_credentials' }
  | { type: 'token_response'; key: string; ok: boolean; errorKind?: TokenErrorKind }
  | { type: 'ledger_written'; key: string; version: number; why: 'intent' | 'rotated' | 'candidate' | 'state' | 'adopted' | 'renamed' }
  | { type: 'fenced'; key: string; version: number }
  | { type: 'sibling_adopted'; key: string; version: number }
  | { type: 'state_changed'; key: string; from: ConnectionState | null; to: ConnectionState; reason: string }
  | { type: 'lease_released'; key: string }
  /** Invariant 11: the lease was gone at the check before a token call; nothing was sent. */
  | { type: 'lease_lost'; key: string }
  /** Invariant 14: a set whose ledger write failed was written to the spool; and later stored from it. */
  | { type: 'token_set_spooled'; key: string; refreshTokenFp: string }
  | { type: 'spool_recovered'; key: string; refreshTokenFp: string; as: 'current' | 'candidate' }
  /** Invariant 15: the host reported a 401 for the token the ledger holds; or reported too often. */
  | { type: 'access_token_rejected'; key: string; accessTokenFp: string }
  | { type: 'rejection_rate_limited'; key: string }
  /** Invariant 13: a new grant's evidence did not prove whose it is, so no other chain was touched. */
  | { type: 'supersede_refused'; key: string; why: string }
  /** Invariant 16: a Custom Connection chain under the key of its client id alone moved to the key bound to its secret. */
  | { type: 'chain_carried_over'; key: string; from: string };

export type EngineEventHandler = (event: EngineEvent) => void | Promise<void>;
