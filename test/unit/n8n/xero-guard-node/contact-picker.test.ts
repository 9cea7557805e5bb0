/**
 * Issue 25, items 2 and 3, against the simulator: a contact picked by name (looked up once per name
 * and execution, refused when no contact has it, before anything is written), Create or Update that
 * succeeds run after run (matched by name or by email), the editor's contact search, and the
 * organisation's own lists (tax types, tracking) read once for a burst of asks, with no error mark for
 * a value not in them.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeProperties } from 'n8n-workflow';
import { ManualClock } from '../../../../src/clock';
import { DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../../src/simulator';
import type { HttpRequest } from '../../../../src/xero';
import { OPTION_LIST_TTL_MS, resetOptionListCache } from '../../../../nodes/shared/api-node/methods';
import { openSessionClient, type SessionClient } from '../../../../nodes/shared/api-node/session-client';
import { executeXeroGuard } from '../../../../nodes/XeroGuard/execute';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';
import { XeroGuardFiles } from '../../../../nodes/XeroGuardFiles/XeroGuardFiles.node';
import { XeroGuardPayrollUk } from '../../../../nodes/XeroGuardPayrollUk/XeroGuardPayrollUk.node';
import { fakeContext, makeN8nFixture, type N8nFixture } from '../n8n-fixture';
import { ALL_SCOPES, fakeExecute, simulatorClient } from './stand-in';

describe('the contact picker and Create or Update, against the simulator', () => {
  let sim: Simulator;
  let sent: HttpRequest[];
  let session: SessionClient;
  let executions = 0;

  beforeAll(async () => {
    sim = await startSimulator({ host: '127.0.0.1' });
    const grant = sim.seedGrant({ scopes: ALL_SCOPES });
    session = {
      client: simulatorClient(sim.apiUrl, grant.access_token, (request) => sent.push(request)),
      organisations: async () => [{ tenantId: DEMO_TENANT_ID, tenantName: 'Demo Company (NZ)', tenantType: 'ORGANISATION' }],
      grantedScopes: async () => ALL_SCOPES,
    };
  });
  beforeEach(() => {
    sent = [];
  });
  afterAll(() => sim.close());

  const run = async (parameters: IDataObject | IDataObject[], continueOnFail = false) => {
    const [out] = await executeXeroGuard(fakeExecute({ parameters, continueOnFail, executionId: `exec-${++executions}` }), session);
    return out.map((o) => o.json);
  };
  /** Each request as a person reads it: its path, and its query decoded. */
  const calls = () =>
    sent.map((r) => {
      const url = new URL(r.url);
      const query = [...url.searchParams].map(([k, v]) => `${k}=${v}`).join('&');
      return `${r.method} ${decodeURIComponent(url.pathname)}${query ? `?${query}` : ''}`;
    });
  const contactsNamed = async (name: string) =>
    (await run({ resource: 'contact', operation: 'getAll', returnAll: true, options: { where: `Name=="${name}"` } })).length;

  it('Create or Update run twice: the first creates the contact, the second updates it, both succeed', async () => {
    const name = `Harbour Florists ${Date.now()}`;
    const [first] = await run({ resource: 'contact', operation: 'upsert', name, additionalFields: { emailAddress: 'one@harbour.test' } });
    expect(calls()).toEqual([`GET /api.xro/2.0/Contacts?searchTerm=${name}&page=1&pageSize=100`, 'POST /api.xro/2.0/Contacts']);
    sent = [];
    // Another case, as a person types it again: still the same contact.
    const [second] = await run({ resource: 'contact', operation: 'upsert', name: name.toUpperCase(), additionalFields: { emailAddress: 'two@harbour.test' } });
    expect(calls()).toEqual([
      `GET /api.xro/2.0/Contacts?searchTerm=${name.toUpperCase()}&page=1&pageSize=100`,
      `POST /api.xro/2.0/Contacts/${String(first!.ContactID)}`,
    ]);
    expect(second).toMatchObject({ ContactID: first!.ContactID, EmailAddress: 'two@harbour.test' });
    expect(await contactsNamed(name.toUpperCase())).toBe(1);
  });

  it('Create or Update by email finds the contact by its email, not by a name that only contains it', async () => {
    const stamp = Date.now();
    const [created] = await run({
      resource: 'contact',
      operation: 'create',
      name: `Kauri Legal ${stamp}`,
      additionalFields: { emailAddress: `ap-${stamp}@kauri.test` },
    });
    await run({ resource: 'contact', operation: 'create', name: `ap-${stamp}@kauri.test fan club` });
    const [renamed] = await run({
      resource: 'contact',
      operation: 'upsert',
      matchBy: 'email',
      name: `Kauri Legal Partners ${stamp}`,
      additionalFields: { emailAddress: `AP-${stamp}@kauri.test` },
    });
    expect(renamed).toMatchObject({ ContactID: created!.ContactID, Name: `Kauri Legal Partners ${stamp}` });
  });

  it('Create or Update by email without an email is refused before any call', async () => {
    const [out] = await run({ resource: 'contact', operation: 'upsert', matchBy: 'email', name: 'No Email Ltd', additionalFields: {} }, true);
    expect(out).toMatchObject({ error: expect.stringMatching(/Match By is Email, but no Email is given/), failure: { cause: 'configuration-invalid' } });
    expect(sent).toEqual([]);
  });

  it('an invoice for a contact picked By Name: one look-up per name in an execution, then the invoice', async () => {
    const name = `Picked By Name ${Date.now()}`;
    const [contact] = await run({ resource: 'contact', operation: 'create', name });
    sent = [];
    const invoice = (reference: string) => ({
      resource: 'invoice',
      operation: 'create',
      type: 'ACCREC',
      contactId: { __rl: true, mode: 'name', value: name.toLowerCase() },
      lineItemsUi: {
        lineItemsValues: [{ description: 'Flowers', quantity: 1, unitAmount: '80', accountCode: '200', taxType: 'OUTPUT2', tracking: ['cat-1:opt-2'] }],
      },
      additionalFields: { reference },
    });
    const out = await run([invoice('A'), invoice('B')]);
    expect(out.map((o) => (o.Contact as IDataObject).ContactID)).toEqual([contact!.ContactID, contact!.ContactID]);
    expect(calls().filter((c) => c.startsWith('GET /api.xro/2.0/Contacts'))).toHaveLength(1);
    expect(calls().filter((c) => c.startsWith('POST /api.xro/2.0/Invoices'))).toHaveLength(2);
    // The line's tracking as picked from the organisation's list: both IDs.
    const line = (JSON.parse(String(sent.find((r) => r.method === 'POST')!.body)) as { Invoices: Array<{ LineItems: IDataObject[] }> }).Invoices[0]!
      .LineItems[0]!;
    expect(line).toMatchObject({ TaxType: 'OUTPUT2', Tracking: [{ TrackingCategoryID: 'cat-1', TrackingOptionID: 'opt-2' }] });
  });

  it('a name no contact has is a configuration error before anything is written', async () => {
    const [out] = await run({ resource: 'contact', operation: 'get', contactId: { __rl: true, mode: 'name', value: 'Nobody By This Name' } }, true);
    expect(out).toMatchObject({ error: 'No contact named "Nobody By This Name" in this organisation', failure: { cause: 'configuration-invalid' } });
    expect(calls().every((c) => c.startsWith('GET /api.xro/2.0/Contacts?searchTerm='))).toBe(true);
  });

  it('a contact picked From List or By ID, or a plain ID from a converted workflow, is used as it is', async () => {
    const [contact] = await run({ resource: 'contact', operation: 'create', name: `By Id ${Date.now()}` });
    for (const contactId of [
      { __rl: true, mode: 'list', value: contact!.ContactID },
      { __rl: true, mode: 'id', value: contact!.ContactID },
      contact!.ContactID,
    ]) {
      sent = [];
      const [read] = await run({ resource: 'contact', operation: 'get', contactId });
      expect(read).toMatchObject({ ContactID: contact!.ContactID });
      expect(calls()).toEqual([`GET /api.xro/2.0/Contacts/${String(contact!.ContactID)}`]);
    }
  });
});

describe("the editor's contact search and the organisation's own lists, on the guarded credential", () => {
  const node = new XeroGuard();
  let f: N8nFixture;
  let clock: ManualClock;
  beforeEach(async () => {
    f = await makeN8nFixture();
    clock = new ManualClock();
    resetOptionListCache(clock);
  });
  afterEach(async () => {
    resetOptionListCache();
    await f.close();
  });

  const load = () => {
    const grant = f.seed({ scopes: ALL_SCOPES });
    const base = fakeContext({ credentials: f.credentials(grant) });
    return { ...base, getCurrentNodeParameter: () => undefined } as unknown as ILoadOptionsFunctions;
  };
  const apiCalls = (path: string) => f.sim.log().filter((e) => e.type === 'request' && e.path === path).length;

  it('searches contacts as Xero does, one page at a time', async () => {
    const context = load();
    // Through the same chain the editor's context opens.
    const session = await openSessionClient(context);
    await executeXeroGuard(fakeExecute({ parameters: { resource: 'contact', operation: 'create', name: 'Searchable Bakery' } }), session);
    const found = await node.methods.listSearch.searchContacts.call(context, 'searchable');
    expect(found.results).toEqual([expect.objectContaining({ name: 'Searchable Bakery', value: expect.stringMatching(/^[0-9a-f-]{36}$/) })]);
    expect(found.paginationToken).toBeUndefined();
  });

  it("lists the organisation's own tax types, read once for a burst of asks and again after a minute", async () => {
    const context = load();
    const first = await node.methods.loadOptions.getTaxTypes.call(context);
    // The demo NZ organisation's codes, not n8n's fixed four.
    expect(first.map((o) => o.value)).toEqual(expect.arrayContaining(['OUTPUT2', 'INPUT2', 'NONE']));
    expect(first.find((o) => o.value === 'OUTPUT2')!.name).toMatch(/\(OUTPUT2\)$/);
    await node.methods.loadOptions.getTaxTypes.call(context);
    await node.methods.loadOptions.getTaxTypes.call(context);
    expect(apiCalls('/api.xro/2.0/TaxRates')).toBe(1);
    clock.advance(OPTION_LIST_TTL_MS + 1);
    await node.methods.loadOptions.getTaxTypes.call(context);
    expect(apiCalls('/api.xro/2.0/TaxRates')).toBe(2);
  });

  it('lists tracking options as "Category: Option", valued by both IDs', async () => {
    const options = await node.methods.loadOptions.getTrackingOptions.call(load());
    expect(options.map((o) => o.name)).toEqual(['Region: North', 'Region: South']);
    expect(options[0]!.value).toMatch(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/);
  });
});

describe('options read from the organisation are never flagged when empty or not in the list', () => {
  /** Every options field of a description, in collections and fixed collections too. */
  function optionsFields(properties: readonly INodeProperties[]): INodeProperties[] {
    return properties.flatMap((p) => [
      ...(p.type === 'options' || p.type === 'multiOptions' ? [p] : []),
      ...(p.type === 'collection' ? optionsFields((p.options ?? []) as INodeProperties[]) : []),
      ...(p.type === 'fixedCollection' ? (p.options ?? []).flatMap((g) => optionsFields(('values' in g ? g.values : []) as INodeProperties[])) : []),
    ]);
  }

  it.each([
    ['Xero Guard', new XeroGuard().description.properties],
    ['Payroll UK', new XeroGuardPayrollUk().description.properties],
    ['Files', new XeroGuardFiles().description.properties],
  ])("%s: every field loaded from the organisation allows any value (as n8n's own nodes do)", (_, properties) => {
    const loaded = optionsFields(properties).filter((p) => p.typeOptions?.loadOptionsMethod);
    expect(loaded.filter((p) => p.allowArbitraryValues !== true).map((p) => p.name)).toEqual([]);
  });

  it('the tax type of a line is loaded from the organisation and optional', () => {
    const lines = new XeroGuard().description.properties.find((p) => p.name === 'lineItemsUi')!;
    const taxType = optionsFields([lines]).find((p) => p.name === 'taxType')!;
    expect(taxType.typeOptions?.loadOptionsMethod).toBe('getTaxTypes');
    expect(taxType.required).toBeUndefined();
    expect(taxType.options).toBeUndefined();
  });

  it('no option field holds a value that is not one of its options', () => {
    const fixed = optionsFields(new XeroGuard().description.properties).filter((p) => p.type === 'options' && !p.typeOptions?.loadOptionsMethod && p.options);
    const bad = fixed.filter((p) => p.default !== '' && !(p.options as Array<{ value: unknown }>).some((o) => o.value === p.default));
    expect(bad.map((p) => p.name)).toEqual([]);
  });
});
