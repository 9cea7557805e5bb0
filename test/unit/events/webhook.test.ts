import { Readable } from 'node:stream';
import { inspect } from 'node:util';
// The module object itself (an `import * as` namespace is a copy under the test transform, so spying on it would see nothing).
const crypto = require('node:crypto') as typeof import('node:crypto');
import { declaredTooLarge, EventsConfigError, readBodyCapped, verifyWebhook, WebhookKey } from '../../../src/events';

// A canary key: it must never show up in a verdict, an error, a log line or a serialised object.
const KEY_TEXT = 'CANARY-whk-3n8KqZ/pX7+Lm2Q0vR9sT4uW6yA1bC5dE8fG0hJ2kL4mN6oP8qR0sT2uV4wX6yZ8aB0cD2eF4g==';
const key = new WebhookKey(KEY_TEXT);
const BODY =
  '{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/0f0e3c2a-1b7d-4c55-9a3e-2d6f1e9b8c7a","resourceId":"0f0e3c2a-1b7d-4c55-9a3e-2d6f1e9b8c7a","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION","eventCategory":"INVOICE","eventType":"UPDATE","eventDateUtc":"2026-03-02T09:15:39.902"}],"firstEventSequence":7,"lastEventSequence":7,"entropy":"QWERTYUIOPASDFGHJKLZ"}';
const PROBE = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}';
// Derived independently of Node: printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64 (OpenSSL 3.0.19).
const OPENSSL_BODY_SIGNATURE = 'WbOBL9te5WIN4SwgP1EuRK/26zCWclQ3HGzoN5GZbZE=';
const OPENSSL_PROBE_SIGNATURE = 'HD7XfbP0pkmBt2UoJ1VACwOiVD2UMHT/SZYJLVT4fdc=';

describe('Xero webhook signature', () => {
  test('signs as Xero does: base64 HMAC-SHA256 of the raw bytes with the key text (openssl vector)', () => {
    expect(key.sign(BODY)).toBe(OPENSSL_BODY_SIGNATURE);
    expect(key.sign(Buffer.from(PROBE))).toBe(OPENSSL_PROBE_SIGNATURE);
    // And node's crypto computed here, by hand, agrees.
    expect(crypto.createHmac('sha256', KEY_TEXT).update(Buffer.from(BODY, 'utf8')).digest('base64')).toBe(OPENSSL_BODY_SIGNATURE);
  });

  test('a correctly signed delivery gets 200 with its events; the intent-to-receive probe (no events) too', () => {
    const verdict = verifyWebhook({ body: Buffer.from(BODY), signature: OPENSSL_BODY_SIGNATURE, key });
    expect(verdict.status).toBe(200);
    expect(verdict.status === 200 && verdict.delivery?.events.map((e) => e.resourceId)).toEqual(['0f0e3c2a-1b7d-4c55-9a3e-2d6f1e9b8c7a']);
    const probe = verifyWebhook({ body: PROBE, signature: OPENSSL_PROBE_SIGNATURE, key });
    expect(probe).toEqual({ status: 200, delivery: { events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'S0m3r4Nd0mt3xt' }, problems: [] });
  });

  test('a wrongly signed, unsigned or doubly signed delivery gets 401, the probe included', () => {
    const flipped = OPENSSL_BODY_SIGNATURE.replace(/^W/, 'X');
    for (const signature of [
      flipped,
      OPENSSL_BODY_SIGNATURE.toLowerCase(),
      OPENSSL_BODY_SIGNATURE.slice(0, 43),
      `${OPENSSL_BODY_SIGNATURE}=`,
      'x'.repeat(5000),
      OPENSSL_PROBE_SIGNATURE,
    ]) {
      expect(verifyWebhook({ body: BODY, signature, key })).toEqual({ status: 401, reason: 'signature_mismatch' });
    }
    for (const signature of [undefined, null, '', '   ', [OPENSSL_BODY_SIGNATURE, OPENSSL_BODY_SIGNATURE]]) {
      expect(verifyWebhook({ body: BODY, signature, key })).toEqual({ status: 401, reason: 'signature_missing' });
    }
    // The signature of one body does not cover another, even one byte longer.
    expect(verifyWebhook({ body: `${BODY} `, signature: OPENSSL_BODY_SIGNATURE, key }).status).toBe(401);
    expect(verifyWebhook({ body: PROBE, signature: new WebhookKey('another key').sign(PROBE), key }).status).toBe(401);
  });

  test('every check compares 44 bytes with timingSafeEqual, whatever the signature length or presence (no early return)', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      for (const signature of [OPENSSL_BODY_SIGNATURE, 'short', 'x'.repeat(5000), undefined, '']) {
        spy.mockClear();
        verifyWebhook({ body: BODY, signature, key });
        expect(spy).toHaveBeenCalledTimes(1);
        const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
        expect([a.length, b.length]).toEqual([44, 44]);
      }
    } finally {
      spy.mockRestore();
    }
  });

  test('a body over the cap is refused with 413 before it is verified or parsed, even when correctly signed', () => {
    const big = Buffer.alloc(2048, 0x5b); // '[' x 2048: would be deep nesting if parsed
    const spy = jest.spyOn(crypto, 'createHmac');
    try {
      expect(verifyWebhook({ body: big, signature: key.sign(big), key, maxBodyBytes: 1024 })).toEqual({ status: 413, reason: 'too_large', maxBytes: 1024 });
      spy.mockClear();
      expect(verifyWebhook({ body: big, signature: 'anything', key, maxBodyBytes: 1024 }).status).toBe(413);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(verifyWebhook({ body: BODY, signature: OPENSSL_BODY_SIGNATURE, key, maxBodyBytes: Buffer.byteLength(BODY) }).status).toBe(200);
    expect(declaredTooLarge('1025', 1024)).toBe(true);
    expect(declaredTooLarge('1024', 1024)).toBe(false);
    expect(declaredTooLarge(undefined, 1024)).toBe(false);
  });

  test('a correctly signed body that is not a delivery is acknowledged (200) with a plain error, not thrown', () => {
    for (const body of ['not json', '[]', '{"events":{}}', '['.repeat(100_000)]) {
      const verdict = verifyWebhook({ body, signature: key.sign(body), key });
      expect(verdict).toMatchObject({ status: 200, delivery: null });
      expect(verdict.status === 200 && verdict.delivery === null && verdict.error).toMatch(/not JSON|not a JSON object|no "events" list/);
    }
  });

  test('the body is read with a cap: a stream over it stops early', async () => {
    const chunks = (n: number) => Readable.from(Array.from({ length: n }, () => Buffer.alloc(100, 0x61)));
    expect(await readBodyCapped(chunks(10), 1000)).toEqual({ bytes: Buffer.alloc(1000, 0x61) });
    let pulled = 0;
    async function* counted() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(100);
      }
    }
    expect(await readBodyCapped(counted(), 1000)).toEqual({ tooLarge: true });
    expect(pulled).toBe(11);
  });

  test('canary: the webhook key is in no verdict, error, inspection or serialisation', () => {
    const shown = [
      inspect(key, { depth: 10, showHidden: true }),
      JSON.stringify(key),
      JSON.stringify({ key }),
      String(key),
      ...[OPENSSL_BODY_SIGNATURE, 'bad', undefined].map((signature) => JSON.stringify(verifyWebhook({ body: BODY, signature, key }))),
      JSON.stringify(verifyWebhook({ body: 'oops', signature: key.sign('oops'), key })),
    ];
    let empty: unknown;
    try {
      new WebhookKey('   ');
    } catch (error) {
      empty = error;
    }
    expect(empty).toBeInstanceOf(EventsConfigError);
    shown.push(String(empty), inspect(empty));
    for (const text of shown) {
      expect(text).not.toContain(KEY_TEXT);
      expect(text).not.toContain('CANARY-whk');
      expect(text).not.toContain(Buffer.from(KEY_TEXT).toString('base64').slice(0, 20));
    }
  });

  test('a key pasted with surrounding whitespace signs as the key itself', () => {
    expect(new WebhookKey(`  ${KEY_TEXT}\n`).sign(BODY)).toBe(OPENSSL_BODY_SIGNATURE);
  });
});
