import { eventId, eventTime, parseDelivery, type XeroEvent } from '../../../src/events';

const event = (overrides: Record<string, unknown> = {}) => ({
  resourceUrl: 'https://api.xero.com/api.xro/2.0/Contacts/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
  resourceId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
  eventDateUtc: '2024-06-21T01:15:39.902',
  eventType: 'UPDATE',
  eventCategory: 'CONTACT',
  tenantId: 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f',
  tenantType: 'ORGANISATION',
  ...overrides,
});
const body = (events: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ events, firstEventSequence: 1, lastEventSequence: 1, entropy: 'S0m3r4Nd0mt3xt', ...extra });

describe('parsing a delivery', () => {
  test("Xero's own examples (xero-webhooks.yaml) parse, the credit note's data kept", () => {
    const contact = parseDelivery(body([event()]));
    expect(contact).toEqual({
      ok: true,
      delivery: { events: [event()], firstEventSequence: 1, lastEventSequence: 1, entropy: 'S0m3r4Nd0mt3xt' },
      problems: [],
    });
    const credit = parseDelivery(
      body([
        event({
          resourceUrl: 'https://api.xero.com/api.xro/2.0/CreditNotes/55d84274-a3da-4829-a7c0-0cab601b95cc',
          resourceId: '55d84274-a3da-4829-a7c0-0cab601b95cc',
          eventCategory: 'CREDITNOTE',
          eventType: 'CREATE',
          eventDateUtc: '2025-12-02T00:44:09.923',
          data: { Type: 'ACCPAYCREDIT', Status: 'DRAFT' },
        }),
      ]),
    );
    expect(credit.ok && credit.delivery.events[0].data).toEqual({ Type: 'ACCPAYCREDIT', Status: 'DRAFT' });
  });

  test('whatever the body, parsing answers and never throws', () => {
    const hostile: Array<string | Buffer> = [
      '',
      'null',
      '42',
      '"events"',
      '[]',
      '{}',
      '{"events":null}',
      '{"events":"[]"}',
      '{"events":{"length":1,"0":{}}}',
      '['.repeat(200_000),
      `{"events":${'['.repeat(50_000)}`,
      Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      '{"events":[]}'.padEnd(100_000, ' '),
    ];
    for (const text of hostile) {
      const parsed = parseDelivery(text);
      if (parsed.ok) expect(parsed.delivery.events).toEqual([]);
      else expect(parsed.error).toMatch(/^The delivery /);
    }
    expect(parseDelivery('{"events":[]}')).toMatchObject({
      ok: true,
      delivery: { events: [], firstEventSequence: null, lastEventSequence: null, entropy: null },
    });
  });

  test('bad events are left out one by one with the reason; the good ones are kept', () => {
    const parsed = parseDelivery(
      body([
        event(),
        null,
        'CONTACT',
        [event()],
        event({ resourceId: 'not-a-guid' }),
        event({ tenantId: '../../etc/passwd' }),
        event({ eventCategory: 'contact; DROP TABLE' }),
        event({ eventType: 7 }),
        event({ eventDateUtc: 'yesterday' }),
        event({ eventDateUtc: '2024-13-45T99:99:99' }),
        event({ resourceUrl: `https://x/${'a'.repeat(5000)}` }),
        event({ tenantType: undefined }),
        event({ eventCategory: 'PAYMENT' }),
      ]),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // A category Xero adds later is kept (a filter can name it); everything malformed is not.
    expect(parsed.delivery.events.map((e) => e.eventCategory)).toEqual(['CONTACT', 'PAYMENT']);
    expect(parsed.problems.map((p) => p.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(parsed.problems[3].message).toBe('Event 5 was left out: its resourceId is not a Xero ID');
  });

  test('only known fields are kept: __proto__ and extras do not reach the result or Object.prototype', () => {
    const text = `{"events":[{"__proto__":{"polluted":true},"constructor":{"prototype":{"bad":1}},"extra":"x",${body([event()])
      .slice(12, -1)
      .replace(/^\{|\}\],.*$/g, '')}}],"__proto__":{"polluted":true}}`;
    const parsed = parseDelivery(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.ok && Object.keys(parsed.delivery.events[0]).sort()).toEqual([
      'eventCategory',
      'eventDateUtc',
      'eventType',
      'resourceId',
      'resourceUrl',
      'tenantId',
      'tenantType',
    ]);
    const weird = parseDelivery(body([event({ data: { Type: 'ACCRECCREDIT', Status: { $gt: '' }, Evil: 'x' } })]));
    expect(weird.ok && weird.delivery.events[0].data).toEqual({ Type: 'ACCRECCREDIT' });
  });

  test('too many events in one delivery is refused whole, with the count', () => {
    const parsed = parseDelivery(body(Array.from({ length: 10_001 }, () => event())));
    expect(parsed).toEqual({ ok: false, error: 'The delivery lists 10001 events, more than the 10000 Xero Guard takes in one delivery.' });
  });

  test("sequence numbers outside Xero's range, or not integers, read as null; a long entropy too", () => {
    const parsed = parseDelivery(body([], { firstEventSequence: -1, lastEventSequence: 1.5, entropy: 'x'.repeat(300) }));
    expect(parsed.ok && parsed.delivery).toEqual({ events: [], firstEventSequence: null, lastEventSequence: null, entropy: null });
  });
});

describe('event time and identity', () => {
  test('eventDateUtc without a zone is UTC, as Xero writes it', () => {
    expect(eventTime('2025-12-02T00:44:09.923')).toBe(Date.UTC(2025, 11, 2, 0, 44, 9, 923));
    expect(eventTime('2025-12-02T00:44:09.923Z')).toBe(Date.UTC(2025, 11, 2, 0, 44, 9, 923));
    expect(eventTime('2025-12-02T00:44:09.9231234')).toBe(Date.UTC(2025, 11, 2, 0, 44, 9, 923));
    expect(eventTime('2025-12-02T13:44:09+13:00')).toBe(Date.UTC(2025, 11, 2, 0, 44, 9));
    expect(eventTime('2025-12-02')).toBeNull();
  });

  test('the same event delivered again has the same id; any field that makes it another event changes it', () => {
    const base = event() as XeroEvent;
    const id = eventId(base);
    expect(eventId({ ...base, eventDateUtc: '2024-06-21T01:15:39.902Z', resourceId: base.resourceId.toUpperCase(), resourceUrl: 'https://elsewhere' })).toBe(
      id,
    );
    for (const change of [
      { eventType: 'CREATE' },
      { eventCategory: 'INVOICE' },
      { tenantId: 'aef86862-2015-4b6b-88bc-d89032cecc50' },
      { eventDateUtc: '2024-06-21T01:15:39.903' },
      { resourceId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf778' },
    ]) {
      expect(eventId({ ...base, ...change })).not.toBe(id);
    }
  });
});
