import type { TokenSet } from '../xero/token-set';
import type { TokenSpool } from './spool';

/** Durable connection states; `refreshing` is reported by status() while a refresh is under way, never stored. */
export type ConnectionState = 'active' | 'needs_reauth' | 'misconfigured' | 'superseded';

export type GrantKind = 'authorization_code' | 'client_credentials';

export interface StateChange {
  /** Increases by one per change, per connection: a trigger remembers the last seq it reported. */
  seq: number;
  at: number;
  from: ConnectionState | null;
  to: ConnectionState;
  reason: string;
}

/**
 * Write-ahead note of a refresh token being spent. Written before the token call, cleared by the
 * write of its result: if it is still there, the answer was lost and the grace window runs from `startedAt`.
 */
export interface PendingRefresh {
  refreshTokenFp: string;
  startedAt: number;
  owner: string;
}

/** A token set Xero gave that is not the current one (a writer lost the version race, or a grant was replaced). */
export interface Candidate {
  tokenSet: TokenSet;
  addedAt: number;
  reason: string;
  /** Set when Xero rejected its refresh token; kept, never deleted, for the record. */
  deadAt?: number;
}

export interface ConnectionRecord {
  key: string;
  /** Monotonic per connection; 0 means "not stored yet"; every successful write adds one. */
  version: number;
  grant: GrantKind;
  state: ConnectionState;
  stateReason: string | null;
  tokenSet: TokenSet;
  /** When the refresh token was last rotated or first obtained: the 60-day idle clock starts here. */
  lastRotationAt: number;
  pending: PendingRefresh | null;
  /** Fingerprint of the current refresh token when Xero has rejected it, so it is not presented again. */
  rejectedRefreshTokenFp?: string | null;
  candidates: Candidate[];
  history: StateChange[];
  createdAt: number;
  updatedAt: number;
  /**
   * The name the user gave the connection (n8n credential name, Node-RED config node name), for
   * messages and fleet listings. Absent in records written before it existed.
   */
  displayName?: string | null;
  /**
   * The Xero endpoints the chain was granted by and is used against (Invariant 16): a session with
   * other endpoints never refreshes it or gets its tokens. Absent in records written before it
   * existed; the engine's next rotation stores its own.
   */
  endpoints?: ChainEndpoints;
}

/** Where a chain's tokens come from and go to. */
export interface ChainEndpoints {
  tokenUrl: string;
  apiUrl: string;
}

export interface Lease {
  key: string;
  owner: string;
  /** Unique to this acquisition: release and renew act only on the lease they were given. */
  token: string;
  expiresAt: number;
}

export interface LeaseOptions {
  owner: string;
  ttlMs: number;
  /** How long to wait for a held lease before giving up (0 = try once). */
  waitMs: number;
}

export type WriteResult = { ok: true; version: number } | { ok: false; current: ConnectionRecord | null };

/**
 * The durable store of token chains. Correctness rests on `write` being a compare-and-set on the
 * version (fencing); the lease only keeps processes from doing the same refresh twice.
 */
export interface Ledger {
  /** Human-readable location for messages, e.g. "file ledger at /home/node/.n8n/xero-guard". */
  readonly description: string;
  /**
   * Where a token set goes when its ledger write fails (Invariant 14). The file ledger keeps one
   * in its folder; a PostgreSQL or Redis ledger has one only when given a local `spoolFolder`.
   */
  spool?: TokenSpool;
  read(key: string): Promise<ConnectionRecord | null>;
  /** Stores `record`, durably, as version expectedVersion + 1 if the stored version is still `expectedVersion`. */
  write(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult>;
  /** Resolves null when the lease could not be had within `waitMs`. */
  acquireLease(key: string, options: LeaseOptions): Promise<Lease | null>;
  /** False when the lease was lost (expired and taken by another holder). */
  renewLease(lease: Lease, ttlMs: number): Promise<boolean>;
  releaseLease(lease: Lease): Promise<void>;
  /** The connection keys stored, for keep-alive sweeps and migrations. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Observations about a chain that are not part of it (organisations seen, call budget, last check),
 * kept beside the record: last writer wins per field, no version, no lease, so writing one never
 * fences a refresh. Values are small JSON; never a token.
 */
export interface ChainNotes {
  /** Every field stored for `key` (empty when none). */
  readNotes(key: string): Promise<Record<string, unknown>>;
  /** Sets each given field; fields not given are left as they are. */
  writeNotes(key: string, fields: Record<string, unknown>): Promise<void>;
}

export function hasChainNotes(ledger: unknown): ledger is ChainNotes {
  return !!ledger && typeof (ledger as Partial<ChainNotes>).readNotes === 'function' && typeof (ledger as Partial<ChainNotes>).writeNotes === 'function';
}

export const MAX_HISTORY = 50;
export const MAX_CANDIDATES = 10;
