import { OperationMatcher, xeroOperations } from '../../../../src/xero/operations';

const GUID = '297c2dc5-cc47-4afd-8ec8-74990b8761e9';
const match = (api: Parameters<typeof xeroOperations>[0], method: string, path: string) =>
  new OperationMatcher(xeroOperations(api)).match(
    method,
    path.split('/').filter((s) => s !== ''),
  );

describe('matching a request path to its operation', () => {
  it('tells look-alike templates apart by the shape the parameter declares', () => {
    expect(match('accounting', 'GET', `Contacts/${GUID}`)?.operation.operationId).toBe('getContact');
    expect(match('accounting', 'GET', 'Contacts/C00001')?.operation.operationId).toBe('getContactByContactNumber');
    expect(match('accounting', 'GET', `Journals/${GUID}`)?.operation.operationId).toBe('getJournal');
    expect(match('accounting', 'GET', 'Journals/42')?.operation.operationId).toBe('getJournalByNumber');
    expect(match('accounting', 'GET', 'PurchaseOrders/PO-0001')?.operation.operationId).toBe('getPurchaseOrderByNumber');
  });

  it('prefers a literal segment to a parameter, whatever the case', () => {
    expect(match('accounting', 'GET', 'Reports/BalanceSheet')?.operation.operationId).toBe('getReportBalanceSheet');
    expect(match('accounting', 'GET', 'reports/balancesheet')?.operation.operationId).toBe('getReportBalanceSheet');
    expect(match('accounting', 'GET', 'Reports/some-published-report')?.operation.operationId).toBe('getReportFromId');
    expect(match('files', 'GET', 'Associations/Count')?.operation.operationId).toBe('getAssociationsCount');
    expect(match('files', 'GET', `Associations/${GUID}`)?.operation.operationId).toBe('getAssociationsByObject');
  });

  it('hands back the path parameters by name, and nothing for an unknown path or method', () => {
    expect(match('payroll-uk', 'PUT', `Employees/${GUID}/Leave/${GUID.toUpperCase()}`)).toMatchObject({
      operation: { operationId: 'updateEmployeeLeave' },
      params: { EmployeeID: GUID, LeaveID: GUID.toUpperCase() },
    });
    expect(match('payroll-uk', 'GET', 'Nothing')).toBeUndefined();
    expect(match('payroll-uk', 'PATCH', 'Employees')).toBeUndefined();
    expect(match('accounting', 'GET', 'Contacts/not-a-guid/History')).toBeUndefined();
  });
});
