import { LedgerCorruptError, LedgerKeyError } from '../errors';
import { fingerprint } from '../secrets/fingerprint';
import { SealError, type Sealer } from '../secrets/sealer';
import type { TokenSet } from '../xero/token-set';
import type { Candidate, ConnectionRecord } from './types';

export const DOCUMENT_FORMAT = 'xero-guard-ledger';
export const DOCUMENT_FORMAT_VERSION = 1;

/**
 * A connection record as stored by every backend: metadata in clear (so an operator can see state,
 * expiry and history), every token inside one AES-256-GCM sealed field bound to the connection key.
 */
export interface StoredDocument {
  format: typeof DOCUMENT_FORMAT;
  formatVersion: number;
  keyId: string;
  key: string;
  version: number;
  grant: ConnectionRecord['grant'];
  state: ConnectionRecord['state'];
  stateReason: string | null;
  lastRotationAt: number;
  pending: ConnectionRecord['pending'];
  rejectedRefreshTokenFp?: string | null;
  history: ConnectionRecord['history'];
  createdAt: number;
  updatedAt: number;
  token: { expiresAt: number; obtainedAt: number; scope: string[]; refreshTokenFp: string | null };
  candidates: Array<Omit<Candidate, 'tokenSet'> & { refreshTokenFp: string | null }>;
  /** Optional (added after format 1 shipped; older documents lack it and read as null). */
  displayName?: string | null;
  sealed: string;
}

interface SealedTokens {
  current: TokenSet;
  candidates: TokenSet[];
}

export function encodeRecord(record: ConnectionRecord, sealer: Sealer): StoredDocument {
  const sealedTokens: SealedTokens = { current: record.tokenSet, candidates: record.candidates.map((c) => c.tokenSet) };
  return {
    format: DOCUMENT_FORMAT,
    formatVersion: DOCUMENT_FORMAT_VERSION,
    keyId: sealer.keyId,
    key: record.key,
    version: record.version,
    grant: record.grant,
    state: record.state,
    stateReason: record.stateReason,
    lastRotationAt: record.lastRotationAt,
    pending: record.pending,
    rejectedRefreshTokenFp: record.rejectedRefreshTokenFp,
    history: record.history,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    token: {
      expiresAt: record.tokenSet.expiresAt,
      obtainedAt: record.tokenSet.obtainedAt,
      scope: record.tokenSet.scope,
      refreshTokenFp: record.tokenSet.refreshToken ? fingerprint(record.tokenSet.refreshToken) : null,
    },
    candidates: record.candidates.map(({ tokenSet, ...meta }) => ({
      ...meta,
      refreshTokenFp: tokenSet.refreshToken ? fingerprint(tokenSet.refreshToken) : null,
    })),
    ...(record.displayName ? { displayName: record.displayName } : {}),
    sealed: sealer.seal(JSON.stringify(sealedTokens), record.key),
  };
}

/**
 * `where` names the file or row in every error so the user knows what to restore or delete.
 * Throws LedgerKeyError / LedgerCorruptError and never repairs anything.
 */
export function decodeRecord(raw: unknown, sealer: Sealer, where: string, restoreHint: string): ConnectionRecord {
  if (!raw || typeof raw !== 'object') throw new LedgerCorruptError(`${where} is not a Xero Guard ledger document (kept untouched; ${restoreHint})`);
  const doc = raw as Partial<StoredDocument>;
  if (doc.format !== DOCUMENT_FORMAT || typeof doc.sealed !== 'string' || typeof doc.key !== 'string' || typeof doc.version !== 'number') {
    throw new LedgerCorruptError(`${where} is not a Xero Guard ledger document (kept untouched; ${restoreHint})`);
  }
  if ((doc.formatVersion ?? 0) > DOCUMENT_FORMAT_VERSION) {
    throw new LedgerCorruptError(`${where} was written by a newer Xero Guard (format ${doc.formatVersion}); upgrade n8n-nodes-xero-guard to read it (kept untouched)`);
  }
  if (doc.keyId !== sealer.keyId) {
    throw new LedgerKeyError(
      `${where} was written with a different encryption key than the one configured now (nothing was changed). Set the key it was written with (n8n: N8N_ENCRYPTION_KEY; Node-RED: credentialSecret), or ${restoreHint}`,
    );
  }
  let tokens: SealedTokens;
  try {
    tokens = JSON.parse(sealer.open(doc.sealed, doc.key)) as SealedTokens;
  } catch (error) {
    const why = error instanceof SealError ? error.message : 'its sealed tokens are not valid JSON';
    throw new LedgerCorruptError(`${where} is damaged: ${why} (kept untouched; ${restoreHint})`);
  }
  const candidateMeta = Array.isArray(doc.candidates) ? doc.candidates : [];
  return {
    key: doc.key,
    version: doc.version,
    grant: doc.grant ?? 'authorization_code',
    state: doc.state ?? 'active',
    stateReason: doc.stateReason ?? null,
    tokenSet: tokens.current,
    lastRotationAt: doc.lastRotationAt ?? tokens.current.obtainedAt,
    pending: doc.pending ?? null,
    rejectedRefreshTokenFp: doc.rejectedRefreshTokenFp ?? null,
    candidates: (tokens.candidates ?? []).map((tokenSet, i) => {
      const { refreshTokenFp: _fp, ...meta } = candidateMeta[i] ?? { addedAt: tokenSet.obtainedAt, reason: 'unknown', refreshTokenFp: null };
      return { ...meta, tokenSet };
    }),
    history: Array.isArray(doc.history) ? doc.history : [],
    createdAt: doc.createdAt ?? 0,
    updatedAt: doc.updatedAt ?? 0,
    ...(typeof doc.displayName === 'string' && doc.displayName !== '' ? { displayName: doc.displayName } : {}),
  };
}
