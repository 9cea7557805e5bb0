import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { KeyDerivation, Sealer } from '../secrets/sealer';
import { fsyncDirectory, writeTempFile } from './file-kit';
import type { TokenSet } from '../xero/token-set';

/**
 * A token set Xero gave whose ledger write failed (Invariant 14). Until it is in the ledger it is
 * the only copy of the chain's newest refresh token, so it is kept durably and sealed like the ledger.
 */
export interface SpooledSet {
  id: string;
  key: string;
  tokenSet: TokenSet;
  /** Fingerprint of the refresh token that was spent to get it ('-' for client credentials). */
  sourceFp: string;
  sourceKind: 'current' | 'candidate';
  spooledAt: number;
}

export interface TokenSpool {
  /** Human-readable location, for messages. */
  readonly description: string;
  put(entry: Omit<SpooledSet, 'id'>): Promise<void>;
  /** Every set spooled for `key`, oldest first; unreadable entries are skipped and left in place. */
  list(key: string): Promise<SpooledSet[]>;
  remove(key: string, id: string): Promise<void>;
}

interface SpoolDocument {
  format: 'xero-guard-spool';
  key: string;
  id: string;
  spooledAt: number;
  sourceFp: string;
  sourceKind: 'current' | 'candidate';
  /** How the sealing key was derived (as in ledger documents), so any process holding the secret can open it. */
  kdf: KeyDerivation;
  sealed: string;
}

/**
 * One file per spooled set, published whole (temp file, fsync, rename, fsync of the folder), the
 * tokens sealed with the ledger's key and bound to the connection key and entry id. Any process
 * that opens the same folder with the same key recovers it.
 */
export class FileSpool implements TokenSpool {
  readonly description: string;

  constructor(private readonly options: { directory: string; sealer: Sealer }) {
    this.description = `token spool at ${options.directory}`;
  }

  async put(entry: Omit<SpooledSet, 'id'>): Promise<void> {
    const id = randomUUID();
    const sealingKey = await this.options.sealer.sealingKey();
    const document: SpoolDocument = {
      format: 'xero-guard-spool',
      key: entry.key,
      id,
      spooledAt: entry.spooledAt,
      sourceFp: entry.sourceFp,
      sourceKind: entry.sourceKind,
      kdf: sealingKey.derivation,
      sealed: sealingKey.seal(JSON.stringify(entry.tokenSet), aad(entry.key, id)),
    };
    const dir = this.options.directory;
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = await writeTempFile(dir, JSON.stringify(document), { durable: true });
    await fs.rename(tmp, join(dir, fileName(entry.key, id)));
    await fsyncDirectory(dir);
  }

  async list(key: string): Promise<SpooledSet[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.options.directory);
    } catch {
      return [];
    }
    const prefix = `${keyHash(key)}.`;
    const found: SpooledSet[] = [];
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.json')) continue;
      try {
        const doc = JSON.parse(await fs.readFile(join(this.options.directory, name), 'utf8')) as SpoolDocument;
        if (doc.format !== 'xero-guard-spool' || doc.key !== key || name !== fileName(key, doc.id)) continue;
        const sealingKey = await this.options.sealer.keyFor(doc.kdf);
        const tokenSet = JSON.parse(sealingKey.open(doc.sealed, aad(key, doc.id))) as TokenSet;
        found.push({ id: doc.id, key, tokenSet, sourceFp: doc.sourceFp, sourceKind: doc.sourceKind, spooledAt: doc.spooledAt });
      } catch {
        // Kept in place: a damaged or foreign-key entry is evidence, not something to delete.
      }
    }
    return found.sort((a, b) => a.spooledAt - b.spooledAt);
  }

  async remove(key: string, id: string): Promise<void> {
    await fs.unlink(join(this.options.directory, fileName(key, id))).catch(() => undefined);
  }
}

const keyHash = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
const fileName = (key: string, id: string) => `${keyHash(key)}.${id}.json`;
const aad = (key: string, id: string) => `xero-guard-spool:${key}:${id}`;
