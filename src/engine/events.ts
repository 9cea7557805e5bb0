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
  | { type: 'lease_released'; key: string };

export type EngineEventHandler = (event: EngineEvent) => void | Promise<void>;
