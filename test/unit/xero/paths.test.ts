/**
 * Xero paths, encoded in one place: a path as text or as literal segments, the Accounting prefix
 * dropped either way, a segment that could add or leave a level refused, and a path typed as in a URL
 * decoded once (a Custom API Call's).
 */
import { decodeUrlPath, pathSegmentProblem } from '../../../src/xero';
import { accountingPath, rootPath } from '../../../src/xero/accounting/paths';

describe('Xero paths', () => {
  it('encodes every segment once, from text or from literal segments', () => {
    expect(accountingPath('Invoices/abc').encoded).toBe('/api.xro/2.0/Invoices/abc');
    expect(accountingPath(['Invoices', 'x', 'Attachments', 'a #1 100%.pdf']).encoded).toBe('/api.xro/2.0/Invoices/x/Attachments/a%20%231%20100%25.pdf');
    expect(accountingPath('Invoices/x/Attachments/scan 1.png').segments).toEqual(['Invoices', 'x', 'Attachments', 'scan 1.png']);
    expect(rootPath(['payroll.xro', '2.0', 'Employees']).encoded).toBe('/payroll.xro/2.0/Employees');
  });

  it('drops a leading api.xro/2.0, as text or as segments, so a path copied from the docs works', () => {
    expect(accountingPath('/api.xro/2.0/Invoices/').encoded).toBe('/api.xro/2.0/Invoices');
    expect(accountingPath(['api.xro', '2.0', 'Invoices']).encoded).toBe('/api.xro/2.0/Invoices');
    expect(rootPath(['api.xro', '2.0', 'Invoices']).encoded).toBe('/api.xro/2.0/Invoices');
  });

  it('refuses a segment that would add a level or leave the API, naming it', () => {
    expect(() => accountingPath(['Contacts', 'a/b'])).toThrow(/"a\/b" contains a "\/"/);
    expect(() => accountingPath(['Contacts', '..'])).toThrow(/step out of the Xero API/);
    expect(() => accountingPath(['Contacts', ''])).toThrow(/empty segment/);
    expect(() => accountingPath([])).toThrow(/the path is empty/);
    expect(() => rootPath('/a//b')).toThrow(/empty segment/);
    expect(() => accountingPath('https://evil.test/x')).toThrow(/not a URL/);
    expect(() => accountingPath('Invoices?where=x')).toThrow(/must not carry a query/);
    expect(pathSegmentProblem('INV-001')).toBeNull();
    expect(pathSegmentProblem('a/b')).toMatch(/contains a "\/"/);
  });

  it('reads a path typed as in a URL: each segment decoded once, a "/" hidden as %2F or a broken escape refused', () => {
    expect(decodeUrlPath('/Invoices/x/Attachments/my%20file%231.pdf')).toEqual(['Invoices', 'x', 'Attachments', 'my file#1.pdf']);
    expect(accountingPath(decodeUrlPath('/Invoices/x/Attachments/my%20file%231.pdf')).encoded).toBe('/api.xro/2.0/Invoices/x/Attachments/my%20file%231.pdf');
    expect(() => decodeUrlPath('/Invoices/a%2Fb')).toThrow(/contains a "\/"/);
    expect(() => decodeUrlPath('/Invoices/%2E%2E/connections')).toThrow(/step out/);
    expect(() => decodeUrlPath('/Invoices/100%')).toThrow(/not valid percent-encoding/);
    expect(() => decodeUrlPath('//evil.test/x')).toThrow(/not a URL/);
  });
});
