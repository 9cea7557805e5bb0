import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt } from 'node:crypto';

/**
 * What kind of secret seals the ledger, which decides how it is stretched into an AES key:
 * - 'random': a machine-generated key with at least 128 bits of entropy (n8n's encryption key,
 *   the key file Xero Guard generates for Node-RED). HKDF-SHA256 is enough: guessing is hopeless
 *   whatever the cost per guess.
 * - 'passphrase': anything a person may have typed (Node-RED's `credentialSecret`, a key given in
 *   an option). Stretched with scrypt (memory-hard), with a random salt, so every offline guess
 *   against a stolen ledger costs about as much as one startup of Xero Guard.
 * The default is 'passphrase': a caller that does not say what its secret is gets the derivation
 * that is safe for either kind; it only costs one scrypt per key and salt per process.
 */
export type KeyKind = 'random' | 'passphrase';
export const KEY_KINDS: readonly KeyKind[] = ['random', 'passphrase'];

export interface SealerOptions {
  keyKind?: KeyKind;
}

/** How a document's key was derived from the host's secret; stored in the document, in clear. */
export type KeyDerivation = { name: 'hkdf-sha256' } | { name: 'scrypt'; N: number; r: number; p: number; salt: string };

/**
 * OWASP's scrypt floor for 32 MiB of memory (N=2^15, r=8, p=3). Only parameter sets listed here
 * are accepted from a document: the stored parameters are attacker-writable, and a huge N would
 * make every read burn memory and CPU.
 */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 3 } as const;
export const SCRYPT_MAXMEM = 64 * 1024 * 1024;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Distinct scrypt salts whose keys one process keeps; a ledger normally has one per writer process. */
const MAX_CACHED_SALTS = 64;

/** Sealed-value formats: v1 (Xero Guard 0.1.0: the AAD was the connection key only), v2 (the AAD is the whole clear document). */
export type SealFormat = 'v1' | 'v2';

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/**
 * One derived AES-256-GCM key and the id stored beside what it sealed. The id lets a reader tell
 * "written with another key" apart from "damaged"; it is an HMAC under the derived key, so
 * checking a guessed secret against it costs the full derivation (scrypt for passphrases), no
 * less than trying the guess on the sealed data itself.
 */
export class SealingKey {
  constructor(
    readonly derivation: KeyDerivation,
    readonly keyId: string,
    private readonly key: Buffer,
  ) {}

  /** `aad` binds the sealed text to everything stored in clear beside it (connection key, version, state...). */
  seal(plain: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  /** Refuses anything but a 12-byte IV and a full 16-byte tag: GCM would otherwise verify a truncated tag, down to 4 bytes. */
  open(sealed: string, aad: string, format: SealFormat = 'v2'): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== format) throw new SealError(`its sealed value is not in format ${format}`);
    const iv = Buffer.from(parts[1], 'base64url');
    const tag = Buffer.from(parts[2], 'base64url');
    if (iv.length !== IV_BYTES) throw new SealError(`its sealed value has a ${iv.length}-byte IV where Xero Guard writes ${IV_BYTES} bytes`);
    if (tag.length !== TAG_BYTES)
      throw new SealError(`its sealed value has a ${tag.length}-byte authentication tag where Xero Guard writes ${TAG_BYTES} bytes`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('it failed its integrity check');
    }
  }
}

/** The derived keys of one secret, shared by every Sealer of that secret in this process. */
interface KeyFamily {
  secret: Buffer;
  hkdf?: SealingKey;
  scrypt: Map<string, Promise<SealingKey>>;
  /** The salt new passphrase documents get: the first one this process opened a document with, or made. */
  writeSalt?: string;
}

// Keyed by an HMAC under a per-process random key: the map key says nothing about the secret outside this process.
const FAMILY_KEY = randomBytes(32);
const families = new Map<string, KeyFamily>();

function familyOf(secret: Buffer): KeyFamily {
  const id = createHmac('sha256', FAMILY_KEY).update(secret).digest('base64url');
  let family = families.get(id);
  if (!family) {
    family = { secret: Buffer.from(secret), scrypt: new Map() };
    families.set(id, family);
  }
  return family;
}

/**
 * AES-256-GCM sealing of token material at rest with a key derived from the host's secret
 * (n8n's encryption key, Node-RED's credential secret). Derivations are cached per process: a
 * scrypt runs once per secret and salt, off the event loop, never per read.
 */
export class Sealer {
  readonly keyKind: KeyKind;
  private readonly family: KeyFamily;

  constructor(secret: string | Buffer, options: SealerOptions = {}) {
    if (secret === undefined || secret === null || secret.length === 0) {
      throw new SealError(
        'No encryption key was given for the Xero Guard ledger (n8n: set N8N_ENCRYPTION_KEY; Node-RED: set credentialSecret; or pass encryptionKey)',
      );
    }
    const keyKind = options.keyKind ?? 'passphrase';
    if (!KEY_KINDS.includes(keyKind)) {
      throw new SealError(
        `Option "keyKind" must be "random" (a machine-generated key) or "passphrase" (a secret a person may have typed); got ${JSON.stringify(keyKind)}`,
      );
    }
    this.keyKind = keyKind;
    this.family = familyOf(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  }

  /** The key new documents are sealed with. */
  sealingKey(): Promise<SealingKey> {
    if (this.keyKind === 'random') return Promise.resolve(this.hkdfKey());
    const family = this.family;
    family.writeSalt ??= randomBytes(SALT_BYTES).toString('base64url');
    return this.scryptKey(family.writeSalt);
  }

  /** The key a stored document names. SealError for a derivation this version does not know. */
  keyFor(derivation: unknown): Promise<SealingKey> {
    const d = derivation as Partial<Record<string, unknown>> | null;
    if (d && d.name === 'hkdf-sha256' && Object.keys(d).length === 1) return Promise.resolve(this.hkdfKey());
    if (d && d.name === 'scrypt' && d.N === SCRYPT.N && d.r === SCRYPT.r && d.p === SCRYPT.p && Object.keys(d).length === 5 && typeof d.salt === 'string') {
      const salt = Buffer.from(d.salt, 'base64url');
      if (salt.length === SALT_BYTES && salt.toString('base64url') === d.salt) return this.scryptKey(d.salt);
    }
    return Promise.reject(new SealError(`its key derivation ${JSON.stringify(derivation)} is not one this Xero Guard knows`));
  }

  /**
   * Seal new documents with `key`'s salt from now on, unless this process already chose one: called
   * once a stored document opened with it, so a start derives once, and a salt planted in a
   * document that does not open is never adopted.
   */
  useForSealing(key: SealingKey): void {
    if (this.keyKind === 'passphrase' && key.derivation.name === 'scrypt') this.family.writeSalt ??= key.derivation.salt;
  }

  /** Xero Guard 0.1.0's key: HKDF-SHA256 with a fixed salt, whatever the kind of secret. Read-only use. */
  legacyKey(): SealingKey {
    return this.hkdfKey();
  }

  private hkdfKey(): SealingKey {
    const family = this.family;
    if (!family.hkdf) {
      const key = Buffer.from(hkdfSync('sha256', family.secret, 'xero-guard/ledger', 'aes-256-gcm v1', 32));
      // Same id as 0.1.0, so documents it wrote and documents sealed with n8n's key now say the same.
      const keyId = createHmac('sha256', key).update('key-id').digest('hex').slice(0, 16);
      family.hkdf = new SealingKey({ name: 'hkdf-sha256' }, keyId, key);
    }
    return family.hkdf;
  }

  private scryptKey(salt: string): Promise<SealingKey> {
    const cache = this.family.scrypt;
    const cached = cache.get(salt);
    if (cached) return cached;
    const derived = new Promise<SealingKey>((resolve, reject) => {
      scrypt(this.family.secret, Buffer.from(salt, 'base64url'), 32, { ...SCRYPT, maxmem: SCRYPT_MAXMEM }, (error, master) => {
        if (error) return reject(new SealError(`the ledger key could not be derived: ${error.message}`));
        const key = Buffer.from(hkdfSync('sha256', master, 'xero-guard/ledger', 'aes-256-gcm v2', 32));
        const keyId = createHmac('sha256', master).update('xero-guard/ledger key-id').digest('hex').slice(0, 16);
        resolve(new SealingKey({ name: 'scrypt', ...SCRYPT, salt }, keyId, key));
      });
    });
    derived.catch(() => cache.delete(salt));
    if (cache.size >= MAX_CACHED_SALTS) {
      const oldest = [...cache.keys()].find((s) => s !== this.family.writeSalt);
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(salt, derived);
    return derived;
  }
}
