import { LedgerCorruptError, LedgerKeyError } from '../errors';
import { fingerprint } from '../secrets/fingerprint';
import { SealError, type KeyDerivation, type Sealer, type SealingKey } from '../secrets/sealer';
import { canonicalJson } from './canonical-json';
import type { TokenSet } from '../xero/token-set';
import type { Candidate, ConnectionRecord } from './types';

export const DOCUMENT_FORMAT = 'xero-guard-ledger';
/** 1: Xero Guard 0.1.0 (HKDF only; only the tokens authenticated). 2: the clear fields are authenticated too; `kdf` says how the key was derived. */
export const DOCUMENT_FORMAT_VERSION = 2;
const AAD_PREFIX = 'xero-guard-ledger/2\n';

/**
 * A connection record as stored by every backend: metadata in clear (so an operator can see state,
 * expiry and history), every token inside one AES-256-GCM sealed field. The sealed field's
 * associated data is the whole clear document (canonical JSON), with the connection key and
 * version the reader asked for, so editing any clear field, or moving a sealed field to another
 * connection or version, makes the document fail its integrity check.
 */
export interface StoredDocument {
  format: typeof DOCUMENT_FORMAT;
  formatVersion: number;
  /** Absent in format 1 (always HKDF then). */
  kdf?: KeyDerivation;
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
  /** Optional (issue 24): the endpoints the chain is bound to; older documents lack it. */
  endpoints?: ConnectionRecord['endpoints'];
  sealed: string;
}

/** Where a document was read from, as the backend knows it (file name, row, hash), and what to tell the user. */
export interface DocumentPlace {
  /** The connection key asked for. */
  key: string;
  /** The version the backend holds it as (file name, version column or field). */
  version: number;
  /** Names the file or row in every error so the user knows what to restore or delete. */
  where: string;
  restoreHint: string;
}

interface SealedTokens {
  current: TokenSet;
  candidates: TokenSet[];
}

/** The associated data of a format-2 document: everything stored in clear, placed where the reader asked. */
function associatedData(clear: object, place: { key: string; version: number }): string {
  return AAD_PREFIX + canonicalJson({ ...clear, key: place.key, version: place.version });
}

export async function encodeRecord(record: ConnectionRecord, sealer: Sealer): Promise<StoredDocument> {
  const sealingKey = await sealer.sealingKey();
  const sealedTokens: SealedTokens = { current: record.tokenSet, candidates: record.candidates.map((c) => c.tokenSet) };
  const clear: Omit<StoredDocument, 'sealed'> = {
    format: DOCUMENT_FORMAT,
    formatVersion: DOCUMENT_FORMAT_VERSION,
    kdf: sealingKey.derivation,
    keyId: sealingKey.keyId,
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
    ...(record.endpoints ? { endpoints: { tokenUrl: record.endpoints.tokenUrl, apiUrl: record.endpoints.apiUrl } } : {}),
  };
  // Authenticate exactly what a reader will parse back (undefined fields dropped), whatever store keeps it.
  const stored = JSON.parse(JSON.stringify(clear)) as Omit<StoredDocument, 'sealed'>;
  return { ...stored, sealed: sealingKey.seal(JSON.stringify(sealedTokens), associatedData(stored, record)) };
}

/**
 * Throws LedgerKeyError / LedgerCorruptError and never repairs anything. Documents of format 1
 * (0.1.0) are read as they were written (only the tokens and the connection key authenticated)
 * and come back in format 2 on their next write.
 */
export async function decodeRecord(raw: unknown, sealer: Sealer, place: DocumentPlace): Promise<ConnectionRecord> {
  const { where, restoreHint } = place;
  if (!raw || typeof raw !== 'object') throw new LedgerCorruptError(`${where} is not a Xero Guard ledger document (kept untouched; ${restoreHint})`);
  const doc = raw as Partial<StoredDocument>;
  if (doc.format !== DOCUMENT_FORMAT || typeof doc.sealed !== 'string' || typeof doc.key !== 'string' || typeof doc.version !== 'number') {
    throw new LedgerCorruptError(`${where} is not a Xero Guard ledger document (kept untouched; ${restoreHint})`);
  }
  const formatVersion = doc.formatVersion ?? 1;
  if (formatVersion > DOCUMENT_FORMAT_VERSION) {
    throw new LedgerCorruptError(
      `${where} was written by a newer Xero Guard (format ${doc.formatVersion}); upgrade n8n-nodes-xero-guard to read it (kept untouched)`,
    );
  }
  if (doc.key !== place.key || doc.version !== place.version) {
    throw new LedgerCorruptError(`${where} does not belong to connection "${place.key}" version ${place.version} (kept untouched; ${restoreHint})`);
  }
  const legacy = formatVersion < 2;
  let sealingKey: SealingKey;
  try {
    sealingKey = legacy ? sealer.legacyKey() : await sealer.keyFor(doc.kdf);
  } catch (error) {
    const why = error instanceof SealError ? error.message : String(error);
    throw new LedgerCorruptError(`${where} cannot be opened: ${why} (kept untouched; ${restoreHint})`);
  }
  if (doc.keyId !== sealingKey.keyId) {
    throw new LedgerKeyError(
      `${where} was written with a different encryption key than the one configured now (nothing was changed). Set the key it was written with (n8n: N8N_ENCRYPTION_KEY; Node-RED: credentialSecret), or ${restoreHint}`,
    );
  }
  let tokens: SealedTokens;
  try {
    const { sealed, ...clear } = doc;
    const plain = legacy ? sealingKey.open(sealed, place.key, 'v1') : sealingKey.open(sealed, associatedData(clear, place));
    tokens = JSON.parse(plain) as SealedTokens;
    sealer.useForSealing(sealingKey);
  } catch (error) {
    const why =
      error instanceof SealError
        ? error.message === 'it failed its integrity check'
          ? `it failed its integrity check: its sealed tokens or its clear fields (version, state, history, candidates...) were changed after Xero Guard wrote it, or it was copied from another connection or version`
          : error.message
        : 'its sealed tokens are not valid JSON';
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
    ...(isEndpoints(doc.endpoints) ? { endpoints: { tokenUrl: doc.endpoints.tokenUrl, apiUrl: doc.endpoints.apiUrl } } : {}),
  };
}

function isEndpoints(value: unknown): value is NonNullable<ConnectionRecord['endpoints']> {
  const v = value as Partial<Record<string, unknown>> | null | undefined;
  return !!v && typeof v === 'object' && typeof v.tokenUrl === 'string' && typeof v.apiUrl === 'string';
}
