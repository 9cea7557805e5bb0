/**
 * The Xero Guard node's executor over the real core client, Xero behind its injected transport: the
 * organisation an item works in, paging to a limit, batched writes paired back to their items, and
 * every failure as the n8n error (and failure cause) it becomes, secret-free.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import type { HttpResponse } from '../../../../src/xero';
import { deriveIdempotencyKey } from '../../../../src/xero/accounting';
import { failureOf } from '../../../../nodes/shared/api-node/errors';
import { executeXeroGuard } from '../../../../nodes/XeroGuard/execute';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';
import { FakeXero, fakeExecute, json, NODE, TENANT_A, TENANT_B } from './stand-in';

const getAll = { resource: 'invoice', operation: 'getAll' };
const keyOf = (stableId: string, path = 'Contacts') => deriveIdempotencyKey({ stableId, method: 'POST', path, tenantId: TENANT_A.tenantId });

/** Xero's answer to a write it refused (HTTP 400), with its validation words. */
const refused = (...messages: string[]): HttpResponse =>
  json(
    {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: messages.map((Message) => ({ Message })) }],
    },
    400,
  );

describe('Xero Guard node: organisation', () => {
  it('uses the only organisation without asking', async () => {
    const xero = new FakeXero();
    await executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }), xero.session());
    expect(xero.requests[0].headers['xero-tenant-id']).toBe(TENANT_A.tenantId);
  });

  it('refuses to guess between several, listing them', async () => {
    const xero = new FakeXero();
    xero.tenants = [TENANT_A, TENANT_B];
    const run = () => executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }), xero.session());
    await expect(run()).rejects.toThrow(NodeOperationError);
    await expect(run()).rejects.toThrow(/reaches 2 organisations.*Demo Company \(NZ\).*Second Ltd/);
    expect(xero.requests).toHaveLength(0);
  });

  it.each([
    [{ __rl: true, mode: 'list', value: TENANT_B.tenantId }, TENANT_B],
    [{ __rl: true, mode: 'id', value: TENANT_B.tenantId }, TENANT_B],
    [{ __rl: true, mode: 'name', value: 'second ltd' }, TENANT_B],
    [TENANT_A.tenantId, TENANT_A],
  ])('picks %j', async (organizationId, tenant) => {
    const xero = new FakeXero();
    xero.tenants = [TENANT_A, TENANT_B];
    await executeXeroGuard(fakeExecute({ parameters: { resource: 'organisation', operation: 'get', organizationId } }), xero.session());
    expect(xero.requests[0].headers['xero-tenant-id']).toBe(tenant.tenantId);
  });

  it('names an organisation the connection does not reach, with a configuration-invalid cause', async () => {
    const xero = new FakeXero();
    const error = await executeXeroGuard(
      fakeExecute({ parameters: { resource: 'organisation', operation: 'get', organizationId: { __rl: true, mode: 'name', value: 'Gone Ltd' } } }),
      xero.session(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as NodeOperationError).message).toMatch(/No organisation named "Gone Ltd".*Demo Company/);
    expect((error as NodeOperationError).failure).toEqual({ cause: 'configuration-invalid' });
  });

  it('asks for the organisations once per execution, however many items', async () => {
    const xero = new FakeXero();
    const organisation = { resource: 'organisation', operation: 'get' };
    await executeXeroGuard(fakeExecute({ parameters: [organisation, organisation, organisation] }), xero.session());
    expect(xero.organisationCalls).toBe(1);
    expect(xero.requests).toHaveLength(3);
  });
});

describe('Xero Guard node: Get Many', () => {
  it('pages to the limit and stops there, pairing every record with its item; Return All reads to the short last page', async () => {
    const xero = new FakeXero();
    xero.answer = (request) => {
      const page = Number(new URL(request.url).searchParams.get('page'));
      const size = page < 3 ? 100 : 50;
      return json({ Invoices: Array.from({ length: size }, (_, i) => ({ InvoiceID: `${page}-${i}` })) });
    };
    const [out] = await executeXeroGuard(fakeExecute({ parameters: { ...getAll, returnAll: false, limit: 150 } }), xero.session());
    expect(out).toHaveLength(150);
    expect(out[149].json.InvoiceID).toBe('2-49');
    expect(out.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
    expect(xero.requests.map((r) => new URL(r.url).searchParams.get('page'))).toEqual(['1', '2']);

    xero.requests = [];
    const [all] = await executeXeroGuard(fakeExecute({ parameters: { ...getAll, returnAll: true, limit: 3 } }), xero.session());
    expect(all).toHaveLength(250);
    expect(xero.requests.map((r) => new URL(r.url).searchParams.get('page'))).toEqual(['1', '2', '3']);
  });
});

describe('Xero Guard node: batch writes', () => {
  const contacts = ['Ann', 'Bob', 'Cy'].map((name) => ({ resource: 'contact', operation: 'create', name, xeroGuardSettings: { batchSize: 50 } }));
  const echo = (xero: FakeXero) => (request: { body?: string | Uint8Array }) =>
    json({
      Contacts: (JSON.parse(String(request.body)) as { Contacts: Array<{ Name: string }> }).Contacts.map((c, i) => ({
        ContactID: `id-${xero.requests.length}-${i}`,
        Name: c.Name,
      })),
    });

  it('sends several items in one request and pairs each result back to its item', async () => {
    const xero = new FakeXero();
    xero.answer = echo(xero);
    const [out] = await executeXeroGuard(fakeExecute({ parameters: contacts }), xero.session());
    expect(xero.requests).toHaveLength(1);
    expect(xero.requests[0].method).toBe('POST');
    expect(xero.urlOf().pathname).toBe('/api.xro/2.0/Contacts');
    expect(xero.urlOf().searchParams.get('summarizeErrors')).toBe('false');
    expect(xero.bodyOf()).toEqual({ Contacts: [{ Name: 'Ann' }, { Name: 'Bob' }, { Name: 'Cy' }] });
    expect(xero.requests[0].headers['idempotency-key']).toBe(keyOf('exec-42:node-1:0:0-2'));
    expect(out.map((o) => [o.json.Name, o.pairedItem])).toEqual([
      ['Ann', { item: 0 }],
      ['Bob', { item: 1 }],
      ['Cy', { item: 2 }],
    ]);
  });

  it('keeps batches within the batch size', async () => {
    const xero = new FakeXero();
    xero.answer = echo(xero);
    await executeXeroGuard(fakeExecute({ parameters: contacts.map((c) => ({ ...c, xeroGuardSettings: { batchSize: 2 } })) }), xero.session());
    expect(xero.requests.map((_, i) => (xero.bodyOf(i) as { Contacts: unknown[] }).Contacts.length)).toEqual([2, 1]);
  });

  it('batches an update with its neighbours on the collection, each record naming its ID', async () => {
    const xero = new FakeXero();
    xero.answer = echo(xero);
    const updates = ['c1', 'c2'].map((contactId) => ({
      resource: 'contact',
      operation: 'update',
      contactId,
      updateFields: { name: contactId.toUpperCase() },
      xeroGuardSettings: { batchSize: 10 },
    }));
    await executeXeroGuard(fakeExecute({ parameters: updates }), xero.session());
    expect(xero.requests).toHaveLength(1);
    expect(xero.urlOf().pathname).toBe('/api.xro/2.0/Contacts');
    expect(xero.bodyOf()).toEqual({
      Contacts: [
        { Name: 'C1', ContactID: 'c1' },
        { Name: 'C2', ContactID: 'c2' },
      ],
    });
  });

  it('turns one refused element into an error on its own item (continueOnFail), the others succeed', async () => {
    const xero = new FakeXero();
    xero.answer = () =>
      json({
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
    const [out] = await executeXeroGuard(fakeExecute({ parameters: contacts, continueOnFail: true }), xero.session());
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
    expect(out[1].json).toMatchObject({ category: 'validation_error', validationMessages: ['The contact name Bob is already assigned to another contact.'] });
    expect(String(out[1].json.error)).toContain('already assigned');
    expect(out[2].json.ContactID).toBe('c');
  });

  it('an element Xero marks as refused without a reason is still an error on its item', async () => {
    const xero = new FakeXero();
    xero.answer = () =>
      json({
        Contacts: [
          { ContactID: 'a', Name: 'Ann' },
          { Name: 'Bob', StatusAttributeString: 'ERROR' },
        ],
      });
    const [out] = await executeXeroGuard(fakeExecute({ parameters: contacts.slice(0, 2), continueOnFail: true }), xero.session());
    expect(out[0].json.ContactID).toBe('a');
    expect(out[1]).toMatchObject({ pairedItem: { item: 1 }, json: { category: 'validation_error', validationMessages: [] } });
  });

  it("without continueOnFail, a refused element fails the node with Xero's message", async () => {
    const xero = new FakeXero();
    xero.answer = () =>
      json({ Contacts: [{ Name: 'Ann', HasErrors: true, ValidationErrors: [{ Message: 'Email address must be valid.' }] }, { Name: 'Bob' }] });
    await expect(executeXeroGuard(fakeExecute({ parameters: contacts.slice(0, 2) }), xero.session())).rejects.toThrow(/Email address must be valid/);
  });

  it('a batch Xero refuses as a whole fails every item in it the same way (continueOnFail)', async () => {
    const xero = new FakeXero();
    xero.answer = () => refused('Contact name is too long');
    const [out] = await executeXeroGuard(fakeExecute({ parameters: contacts, continueOnFail: true }), xero.session());
    expect(xero.requests).toHaveLength(1);
    expect(out.map((o) => [o.pairedItem, o.json.validationMessages])).toEqual([0, 1, 2].map((item) => [{ item }, ['Contact name is too long']]));
  });

  it('a retry of the same run repeats the idempotency key; another run of the node (a loop) gets new ones', async () => {
    const keys = async (o: { executionId?: string; runIndex?: number }) => {
      const xero = new FakeXero();
      xero.answer = echo(xero);
      await executeXeroGuard(fakeExecute({ parameters: contacts.slice(0, 1).map(({ xeroGuardSettings: _s, ...c }) => c), ...o }), xero.session());
      return xero.requests.map((r) => r.headers['idempotency-key']);
    };
    expect(await keys({})).toEqual(await keys({}));
    expect(await keys({ runIndex: 1 })).toEqual([keyOf('exec-42:node-1:1:0')]);
    expect(await keys({ executionId: 'exec-43' })).toEqual([keyOf('exec-43:node-1:0:0')]);
  });

  it('sends one request per item without a batch size (the default)', async () => {
    const xero = new FakeXero();
    xero.answer = echo(xero);
    await executeXeroGuard(fakeExecute({ parameters: contacts.map(({ xeroGuardSettings: _s, ...c }) => c) }), xero.session());
    expect(xero.requests.map((r) => r.headers['idempotency-key'])).toEqual(
      ['exec-42:node-1:0:0', 'exec-42:node-1:0:1', 'exec-42:node-1:0:2'].map((id) => keyOf(id)),
    );
    expect(xero.requests.every((_, i) => xero.urlOf(i).searchParams.get('summarizeErrors') === null)).toBe(true);
  });
});

describe('Xero Guard node: errors', () => {
  const create = { resource: 'invoice', operation: 'create', type: 'ACCREC', contactId: 'c1' };

  it("a validation error becomes a NodeApiError with Xero's messages and the classification", async () => {
    const xero = new FakeXero();
    xero.answer = () => refused('Contact is required');
    const error = (await executeXeroGuard(fakeExecute({ parameters: create }), xero.session()).catch((e: unknown) => e)) as NodeApiError;
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.message).toMatch(/^Xero rejected the data .*is not valid: Contact is required$/);
    // The summary's stop goes before Xero's words: "…is not valid: Contact…", never "…is not valid.: Contact…".
    expect(error.message).not.toContain('.:');
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
  ])('%j is n8n failure %j', (fields, failure) => {
    expect(failureOf(fields)).toEqual(failure);
  });

  // Xero's own answers, through the core client's classification, to the n8n cause each carries.
  it.each([
    [
      'a minute limit',
      json({}, 429, { 'retry-after': '600', 'x-rate-limit-problem': 'minute' }),
      'rate_limit_minute',
      { cause: 'rate-limited', retryAfterMs: 600_000 },
    ],
    [
      'the day limit',
      json({}, 429, { 'retry-after': '3600', 'x-rate-limit-problem': 'day' }),
      'rate_limit_day',
      { cause: 'quota-exhausted', retryAfterMs: 3_600_000 },
    ],
    [
      'a revoked connection',
      json({ Title: 'Unauthorized', Status: 401, Detail: 'The access token has been revoked by the user' }, 401),
      'access_revoked',
      { cause: 'credential-invalid' },
    ],
    ['a refused refresh token', json({ error: 'invalid_grant' }, 400), 'refresh_token_invalid', { cause: 'credential-invalid' }],
    [
      'an organisation no longer on the connection (reconnect and tick it)',
      json({ Title: 'Forbidden', Status: 403, Detail: 'The xero-tenant-id is not connected to this app' }, 403),
      'tenant_access_denied',
      { cause: 'credential-invalid' },
    ],
    [
      'a scope the credential lacks',
      json({ Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' }, 403),
      'insufficient_scope',
      { cause: 'configuration-invalid' },
    ],
    ['Xero down', { status: 503, headers: {}, body: 'Service Unavailable' }, 'service_unavailable', { cause: 'temporarily-unavailable' }],
    [
      'an organisation offline',
      { status: 503, headers: { 'retry-after': '30' }, body: 'The Organisation is offline' },
      'organisation_offline',
      { cause: 'temporarily-unavailable', retryAfterMs: 30_000 },
    ],
  ])('%s carries its n8n failure cause', async (_what, answer, category, failure) => {
    const xero = new FakeXero();
    xero.answer = () => answer as HttpResponse;
    const error = (await executeXeroGuard(fakeExecute({ parameters: create }), xero.session()).catch((e: unknown) => e)) as NodeApiError;
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.context.xero).toMatchObject({ category });
    expect(error.failure).toEqual(failure);
  });

  it('engine states carry their cause too (a connection that needs reconnecting)', async () => {
    const xero = new FakeXero();
    xero.tokens = {
      getAccessToken: async () => {
        throw Object.assign(new Error('The Xero connection needs to be reconnected'), { code: 'NEEDS_REAUTH' });
      },
      reportRejected: async () => undefined,
    };
    const error = (await executeXeroGuard(fakeExecute({ parameters: create }), xero.session()).catch((e: unknown) => e)) as NodeOperationError;
    expect(error.failure).toEqual({ cause: 'credential-invalid' });
    expect(error.description).toMatch(/"Switch account"/);
    expect(xero.requests).toHaveLength(0);
  });

  it('continueOnFail puts the error on the item, with the classification, and goes on', async () => {
    const xero = new FakeXero();
    xero.answer = () => (xero.requests.length === 1 ? refused('Date is invalid') : json({ Invoices: [{ InvoiceID: 'ok' }] }));
    const [out] = await executeXeroGuard(fakeExecute({ parameters: [create, create], continueOnFail: true }), xero.session());
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ pairedItem: { item: 0 }, json: { category: 'validation_error', validationMessages: ['Date is invalid'] } });
    expect(out[0].json.error).toEqual(expect.stringContaining('Date is invalid'));
    expect(out[1]).toMatchObject({ pairedItem: { item: 1 }, json: { InvoiceID: 'ok' } });
  });

  it('for the error output, shapes the failed item as n8n moves it there: only error and details, the classification in details', async () => {
    const xero = new FakeXero();
    xero.answer = () => refused('Date is invalid');
    const context = fakeExecute({ parameters: create, continueOnFail: true });
    context.getNode = () => ({ ...NODE, onError: 'continueErrorOutput' });
    const [out] = await executeXeroGuard(context, xero.session());
    // n8n-core's handleNodeErrorOutput moves an item whose json keys are all error/message/details.
    expect(Object.keys(out[0].json).every((k) => ['error', 'message', 'details'].includes(k))).toBe(true);
    expect(out[0].json).toMatchObject({
      error: expect.stringContaining('Date is invalid'),
      details: { category: 'validation_error', validationMessages: ['Date is invalid'] },
    });
  });

  it('an empty required field is a configuration error naming the field, before any request', async () => {
    const xero = new FakeXero();
    const error = (await executeXeroGuard(fakeExecute({ parameters: { ...create, contactId: '' } }), xero.session()).catch(
      (e: unknown) => e,
    )) as NodeOperationError;
    expect(error.message).toMatch(/Contact is empty/);
    expect(error.failure).toEqual({ cause: 'configuration-invalid' });
    expect(xero.requests).toHaveLength(0);
  });

  it('invalid JSON in Fields names the field and the problem', async () => {
    const xero = new FakeXero();
    await expect(executeXeroGuard(fakeExecute({ parameters: { resource: 'item', operation: 'create', fields: '{"Code": ' } }), xero.session())).rejects.toThrow(
      /Fields \(JSON\) is not valid JSON/,
    );
  });

  it('no token or secret-looking value leaves in an error (canary)', async () => {
    const canary = 'eyJhbGciOiJSUzI1NiJ9.eyJjYW5hcnkiOiJ5ZXMifQ.c2lnbmF0dXJlLWNhbmFyeQ';
    const xero = new FakeXero();
    xero.answer = () =>
      json(
        {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: `boom Bearer ${canary}`,
          Elements: [{ ValidationErrors: [{ Message: `token=${canary}` }, { Message: `Xero said Bearer ${canary}` }] }],
        },
        400,
      );
    const [out] = await executeXeroGuard(fakeExecute({ parameters: create, continueOnFail: true }), xero.session());
    expect(JSON.stringify(out)).not.toContain(canary);
    const error = await executeXeroGuard(fakeExecute({ parameters: create }), xero.session()).catch((e: unknown) => e);
    expect(JSON.stringify(error)).not.toContain(canary);
    expect((error as Error).message).not.toContain(canary);
  });
});

describe('Xero Guard node: path segments', () => {
  const run = (xero: FakeXero, parameters: IDataObject) => executeXeroGuard(fakeExecute({ parameters }), xero.session()).catch((e: unknown) => e);

  it('an ID or file name with a "/" cannot add a path level: refused naming the field, nothing sent', async () => {
    const xero = new FakeXero();
    for (const [parameters, field] of [
      [{ resource: 'contact', operation: 'get', contactId: '../Invoices' }, 'Contact ID'],
      [{ resource: 'invoice', operation: 'void', invoiceId: 'abc/Email' }, 'Invoice ID'],
      [{ resource: 'attachment', operation: 'download', parentType: 'Invoices', parentId: 'x', fileName: 'a/b.pdf' }, 'File Name'],
      [{ resource: 'trackingCategory', operation: 'deleteOption', trackingCategoryId: 'x', trackingOptionId: '..' }, 'Option ID'],
    ] as const) {
      const error = (await run(xero, parameters)) as NodeOperationError;
      expect(error).toBeInstanceOf(NodeOperationError);
      expect(error.message).toContain(`${field} cannot be part of a Xero path`);
      expect(error.message).toContain(`Correct "${field}"`);
      expect(error.failure).toEqual({ cause: 'configuration-invalid' });
    }
    expect(xero.requests).toHaveLength(0);
  });

  it('an ID with characters a URL reserves reaches Xero as one segment, encoded once', async () => {
    const xero = new FakeXero();
    await run(xero, { resource: 'contact', operation: 'get', contactId: 'a b?c#d%20' });
    expect(xero.urlOf().pathname).toBe('/api.xro/2.0/Contacts/a%20b%3Fc%23d%2520');
    expect(xero.urlOf().search).toBe('');
  });

  it("refuses a custom path that leaves Xero's API", async () => {
    const xero = new FakeXero();
    for (const path of ['https://evil.test/x', '//evil.test/x', '/Invoices/../../connections', 'Invoices', '/Invoices?where=x']) {
      await expect(
        executeXeroGuard(fakeExecute({ parameters: { resource: 'customApiCall', operation: 'call', method: 'GET', path } }), xero.session()),
      ).rejects.toThrow(/must be a path on Xero's API/);
    }
    expect(xero.requests).toHaveLength(0);
  });

  it('a custom path is read as typed in a URL: decoded once, and a "/" hidden as %2F or a broken escape is refused', async () => {
    const xero = new FakeXero();
    await run(xero, { resource: 'customApiCall', operation: 'call', method: 'GET', path: '/api.xro/2.0/Invoices/x/Attachments/my%20file%231.pdf' });
    expect(xero.urlOf().pathname).toBe('/api.xro/2.0/Invoices/x/Attachments/my%20file%231.pdf');
    for (const [path, problem] of [
      ['/Invoices/a%2Fb', 'contains a "/"'],
      ['/Invoices/100%', 'is not valid percent-encoding'],
    ]) {
      const error = (await run(xero, { resource: 'customApiCall', operation: 'call', method: 'GET', path })) as NodeOperationError;
      expect(error).toBeInstanceOf(NodeOperationError);
      expect(error.message).toMatch(/^Path ".*" must be a path on Xero's API/);
      expect(error.message).toContain(problem);
    }
    expect(xero.requests).toHaveLength(1);
  });
});

describe('Xero Guard node: the credential', () => {
  it('opens the guarded credential (no credential: the n8n error, not a defect)', async () => {
    const node = new XeroGuard();
    const context = fakeExecute({ parameters: { resource: 'organisation', operation: 'get' } }) as IExecuteFunctions;
    (context as unknown as { getCredentials: () => Promise<never> }).getCredentials = async () => {
      throw new Error('Node "Xero Guard" does not have any credentials set');
    };
    const error = (await node.execute.call(context).catch((e: unknown) => e)) as NodeOperationError;
    expect(error.message).toMatch(/does not have any credentials set/);
    expect(error.failure).not.toEqual({ cause: 'node-defect' });
  });
});
