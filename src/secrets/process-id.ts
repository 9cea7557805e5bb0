import { createHmac, randomBytes } from 'node:crypto';

// Fresh at every start: an id made with it means nothing outside this process.
const PROCESS_KEY = randomBytes(32);

/**
 * A name for a secret that is only good inside this process (to share one engine per encryption
 * key, say). Unlike fingerprint(), which is the same everywhere and fast to compute, it is no
 * help to anyone guessing the secret, even if it ends up in a log or a heap dump.
 */
export function processLocalId(secret: string | Buffer): string {
  return createHmac('sha256', PROCESS_KEY).update(secret).digest('hex').slice(0, 16);
}
