import {
  convertXeroDates,
  convertXeroDatesInJson,
  deriveIdempotencyKey,
  elementRefusal,
  XeroApiError,
  fromXeroDate,
  fromXeroDateString,
  ifModifiedSinceHeader,
  readRateLimits,
  recordsOf,
  toXeroDate,
  validationMessagesOf,
} from '../../../src/xero';

describe("Xero's dates", () => {
  it('reads /Date(ms±hhmm)/ as the same instant in ISO 8601, in the offset Xero gave', () => {
    expect(fromXeroDate('/Date(1573755038314+0000)/')).toBe('2019-11-14T18:10:38.314Z');
    expect(fromXeroDate('/Date(1573689600000)/')).toBe('2019-11-14T00:00:00Z');
    const nz = fromXeroDate('/Date(1573755038314+1300)/') as string;
    expect(nz).toBe('2019-11-15T07:10:38.314+13:00');
    expect(Date.parse(nz)).toBe(1573755038314);
    expect(Date.parse(fromXeroDate('/Date(-86400000-0530)/') as string)).toBe(-86400000);
    for (const not of ['/Date(abc)/', 'Date(1)', '/Date(1)/ ', '2019-11-14', '/Date(99999999999999999999)/']) expect(fromXeroDate(not)).toBeUndefined();
  });

  it('normalises DateString siblings and leaves other strings alone, deep in an answer', () => {
    expect(fromXeroDateString('2018-10-20 00:00:00')).toBe('2018-10-20T00:00:00');
    expect(fromXeroDateString('20 October 2018')).toBeUndefined();
    const body = {
      Invoices: [
        {
          Date: '/Date(1539993600000+0000)/',
          DateString: '2018-10-20 00:00:00',
          Reference: '/Date(not)/',
          Payments: [{ Date: '/Date(1543449600000+0000)/' }],
          Tags: ['/Date(0)/'],
        },
      ],
    };
    expect(convertXeroDates(body)).toEqual({
      Invoices: [
        {
          Date: '2018-10-20T00:00:00Z',
          DateString: '2018-10-20T00:00:00',
          Reference: '/Date(not)/',
          Payments: [{ Date: '2018-11-29T00:00:00Z' }],
          Tags: ['1970-01-01T00:00:00Z'],
        },
      ],
    });
  });

  it('converts the JSON text before parsing exactly as the walk converts parsed values', () => {
    const body = {
      A: '/Date(1573755038314+0000)/',
      B: '/Date(1573755038314+1300)/',
      DueDateString: '2019-11-14 00:00:00',
      Note: 'see "/Date(5)/" here',
      Deep: [{ UpdatedDateUTC: '/Date(0)/' }],
    };
    const text = JSON.stringify(body);
    expect(JSON.parse(convertXeroDatesInJson(text))).toEqual(convertXeroDates(JSON.parse(text)));
    // Microsoft's serialiser writes `\/Date(...)\/`; an escaped quote inside a string is not a string start.
    expect(JSON.parse(convertXeroDatesInJson('{"D":"\\/Date(0+0000)\\/","N":"x \\"/Date(0)/\\" y"}'))).toEqual({
      D: '1970-01-01T00:00:00Z',
      N: 'x "/Date(0)/" y',
    });
  });

  it('writes ISO, Dates and epoch ms back as Xero does, and If-Modified-Since in UTC', () => {
    expect(toXeroDate('2026-03-31')).toBe(`/Date(${Date.UTC(2026, 2, 31)}+0000)/`);
    expect(toXeroDate('2026-03-31T09:00:00+13:00')).toBe(`/Date(${Date.UTC(2026, 2, 30, 20)}+0000)/`);
    expect(toXeroDate(new Date(5))).toBe('/Date(5+0000)/');
    expect(() => toXeroDate('31/03/2026')).toThrow('not an ISO 8601 date');
    expect(ifModifiedSinceHeader('2026-03-31T09:00:00+13:00')).toBe('2026-03-30T20:00:00');
    expect(ifModifiedSinceHeader(Date.UTC(2009, 10, 12))).toBe('2009-11-12T00:00:00');
    expect(() => ifModifiedSinceHeader('yesterday')).toThrow('ifModifiedSince');
  });
});

describe('the call budget', () => {
  it('reads the three remaining counts in any case, null when absent or garbled', () => {
    expect(readRateLimits({ 'X-DayLimit-Remaining': '4990', 'x-minlimit-remaining': '58', 'X-APPMINLIMIT-REMAINING': '9000' })).toEqual({
      dayRemaining: 4990,
      minuteRemaining: 58,
      appMinuteRemaining: 9000,
    });
    expect(readRateLimits({ 'x-daylimit-remaining': 'lots', 'x-minlimit-remaining': '-1' })).toEqual({
      dayRemaining: null,
      minuteRemaining: null,
      appMinuteRemaining: null,
    });
  });
});

describe('Idempotency-Key derivation', () => {
  const base = { stableId: 'exec-9:item-3', method: 'PUT', path: 'Invoices', tenantId: 'A3C3EE1F-4B5B-4C1E-9D4E-0D1C2B3A4F5E' };
  it("is deterministic, within Xero's 128 characters, and hides the stable id", () => {
    const key = deriveIdempotencyKey(base);
    expect(deriveIdempotencyKey({ ...base })).toBe(key);
    expect(key.length).toBeLessThanOrEqual(128);
    expect(key).not.toContain('exec-9');
    // Case of the path and tenant does not matter to Xero, so not to the key either.
    expect(deriveIdempotencyKey({ ...base, path: '/invoices/', tenantId: base.tenantId.toLowerCase() })).toBe(key);
  });
  it('differs for another item, method, path or organisation', () => {
    const key = deriveIdempotencyKey(base);
    for (const change of [{ stableId: 'exec-9:item-4' }, { method: 'POST' }, { path: 'CreditNotes' }, { tenantId: 'b7f0c6d2-8e9a-4f3b-a1c2-3d4e5f6a7b8c' }]) {
      expect(deriveIdempotencyKey({ ...base, ...change })).not.toBe(key);
    }
    expect(() => deriveIdempotencyKey({ ...base, stableId: '' })).toThrow('stableId is empty');
  });
});

describe('answers', () => {
  it("finds the records of an envelope, and Xero's validation words per element", () => {
    expect(recordsOf({ Id: 'x', Invoices: [1, 2] }, ['Invoices'])).toEqual([1, 2]);
    expect(recordsOf({ Organisations: [1] }, ['Organisation'])).toEqual([1]);
    expect(recordsOf({ HistoryRecords: [1] }, ['Invoices', 'a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e', 'History'])).toEqual([1]);
    expect(recordsOf({ Reports: [1] }, ['Reports', 'ProfitAndLoss'])).toEqual([1]);
    const v = validationMessagesOf({
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [
        { ValidationErrors: [{ Message: 'Email address must be valid.' }] },
        { ValidationErrors: [] },
        { ValidationErrors: [{ Message: 'Email address must be valid.' }, { Message: 'Other' }] },
      ],
    });
    expect(v.messages).toEqual(['Email address must be valid.', 'Other']);
    expect(v.elementErrors).toEqual([
      { index: 0, messages: ['Email address must be valid.'] },
      { index: 2, messages: ['Email address must be valid.', 'Other'] },
    ]);
    expect(validationMessagesOf({ ErrorNumber: 16, Type: 'QueryParseException', Message: "No property or field 'X' exists" }).messages).toEqual([
      "No property or field 'X' exists",
    ]);
  });

  it('finds the elements a batch answer marks as refused, with or without a reason, and makes each the error a single write would raise', () => {
    const answer = {
      Contacts: [
        { ContactID: 'a', StatusAttributeString: 'OK', HasErrors: false },
        { Name: 'B', StatusAttributeString: 'ERROR' },
        { Name: 'C', HasErrors: true, ValidationErrors: [{ Message: 'Email address must be valid.' }] },
        { ContactID: 'd', ValidationErrors: [] },
      ],
    };
    const { elementErrors } = validationMessagesOf(answer);
    expect(elementErrors).toEqual([
      { index: 1, messages: [] },
      { index: 2, messages: ['Email address must be valid.'] },
    ]);
    const limits = { dayRemaining: 5, minuteRemaining: 6, appMinuteRemaining: 7 };
    const error = elementRefusal(elementErrors[1]!, { method: 'POST', path: 'Contacts' }, limits);
    expect(error).toBeInstanceOf(XeroApiError);
    expect(error).toMatchObject({
      category: 'validation_error',
      action: 'fix_request',
      httpStatus: 400,
      validationMessages: ['Email address must be valid.'],
      limits,
    });
    expect(error.summary).toBe('Xero refused this record');
  });
});
