import { MINUTE } from '../../../src/clock';
import { XERO_GUID, pollWindowProblem, positiveSetting, splitWatches } from '../../../src/events';

describe('the event hosts’ setting rules', () => {
  it('splits a watch list into resources, named events and the first name that is neither', () => {
    expect(splitWatches(['sales_invoices', 'invoice_paid', 'contacts'])).toEqual({
      watches: ['sales_invoices', 'contacts'],
      named: ['invoice_paid'],
      unknown: undefined,
    });
    expect(splitWatches(['bills', 'payslips', 'journals']).unknown).toBe('payslips');
  });

  it('refuses an interval under a minute, then a ceiling under the interval', () => {
    expect(pollWindowProblem(MINUTE - 1, 60 * MINUTE)).toBe('interval');
    expect(pollWindowProblem(15 * MINUTE, 14 * MINUTE)).toBe('ceiling');
    expect(pollWindowProblem(MINUTE, MINUTE)).toBeNull();
  });

  it('takes a number above zero, as a number or as text; anything else means "use the default"', () => {
    expect([15, '15', '2.5'].map(positiveSetting)).toEqual([15, 15, 2.5]);
    expect(['', undefined, null, 0, -3, 'soon', Number.NaN, Infinity].map(positiveSetting)).toEqual(Array(8).fill(null));
  });

  it('knows a Xero id by its shape, in either case', () => {
    expect(XERO_GUID.test('A3C3EE1F-4B5B-4C1E-9D4E-0D1C2B3A4F5E')).toBe(true);
    expect(XERO_GUID.test('a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5')).toBe(false);
  });
});
