/**
 * What the ledger's key derivation costs, each figure against a baseline measured in the same run:
 * - the offline guess rate against a stolen document's key id: 0.1.0's HKDF + HMAC (the baseline)
 *   vs scrypt for a 'passphrase' key (what an attacker has to do per guess now);
 * - the cold path: the first file-ledger operation with a key in a process, passphrase key
 *   (one scrypt) vs random key (HKDF);
 * - every later read: passphrase vs random, to show the scrypt is paid once per key per process.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLedger, type ConnectionRecord } from '../src/ledger';
import { Sealer, type KeyKind } from '../src/secrets';
import { emit, percentiles, ratio, sample } from './measure';

const T0 = Date.UTC(2026, 11, 1);
const record: ConnectionRecord = {
  key: 'bench:org',
  version: 0,
  grant: 'authorization_code',
  state: 'active',
  stateReason: null,
  tokenSet: {
    accessToken: 'a'.repeat(1200),
    refreshToken: 'r'.repeat(64),
    tokenType: 'Bearer',
    scope: ['offline_access'],
    obtainedAt: T0,
    expiresAt: T0 + 1_800_000,
  },
  lastRotationAt: T0,
  pending: null,
  candidates: [],
  history: [{ seq: 1, at: T0, from: null, to: 'active', reason: 'connected' }],
  createdAt: T0,
  updatedAt: T0,
};

export async function run(): Promise<void> {
  // Offline guessing: how many candidate secrets per second one core can check against a key id.
  const legacyGuess = (guess: string) =>
    createHmac('sha256', Buffer.from(hkdfSync('sha256', guess, 'xero-guard/ledger', 'aes-256-gcm v1', 32)))
      .update('key-id')
      .digest('hex')
      .slice(0, 16);
  const salt = randomBytes(16).toString('base64url');
  const scryptGuess = async (guess: string) => (await new Sealer(guess).keyFor({ name: 'scrypt', N: 32768, r: 8, p: 3, salt })).keyId;
  const legacy = percentiles(await sample(20_000, 500, () => legacyGuess(randomBytes(8).toString('hex'))));
  const scrypt = percentiles(await sample(8, 1, () => scryptGuess(randomBytes(8).toString('hex'))));
  emit({
    bench: 'sealing.offline_guesses_per_core',
    unit: 'guesses/s (one core, key id check)',
    hkdf_0_1_0: Math.round(1e9 / legacy.p50),
    scrypt_passphrase: Math.round((1e9 / scrypt.p50) * 100) / 100,
    baseline: '0.1.0 HKDF + HMAC key id',
    ratioP50: ratio(scrypt.p50, legacy.p50),
    note: 'ratio = how many times more work per guess now',
  });

  // Through a real file ledger. Cold: the first operation with a secret in this process (a fresh secret per sample).
  const directory = mkdtempSync(join(tmpdir(), 'xg-bench-seal-'));
  try {
    const figures: Record<string, { cold: number; warm: number }> = {};
    for (const keyKind of ['random', 'passphrase'] as KeyKind[]) {
      let n = 0;
      const cold = percentiles(
        await sample(6, 1, async () => {
          // A secret this process has never seen: the write derives its key, as the first operation after a start does.
          const secret = randomBytes(24).toString('base64url');
          await new FileLedger({ directory: join(directory, `${keyKind}-${n++}`), sealer: new Sealer(secret, { keyKind }) }).write(record, 0);
        }),
      );
      const secret = randomBytes(24).toString('base64url');
      const ledger = new FileLedger({ directory: join(directory, `${keyKind}-warm`), sealer: new Sealer(secret, { keyKind }) });
      await ledger.write(record, 0);
      const warm = percentiles(await sample(300, 20, () => ledger.read(record.key)));
      figures[keyKind] = { cold: cold.p50, warm: warm.p50 };
    }
    emit({
      bench: 'sealing.file_ledger_first_write_in_process',
      unit: 'ms',
      random_hkdf_p50: Math.round(figures.random.cold / 1e4) / 100,
      passphrase_scrypt_p50: Math.round(figures.passphrase.cold / 1e4) / 100,
      baseline: "keyKind 'random' (HKDF)",
      ratioP50: ratio(figures.passphrase.cold, figures.random.cold),
      note: 'the first ledger operation after a start pays one scrypt (per key and salt, per process); a first read costs the same',
    });
    emit({
      bench: 'sealing.file_ledger_read_after_first',
      unit: 'us',
      random_hkdf_p50: Math.round(figures.random.warm / 10) / 100,
      passphrase_scrypt_p50: Math.round(figures.passphrase.warm / 10) / 100,
      baseline: "keyKind 'random' (HKDF)",
      ratioP50: ratio(figures.passphrase.warm, figures.random.warm),
      note: 'later reads reuse the derived key: the ratio should be about 1',
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
