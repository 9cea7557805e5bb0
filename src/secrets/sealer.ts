import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/**
 * AES-256-GCM sealing of token material at rest. The host's secret (n8n's encryption key,
 * Node-RED's credential secret) is stretched with HKDF so any string works as a key, and
 * `keyId` lets a reader tell "written with another key" apart from "damaged".
 */
export class Sealer {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(secret: string | Buffer) {
    if (secret === undefined || secret === null || secret.length === 0) {
      throw new SealError('No encryption key was given for the Xero Guard ledger (n8n: set N8N_ENCRYPTION_KEY; Node-RED: set credentialSecret; or pass encryptionKey)');
    }
    this.key = Buffer.from(hkdfSync('sha256', secret, 'xero-guard/ledger', 'aes-256-gcm v1', 32));
    this.keyId = createHmac('sha256', this.key).update('key-id').digest('hex').slice(0, 16);
  }

  /** `aad` binds the sealed text to its place (the connection key), so it cannot be swapped between connections. */
  seal(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  open(sealed: string, aad: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== FORMAT) throw new SealError('sealed value has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1], 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(parts[2], 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('sealed value failed its integrity check');
    }
  }
}
