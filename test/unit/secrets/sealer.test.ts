import { createHmac, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import { Sealer, SealError, type SealingKey } from '../../../src/secrets';

const secret = () => `typed-secret-${randomBytes(6).toString('hex')}`;

function withPart(sealed: string, index: number, change: (part: Buffer) => Buffer): string {
  const parts = sealed.split('.');
  parts[index] = change(Buffer.from(parts[index], 'base64url')).toString('base64url');
  return parts.join('.');
}

describe('Sealer key kinds', () => {
  it('stretches a secret of unknown kind with scrypt (the default), and a random key with HKDF', async () => {
    const s = secret();
    expect((await new Sealer(s).sealingKey()).derivation).toMatchObject({ name: 'scrypt', N: 32768, r: 8, p: 3 });
    expect((await new Sealer(s, { keyKind: 'passphrase' }).sealingKey()).derivation.name).toBe('scrypt');
    expect((await new Sealer(s, { keyKind: 'random' }).sealingKey()).derivation).toEqual({ name: 'hkdf-sha256' });
  });

  it('refuses a key kind it does not know, naming the two it does', () => {
    expect(() => new Sealer('k', { keyKind: 'weak' as never })).toThrow(/"keyKind" must be "random".*or "passphrase"/);
  });

  it('derives a passphrase key once per secret and salt in the process, whichever Sealer asks', async () => {
    const s = secret();
    const first = await new Sealer(s).sealingKey();
    expect(await new Sealer(s).sealingKey()).toBe(first);
    expect(await new Sealer(Buffer.from(s)).keyFor(first.derivation)).toBe(first);
    // Another secret never shares it.
    expect(await new Sealer(secret()).sealingKey()).not.toBe(first);
  });

  it('seals new documents with the salt of the first document it opened, so a cold start costs one derivation', async () => {
    const s = secret();
    const salt = randomBytes(16).toString('base64url');
    const read = await new Sealer(s).keyFor({ name: 'scrypt', N: 32768, r: 8, p: 3, salt });
    new Sealer(s).useForSealing(read);
    expect(await new Sealer(s).sealingKey()).toBe(read);
  });

  it('never adopts a salt only named by a document (a planted one), nor one a random-key sealer read', async () => {
    const s = secret();
    const planted = { name: 'scrypt', N: 32768, r: 8, p: 3, salt: randomBytes(16).toString('base64url') } as const;
    await new Sealer(s).keyFor(planted);
    new Sealer(s, { keyKind: 'random' }).useForSealing(await new Sealer(s).keyFor(planted));
    expect((await new Sealer(s).sealingKey()).derivation).not.toEqual(planted);
  });

  it('makes the stored key id cost a full scrypt per guess: it is an HMAC under the scrypt output, and differs per salt', async () => {
    const s = secret();
    const sealer = new Sealer(s);
    const a = await sealer.keyFor({ name: 'scrypt', N: 32768, r: 8, p: 3, salt: randomBytes(16).toString('base64url') });
    const b = await sealer.keyFor({ name: 'scrypt', N: 32768, r: 8, p: 3, salt: randomBytes(16).toString('base64url') });
    expect(a.keyId).not.toBe(b.keyId);
    const derivation = a.derivation as { salt: string };
    const master = scryptSync(s, Buffer.from(derivation.salt, 'base64url'), 32, { N: 32768, r: 8, p: 3, maxmem: 64 * 1024 * 1024 });
    expect(a.keyId).toBe(createHmac('sha256', master).update('xero-guard/ledger key-id').digest('hex').slice(0, 16));
    // The fast 0.1.0 id (HKDF with a fixed salt) is not what a passphrase document stores.
    const fast = createHmac('sha256', Buffer.from(hkdfSync('sha256', s, 'xero-guard/ledger', 'aes-256-gcm v1', 32)))
      .update('key-id')
      .digest('hex')
      .slice(0, 16);
    expect(a.keyId).not.toBe(fast);
    expect(sealer.legacyKey().keyId).toBe(fast);
  });

  it.each([
    ['a huge cost', { name: 'scrypt', N: 2 ** 30, r: 8, p: 3, salt: randomBytes(16).toString('base64url') }],
    ['a weaker cost', { name: 'scrypt', N: 2, r: 1, p: 1, salt: randomBytes(16).toString('base64url') }],
    ['a short salt', { name: 'scrypt', N: 32768, r: 8, p: 3, salt: 'AAAA' }],
    ['an extra field', { name: 'scrypt', N: 32768, r: 8, p: 3, salt: randomBytes(16).toString('base64url'), maxmem: 1 }],
    ['an unknown name', { name: 'argon2id' }],
    ['nothing', undefined],
  ])('refuses a stored key derivation with %s, without running it', async (_label, derivation) => {
    await expect(new Sealer(secret()).keyFor(derivation)).rejects.toThrow(SealError);
  });
});

describe('SealingKey', () => {
  let key: SealingKey;
  beforeAll(async () => {
    key = await new Sealer(secret(), { keyKind: 'random' }).sealingKey();
  });

  it('opens what it sealed with the same associated data', () => {
    expect(key.open(key.seal('tokens', 'aad'), 'aad')).toBe('tokens');
  });

  it.each([4, 8, 12, 15])('refuses a tag truncated to %i bytes (GCM alone would verify it)', (bytes) => {
    const truncated = withPart(key.seal('tokens', 'aad'), 2, (tag) => tag.subarray(0, bytes));
    expect(() => key.open(truncated, 'aad')).toThrow(`${bytes}-byte authentication tag where Xero Guard writes 16 bytes`);
  });

  it('refuses an IV that is not 12 bytes', () => {
    const sealed = withPart(key.seal('tokens', 'aad'), 1, (iv) => Buffer.concat([iv, iv]));
    expect(() => key.open(sealed, 'aad')).toThrow(/24-byte IV/);
  });

  it('refuses other associated data, and a 0.1.0 value where the current format is expected', () => {
    const sealed = key.seal('tokens', 'aad');
    expect(() => key.open(sealed, 'other')).toThrow('it failed its integrity check');
    expect(() => key.open(sealed.replace(/^v2/, 'v1'), 'aad')).toThrow(/not in format v2/);
  });
});

describe('processLocalId', () => {
  it('names a secret stably within the process, and is not its plain fingerprint', async () => {
    const { processLocalId, fingerprint } = await import('../../../src/secrets');
    expect(processLocalId('credential-secret')).toBe(processLocalId(Buffer.from('credential-secret')));
    expect(processLocalId('credential-secret')).not.toBe(processLocalId('other-secret'));
    expect(processLocalId('credential-secret')).not.toBe(fingerprint('credential-secret'));
  });
});
