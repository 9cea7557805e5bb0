import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { failureOf } from '../../../../nodes/XeroGuard/errors';
import { executeXeroGuard } from '../../../../nodes/XeroGuard/execute';
import { bindXeroPort, guardedPort, unboundPort } from '../../../../nodes/XeroGuard/port-binding';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';
import { fakeExecute, NODE, RecordingPort, TENANT_A, TENANT_B } from './stand-in';

/** A failure as the core client raises it (XeroGuardError's fields, read structurally). */
function xeroFailure(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'Xero failed')), fields);
}

const getAll = { resource: 'invoice', operation: 'getAll' };

describe('Xero Guard node: organisation', () => {
  it('uses the only organisation without asking', async () => {
    const port = new RecordingPort();
    await executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }), port);
    expect(port.calls[0].tenantId).toBe(TENANT_A.tenantId);
  });

  it('refuses to guess between several, listing them', async () => {
    const port = new RecordingPort();
    port.tenants = [TENANT_A, TENANT_B];
    const run = executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }), port);
    await expect(run).rejects.toThrow(NodeOperationError);
    await expect(executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }), port)).rejects.toThrow(
      /reaches 2 organisations.*Demo Company \(NZ\).*Second Ltd/,
    );
    expect(port.calls).toHaveLength(0);
  });

  it.each([
    [{ __rl: true, mode: 'list', value: TENANT_B.tenantId }, TENANT_B],
    [{ __rl: true, mode: 'id', value: TENANT_B.tenantId }, TENANT_B],
    [{ __rl: true, mode: 'name', value: 'second ltd' }, TENANT_B],
    [TENANT_A.tenantId, TENANT_A],
  ])('picks %j', async (organizationId, tenant) => {
    const port = new RecordingPort();
    port.tenants = [TENANT_A, TENANT_B];
    await executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get', organizationId } }), port);
    expect(port.calls[0].tenantId).toBe(tenant.tenantId);
  });

  it('names an organisation the connection does not reach, with a configuration-invalid cause', async () => {
    const port = new RecordingPort();
    const error = await executeXeroGuard(
      fakeExecute({ parameters: { resource: 'organisation', operation: 'get', organizationId: { __rl: true, mode: 'name', value: 'Gone Ltd' } } }),
      port,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as NodeOperationError).message).toMatch(/No organisation named "Gone Ltd".*Demo Company/);
    expect((error as NodeOperationError).failure).toEqual({ cause: 'configuration-invalid' });
  });
});

describe('Xero Guard node: Get Many', () => {
  it('stops at the limit across pages and pairs every record with its item', async () => {
    const port = new RecordingPort();
    port.pageList = [[{ InvoiceID: '1' }, { InvoiceID: '2' }], [{ InvoiceID: '3' }, { InvoiceID: '4' }], [{ InvoiceID: '5' }]];
    const [out] = await executeXeroGuard(fakeExecute({ parameters: { ...getAll, returnAll: false, limit: 3 } }), port);
    expect(out.map((o) => o.json.InvoiceID)).toEqual(['1', '2', '3']);
    const [all] = await executeXeroGuard(fakeExecute({ parameters: { ...getAll, returnAll: true, limit: 3 } }), port);
    expect(all.map((o) => o.json.InvoiceID)).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('Xero Guard node: batch writes', () => {
  const contacts = ['Ann', 'Bob', 'Cy'].map((name) => ({ resource: 'contact', operation: 'create', name, xeroGuardSettings: { batchSize: 50 } }));

  it('sends several items in one request and pairs each result back to its item', async () => {
    const port = new RecordingPort();
    port.answer = (call) => ({
      Contacts: (call.spec.body as { Contacts: Array<{ Name: string }> }).Contacts.map((c, i) => ({ ContactID: `id-${i}`, Name: c.Name })),
    });
    const [out] = await executeXeroGuard(fakeExecute({ parameters: contacts }), port);
    expect(port.calls).toHaveLength(1);
    expect(port.calls[0].spec).toMatchObject({
      method: 'POST',
      path: '/Contacts',
      batch: true,
      body: { Contacts: [{ Name: 'Ann' }, { Name: 'Bob' }, { Name: 'Cy' }] },
    });
    expect(port.calls[0].options?.stableId).toBe('exec-42:node-1:0:0-2');
    expect(out.map((o) => [o.json.Name, o.pairedItem])).toEqual([
      ['Ann', { item: 0 }],
      ['Bob', { item: 1 }],
      ['Cy', { item: 2 }],
    ]);
  });

  it('keeps batches within the batch size', async () => {
    const port = new RecordingPort();
    port.answer = (call) => call.spec.body;
    await executeXeroGuard(fakeExecute({ parameters: contacts.map((c) => ({ ...c, xeroGuardSettings: { batchSize: 2 } })) }), port);
    expect(port.calls.map((c) => (c.spec.body as { Contacts: unknown[] }).Contacts.length)).toEqual([2, 1]);
  });

  it('turns one refused element into an error on its own item (continueOnFail), the others succeed', async () => {
    const port = new RecordingPort();
    port.answer = () => ({
      Contacts: [
        { ContactID: 'a', Name: 'Ann' },
        {
          Name: 'Bob',
          HasErrors: true,
          StatusAttributeString: 'ERROR',
          ValidationErrors: [{ Message: 'The contact name Bob is already assigned to another contact.' }],
        },
        { ContactID: 'c', Name: 'Cy' },
      ],
    });
    const [out] = await executeXeroGuard(fakeExecute({ parameters: contacts, continueOnFail: true }), port);
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
    expect(out[1].json).toMatchObject({ category: 'validation_error', validationMessages: ['The contact name Bob is already assigned to another contact.'] });
    expect(String(out[1].json.error)).toContain('already assigned');
    expect(out[2].json.ContactID).toBe('c');
  });

  it("without continueOnFail, a refused element fails the node with Xero's message", async () => {
    const port = new RecordingPort();
    port.answer = () => ({ Contacts: [{ Name: 'Ann', HasErrors: true, ValidationErrors: [{ Message: 'Email address must be valid.' }] }, { Name: 'Bob' }] });
    await expect(executeXeroGuard(fakeExecute({ parameters: contacts.slice(0, 2) }), port)).rejects.toThrow(/Email address must be valid/);
  });

  it('a retry of the same run repeats the stable id; another run of the node (a loop) gets new ones', async () => {
    const ids = async (o: { executionId?: string; runIndex?: number }) => {
      const port = new RecordingPort();
      await executeXeroGuard(fakeExecute({ parameters: contacts.slice(0, 1).map(({ xeroGuardSettings: _s, ...c }) => c), ...o }), port);
      return port.calls.map((c) => c.options?.stableId);
    };
    expect(await ids({})).toEqual(await ids({}));
    expect(await ids({ runIndex: 1 })).toEqual(['exec-42:node-1:1:0']);
    expect(await ids({ executionId: 'exec-43' })).toEqual(['exec-43:node-1:0:0']);
  });

  it('sends one request per item without a batch size (the default)', async () => {
    const port = new RecordingPort();
    port.answer = (call) => call.spec.body;
    await executeXeroGuard(fakeExecute({ parameters: contacts.map(({ xeroGuardSettings: _s, ...c }) => c) }), port);
    expect(port.calls.map((c) => c.options?.stableId)).toEqual(['exec-42:node-1:0:0', 'exec-42:node-1:0:1', 'exec-42:node-1:0:2']);
    expect(port.calls.every((c) => c.spec.batch === undefined)).toBe(true);
  });
});

describe('Xero Guard node: errors', () => {
  const create = { resource: 'invoice', operation: 'create', type: 'ACCREC', contactId: 'c1' };

  it("a validation error becomes a NodeApiError with Xero's messages and the classification", async () => {
    const port = new RecordingPort();
    port.fail = () =>
      xeroFailure({
        message: 'A validation exception occurred',
        summary: 'Xero refused the request',
        category: 'validation_error',
        action: 'fix_request',
        httpStatus: 400,
        validationMessages: ['Contact is required'],
      });
    const error = (await executeXeroGuard(fakeExecute({ parameters: create }), port).catch((e: unknown) => e)) as NodeApiError;
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.message).toBe('Xero refused the request: Contact is required');
    expect(error.httpCode).toBe('400');
    expect(error.context.xero).toMatchObject({ category: 'validation_error', action: 'fix_request', validationMessages: ['Contact is required'] });
    expect(error.failure).toBeUndefined();
  });

  it.each([
    [
      { category: 'rate_limit_minute', action: 'wait_and_retry', retryAfterSeconds: 600 },
      { cause: 'rate-limited', retryAfterMs: 600_000 },
    ],
    [
      { category: 'rate_limit_day', action: 'wait_and_retry', retryAfterSeconds: 3600 },
      { cause: 'quota-exhausted', retryAfterMs: 3_600_000 },
    ],
    [{ category: 'access_revoked', action: 'reauthenticate' }, { cause: 'credential-invalid' }],
    [{ category: 'refresh_token_invalid', action: 'reauthenticate' }, { cause: 'credential-invalid' }],
    [{ category: 'tenant_access_denied', action: 'fix_configuration' }, { cause: 'configuration-invalid' }],
    [{ category: 'service_unavailable', action: 'retry' }, { cause: 'temporarily-unavailable' }],
    [
      { category: 'organisation_offline', action: 'wait_and_retry', retryAfterSeconds: 30 },
      { cause: 'temporarily-unavailable', retryAfterMs: 30_000 },
    ],
  ])('%j carries n8n failure %j', async (fields, failure) => {
    expect(failureOf(fields)).toEqual(failure);
    const port = new RecordingPort();
    port.fail = () => xeroFailure({ message: 'x', ...fields });
    const error = (await executeXeroGuard(fakeExecute({ parameters: create }), port).catch((e: unknown) => e)) as NodeApiError;
    expect(error.failure).toEqual(failure);
  });

  it('engine states carry their cause too (a connection that needs reconnecting)', async () => {
    const port = new RecordingPort();
    port.fail = () => Object.assign(new Error('The Xero connection needs to be reconnected'), { code: 'NEEDS_REAUTH' });
    const error = (await executeXeroGuard(fakeExecute({ parameters: create }), port).catch((e: unknown) => e)) as NodeOperationError;
    expect(error.failure).toEqual({ cause: 'credential-invalid' });
    expect(error.description).toMatch(/"Switch account"/);
  });

  it('continueOnFail puts the error on the item, with the classification, and goes on', async () => {
    const port = new RecordingPort();
    let n = 0;
    port.fail = () =>
      n++ === 0 ? xeroFailure({ message: 'Bad', category: 'validation_error', action: 'fix_request', validationMessages: ['Date is invalid'] }) : undefined;
    port.answer = () => ({ Invoices: [{ InvoiceID: 'ok' }] });
    const [out] = await executeXeroGuard(fakeExecute({ parameters: [create, create], continueOnFail: true }), port);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ pairedItem: { item: 0 }, json: { category: 'validation_error', validationMessages: ['Date is invalid'] } });
    expect(out[0].json.error).toEqual(expect.stringContaining('Date is invalid'));
    expect(out[1]).toMatchObject({ pairedItem: { item: 1 }, json: { InvoiceID: 'ok' } });
  });

  it('for the error output, shapes the failed item as n8n moves it there: only error and details, the classification in details', async () => {
    const port = new RecordingPort();
    port.fail = () => xeroFailure({ message: 'Bad', category: 'validation_error', action: 'fix_request', validationMessages: ['Date is invalid'] });
    const context = fakeExecute({ parameters: create, continueOnFail: true });
    context.getNode = () => ({ ...NODE, onError: 'continueErrorOutput' });
    const [out] = await executeXeroGuard(context, port);
    // n8n-core's handleNodeErrorOutput moves an item whose json keys are all error/message/details.
    expect(Object.keys(out[0].json).every((k) => ['error', 'message', 'details'].includes(k))).toBe(true);
    expect(out[0].json).toMatchObject({
      error: expect.stringContaining('Date is invalid'),
      details: { category: 'validation_error', validationMessages: ['Date is invalid'] },
    });
  });

  it('an empty required field is a configuration error naming the field, before any request', async () => {
    const port = new RecordingPort();
    const error = (await executeXeroGuard(fakeExecute({ parameters: { ...create, contactId: '' } }), port).catch((e: unknown) => e)) as NodeOperationError;
    expect(error.message).toMatch(/Contact ID is empty/);
    expect(error.failure).toEqual({ cause: 'configuration-invalid' });
    expect(port.calls).toHaveLength(0);
  });

  it('invalid JSON in Fields names the field and the problem', async () => {
    const port = new RecordingPort();
    await expect(executeXeroGuard(fakeExecute({ parameters: { resource: 'item', operation: 'create', fields: '{"Code": ' } }), port)).rejects.toThrow(
      /Fields \(JSON\) is not valid JSON/,
    );
  });

  it('no token or secret-looking value leaves in an error (canary)', async () => {
    const canary = 'eyJhbGciOiJSUzI1NiJ9.eyJjYW5hcnkiOiJ5ZXMifQ.c2lnbmF0dXJlLWNhbmFyeQ';
    const port = new RecordingPort();
    port.fail = () =>
      xeroFailure({
        message: `boom Bearer ${canary}`,
        summary: `Xero said Bearer ${canary}`,
        category: 'unknown',
        action: 'alert',
        validationMessages: [`token=${canary}`],
      });
    const [out] = await executeXeroGuard(fakeExecute({ parameters: create, continueOnFail: true }), port);
    expect(JSON.stringify(out)).not.toContain(canary);
    const error = await executeXeroGuard(fakeExecute({ parameters: create }), port).catch((e: unknown) => e);
    expect(JSON.stringify(error)).not.toContain(canary);
    expect((error as Error).message).not.toContain(canary);
  });

  it("refuses a custom path that leaves Xero's API", async () => {
    const port = new RecordingPort();
    for (const path of ['https://evil.test/x', '//evil.test/x', '/Invoices/../../connections', 'Invoices']) {
      await expect(executeXeroGuard(fakeExecute({ parameters: { resource: 'customApiCall', operation: 'call', method: 'GET', path } }), port)).rejects.toThrow(
        /must be a path on Xero's API/,
      );
    }
    expect(port.calls).toHaveLength(0);
  });
});

describe('Xero Guard node: binding', () => {
  afterEach(() => bindXeroPort(guardedPort));

  it('by default opens the guarded credential (no credential: the n8n error, not a defect)', async () => {
    const node = new XeroGuard();
    const context = fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }) as IExecuteFunctions;
    (context as unknown as { getCredentials: () => Promise<never> }).getCredentials = async () => {
      throw new Error('Node "Xero Guard" does not have any credentials set');
    };
    const error = (await node.execute.call(context).catch((e: unknown) => e)) as NodeOperationError;
    expect(error.message).toMatch(/does not have any credentials set/);
    expect(error.failure).not.toEqual({ cause: 'node-defect' });
  });

  it('a build left without its Xero client says so as a node defect instead of failing obscurely', async () => {
    bindXeroPort(unboundPort);
    const node = new XeroGuard();
    const error = (await node.execute
      .call(fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }) as IExecuteFunctions)
      .catch((e: unknown) => e)) as NodeOperationError;
    expect(error.failure).toEqual({ cause: 'node-defect' });
  });

  it('execute() and the organisation list run on the bound port', async () => {
    const port = new RecordingPort();
    port.tenants = [TENANT_A, TENANT_B];
    bindXeroPort(async () => port);
    const node = new XeroGuard();
    const search = await node.methods.listSearch.searchOrganisations.call({ getNode: () => ({}) } as never, 'second');
    expect(search.results).toEqual([{ name: 'Second Ltd', value: TENANT_B.tenantId, description: `ORGANISATION ${TENANT_B.tenantId}` }]);
    const [out] = await node.execute.call(
      fakeExecute({ parameters: { resource: 'organisation', operation: 'get', organizationId: { __rl: true, mode: 'list', value: TENANT_B.tenantId } } }),
    );
    expect(out[0].json.tenantId).toBe(TENANT_B.tenantId);
  });
});

describe("Xero Guard node: the option lists of n8n's own Xero node fields", () => {
  it('loads account codes from the chosen organisation, sorted by name', async () => {
    const port = new RecordingPort();
    port.tenants = [TENANT_A, TENANT_B];
    port.answer = () => ({ Accounts: [{ Code: '400', Name: 'Sales' }, { Code: '200', Name: 'Advertising' }, { Name: 'No code' }] });
    bindXeroPort(async () => port);
    const node = new XeroGuard();
    const context = {
      getNode: () => ({}),
      getCurrentNodeParameter: (name: string) => (name === 'organizationId' ? { __rl: true, mode: 'id', value: TENANT_B.tenantId } : undefined),
    };
    const options = await node.methods.loadOptions.getAccountCodes.call(context as never);
    expect(options).toEqual([
      { name: 'Advertising', value: '200' },
      { name: 'Sales', value: '400' },
    ]);
    expect(port.calls[0]).toMatchObject({ tenantId: TENANT_B.tenantId, spec: { method: 'GET', path: '/Accounts' } });
  });
});
