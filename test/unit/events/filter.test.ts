import { checkEventFilter, EventsConfigError, matchEvent, matchRecord, type XeroEvent } from '../../../src/events';

const ev = (eventCategory: string, eventType = 'UPDATE', extra: Partial<XeroEvent> = {}): XeroEvent => ({
  resourceUrl: '',
  resourceId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
  tenantId: 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f',
  tenantType: 'ORGANISATION',
  eventCategory,
  eventType,
  eventDateUtc: '2026-01-01T00:00:00',
  ...extra,
});

describe('event filters', () => {
  test('no filter takes everything', () => {
    for (const category of ['CONTACT', 'INVOICE', 'CREDITNOTE', 'SUBSCRIPTION', 'FUTURE']) expect(matchEvent({}, ev(category))).toBe('yes');
  });

  test('category, event type and organisation, case-insensitively', () => {
    const filter = checkEventFilter({ categories: ['invoice', 'CONTACT'], eventTypes: ['CREATE'], tenantIds: ['C2CC9B6E-9458-4C7D-93CC-F02B81B0594F'] });
    expect(matchEvent(filter, ev('INVOICE', 'CREATE'))).toBe('yes');
    expect(matchEvent(filter, ev('INVOICE', 'UPDATE'))).toBe('no');
    expect(matchEvent(filter, ev('CREDITNOTE', 'CREATE'))).toBe('no');
    expect(matchEvent(filter, ev('CONTACT', 'CREATE', { tenantId: 'aef86862-2015-4b6b-88bc-d89032cecc50' }))).toBe('no');
  });

  test('sales or purchases: credit notes decide from their data, invoices need the record, other categories pass', () => {
    const bills = checkEventFilter({ direction: 'purchases' });
    expect(matchEvent(bills, ev('INVOICE'))).toBe('record');
    expect(matchEvent(bills, ev('CREDITNOTE', 'CREATE', { data: { Type: 'ACCPAYCREDIT' } }))).toBe('yes');
    expect(matchEvent(bills, ev('CREDITNOTE', 'CREATE', { data: { Type: 'ACCRECCREDIT' } }))).toBe('no');
    expect(matchEvent(bills, ev('CREDITNOTE'))).toBe('record');
    expect(matchEvent(bills, ev('CONTACT'))).toBe('yes');
    expect(matchRecord(bills, { Type: 'ACCPAY' })).toBe(true);
    expect(matchRecord(bills, { Type: 'ACCREC' })).toBe(false);
    expect(matchRecord(checkEventFilter({ direction: 'sales' }), { Type: 'ACCREC' })).toBe(true);
    // A record that could not be read is let through (with its reason), never dropped on a guess.
    expect(matchRecord(bills, null)).toBe(true);
  });

  test('a filter the user got wrong is refused with what it takes', () => {
    expect(() => checkEventFilter({ categories: ['INVOICES'] })).toThrow(
      new EventsConfigError('Event filter "categories" has "INVOICES"; Xero sends CONTACT, INVOICE, CREDITNOTE, SUBSCRIPTION.'),
    );
    expect(() => checkEventFilter({ eventTypes: ['DELETE'] })).toThrow(/"DELETE"; Xero sends CREATE, UPDATE/);
    expect(() => checkEventFilter({ tenantIds: 'all' as unknown as string[] })).toThrow(/"tenantIds" must be a list/);
    expect(() => checkEventFilter({ direction: 'bills' as 'sales' })).toThrow(/"sales", "purchases" or "both"/);
  });
});
