import { createHmac, hkdfSync, scrypt } from 'node:crypto';
import { processLocalId } from './process-id';
import { SCRYPT, SCRYPT_MAXMEM } from './sealer';

/**
 * Names for things that must be stable across processes and hosts yet say nothing to whoever reads
 * them without the host's key: a chain's id in a fleet listing, a Custom Connection chain's key.
 * Both are made under a key derived from the host's own secret (n8n's encryption key, Node-RED's
 * key file), one sub-key per purpose, so a name made for one purpose is no help for another.
 */

/** 16 bytes of HMAC-SHA256 under a sub-key of `hostKey` for `purpose`, as hex. */
export function keyedId(hostKey: string, purpose: string, text: string, bytes = 16): string {
  const subKey = Buffer.from(hkdfSync('sha256', hostKey, 'xero-guard/keyed-id', purpose, 32));
  return createHmac('sha256', subKey)
    .update(text)
    .digest('hex')
    .slice(0, bytes * 2);
}

const stretched = new Map<string, Promise<string>>();
/**
 * Distinct stretched names one process keeps: one per Custom Connection credential it serves, each
 * of which would cost a scrypt again on its next request if it fell out (about 100 bytes each).
 */
const MAX_STRETCHED = 4096;

/**
 * A name for `secret` that is keyed and slow to guess: scrypt (the ledger's passphrase parameters,
 * 32 MiB) of the secret, salted with keyedId(hostKey, purpose, context). Without the host key no
 * guess can even be checked; with it, each guess costs a full scrypt. 16 bytes, as hex. Made off
 * the event loop and kept per process, so it costs one derivation per secret and context.
 */
export function stretchedKeyedId(secret: string, hostKey: string, purpose: string, context: string): Promise<string> {
  const id = processLocalId(JSON.stringify([secret, hostKey, purpose, context]));
  const cached = stretched.get(id);
  if (cached) return cached;
  const salt = Buffer.from(keyedId(hostKey, purpose, context, 32), 'hex');
  const made = new Promise<string>((resolve, reject) => {
    scrypt(secret, salt, 16, { ...SCRYPT, maxmem: SCRYPT_MAXMEM }, (error, derived) => (error ? reject(error) : resolve(derived.toString('hex'))));
  });
  made.catch(() => stretched.delete(id));
  if (stretched.size >= MAX_STRETCHED) stretched.delete(stretched.keys().next().value as string);
  stretched.set(id, made);
  return made;
}
