import { DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator } from '../../../src/simulator';
import { HELP, SEED_CLI_OPTIONS, main, seedRequestFromArgs } from '../../../cli/xero-guard-sim';
import {
  accountingSim,
  xero,
  type Envelope,
  type WireContact,
  type WireInvoice,
  type WireJournal,
  type XeroProblem,
  type XeroValidationError,
} from './accounting-helpers';
import type { ManualClock } from '../../../src/clock';
import type { AdminRefusal } from './helpers';

/** The simulator's Accounting API behaves as Xero does where clients depend on it. */
let sim: Simulator;
let clock: ManualClock;
let token: string;
beforeEach(async () => {
  ({ sim, clock, token } = await accountingSim());
});
afterEach(() => sim.close());

const LINE = { Description: 'Work', Quantity: 1, UnitAmount: 200, AccountCode: '200' };
const get = <T = unknown>(path: string, headers?: Record<string, string>) => xero<T>(sim, token, 'GET', path, undefined, headers);
type Invoices = Envelope<'Invoices', WireInvoice>;
type Contacts = Envelope<'Contacts', WireContact>;

async function contact(name = 'Kauri Legal'): Promise<string> {
  return (await xero<Contacts>(sim, token, 'PUT', 'Contacts', { Name: name })).json.Contacts[0].ContactID;
}

describe('Idempotency-Key', () => {
  it('replays the first answer for the same request and creates nothing twice; refuses the key for another request', async () => {
    const id = await contact();
    const body = { Invoices: [{ Type: 'ACCREC', Contact: { ContactID: id }, LineItems: [LINE] }] };
    const first = await xero(sim, token, 'PUT', 'Invoices', body, { 'idempotency-key': 'k-1' });
    const second = await xero(sim, token, 'PUT', 'Invoices', body, { 'idempotency-key': 'k-1' });
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(sim.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(1);
    const other = await xero<XeroProblem>(
      sim,
      token,
      'PUT',
      'Invoices',
      { Invoices: [{ ...body.Invoices[0], Reference: 'changed' }] },
      { 'idempotency-key': 'k-1' },
    );
    expect(other.status).toBe(409);
    expect(other.json.Detail).toContain('already used for a different request');
    expect(sim.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(1);
    // A validation failure is an answer too: replayed, not retried into a success.
    const bad = await xero(sim, token, 'PUT', 'Invoices', { Type: 'ACCREC' }, { 'idempotency-key': 'k-2' });
    const badAgain = await xero(sim, token, 'PUT', 'Invoices', { Type: 'ACCREC' }, { 'idempotency-key': 'k-2' });
    expect([bad.status, badAgain.status]).toEqual([400, 400]);
    expect((await xero(sim, token, 'PUT', 'Contacts', { Name: 'x' }, { 'idempotency-key': 'k'.repeat(129) })).status).toBe(400);
    // Keys are per organisation: the same key at another one is a new request.
    const secondToken = sim.seedGrant({ scopes: ['accounting.contacts'], tenants: [SECOND_TENANT_ID] }).access_token;
    expect((await xero(sim, secondToken, 'PUT', 'Contacts', { Name: 'Elsewhere' }, { 'idempotency-key': 'k-1' }, SECOND_TENANT_ID)).status).toBe(200);
    expect(sim.accounting.counts(SECOND_TENANT_ID).Contacts).toBe(1);
  });

  it('forgets a key after 24 hours on its clock', async () => {
    await xero(sim, token, 'PUT', 'Contacts', { Name: 'Once' }, { 'idempotency-key': 'day' });
    clock.advance(24 * 3600_000 + 1000);
    token = sim.seedGrant({ scopes: ['accounting.contacts'] }).access_token;
    const later = await xero<XeroValidationError>(sim, token, 'PUT', 'Contacts', { Name: 'Once' }, { 'idempotency-key': 'day' });
    expect(later.status).toBe(400);
    expect(later.json.Elements[0].ValidationErrors[0].Message).toContain('must be unique across all active contacts');
  });
});

describe('lists', () => {
  beforeEach(() => {
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 10, invoices: 120, seed: 5 });
  });

  it('filters with the where subset, orders, and answers a bad clause as a QueryParseException', async () => {
    const all = (await get<Invoices>('Invoices')).json.Invoices;
    const big = (await get<Invoices>(`Invoices?where=${encodeURIComponent('Status=="AUTHORISED" AND Total>500')}`)).json.Invoices;
    expect(big.length).toBe(all.filter((i) => i.Status === 'AUTHORISED' && i.Total > 500).length);
    expect(big.length).toBeGreaterThan(0);
    const someone = all[0].Contact.ContactID;
    const theirs = (await get<Invoices>(`Invoices?where=${encodeURIComponent(`Contact.ContactID==Guid("${someone.toUpperCase()}")`)}`)).json.Invoices;
    expect(theirs.every((i) => i.Contact.ContactID === someone)).toBe(true);
    const recent = (await get<Invoices>(`Invoices?where=${encodeURIComponent('Date>=DateTime(2026,01,01) && Type=="ACCPAY"')}`)).json.Invoices;
    expect(recent.every((i) => i.Type === 'ACCPAY' && Number(/\d+/.exec(i.Date)![0]) >= Date.UTC(2026, 0, 1))).toBe(true);
    const named = (await get<Contacts>(`Contacts?where=${encodeURIComponent('Name.ToLower().Contains("1") OR NOT IsSupplier')}`)).json.Contacts;
    expect(named.length).toBeGreaterThan(0);
    const ordered = (await get<Invoices>('Invoices?order=Total%20DESC')).json.Invoices.map((i) => i.Total);
    expect(ordered).toEqual([...ordered].sort((a: number, b: number) => b - a));
    const bad = await get<XeroValidationError>(`Invoices?where=${encodeURIComponent('Total >> 5')}`);
    expect(bad.status).toBe(400);
    expect(bad.json.Type).toBe('QueryParseException');
  });

  it('pages with a pagination object, caps pageSize at 1,000, and leaves line items out of unpaged lists', async () => {
    const p = (await get<Invoices>('Invoices?page=2&pageSize=50')).json;
    expect(p.pagination).toEqual({ page: 2, pageSize: 50, pageCount: 3, itemCount: 120 });
    expect(p.Invoices).toHaveLength(50);
    expect(p.Invoices[0].LineItems!.length).toBeGreaterThan(0);
    expect((await get<Invoices>('Invoices?page=1&pageSize=5000')).json.pagination!.pageSize).toBe(1000);
    expect((await get<Invoices>('Invoices')).json.Invoices[0].LineItems).toBeUndefined();
    expect((await get<Invoices>('Invoices?page=1&summaryOnly=true')).json.Invoices[0].LineItems).toBeUndefined();
    const ids = p.Invoices.slice(0, 3).map((i) => i.InvoiceID);
    expect((await get<Invoices>(`Invoices?IDs=${ids.join(',')}`)).json.Invoices.map((i) => i.InvoiceID).sort()).toEqual([...ids].sort());
    expect((await get<Invoices>('Invoices?Statuses=DRAFT')).json.Invoices.every((i) => i.Status === 'DRAFT')).toBe(true);
  });

  it('If-Modified-Since returns only records changed after it', async () => {
    const cutoff = new Date(clock.now()).toISOString().slice(0, 19);
    clock.advance(1000);
    const fresh = await contact('Changed Later Ltd');
    const r = await get<Contacts>('Contacts', { 'if-modified-since': cutoff });
    expect(r.json.Contacts.map((c) => c.ContactID)).toEqual([fresh]);
  });

  it('journals come 100 after an offset, and payments mark invoices paid', async () => {
    const first = (await get<Envelope<'Journals', WireJournal>>('Journals')).json.Journals;
    expect(first).toHaveLength(100);
    const next = (await get<Envelope<'Journals', WireJournal>>(`Journals?offset=${first[99].JournalNumber}`)).json.Journals;
    expect(next[0].JournalNumber).toBe(first[99].JournalNumber + 1);
    const paid = (await get<Invoices>('Invoices?Statuses=PAID')).json.Invoices;
    expect(paid.length).toBeGreaterThan(0);
    expect(paid.every((i) => i.AmountDue === 0 && i.Payments!.length > 0)).toBe(true);
  });
});

describe('errors as Xero sends them', () => {
  it('404 pages, 403 for another tenant, 401 AuthorizationUnsuccessful without the scope, whole-batch 400', async () => {
    const missing = await get('Invoices/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    expect((await get('Widgets')).status).toBe(404);
    expect((await xero(sim, token, 'GET', 'Contacts', undefined, {}, SECOND_TENANT_ID)).status).toBe(403);
    const narrow = sim.seedGrant({ scopes: ['accounting.contacts'] }).access_token;
    const denied = await xero<XeroProblem>(sim, narrow, 'GET', 'Invoices');
    expect(denied.status).toBe(401);
    expect(denied.json.Detail).toBe('AuthorizationUnsuccessful');
    const id = await contact();
    const batch = await xero<XeroValidationError>(sim, token, 'PUT', 'Invoices', {
      Invoices: [
        { Type: 'ACCREC', Contact: { ContactID: id }, LineItems: [LINE] },
        { Type: 'ACCREC', LineItems: [LINE] },
      ],
    });
    expect(batch.status).toBe(400);
    expect(batch.json.Elements).toEqual([{ ValidationErrors: [{ Message: 'A Contact must be specified for this type of transaction' }] }]);
    expect(sim.accounting.counts(DEMO_TENANT_ID).Invoices ?? 0).toBe(0);
  });

  it('per-organisation limits set through the admin API: a 429 with X-Rate-Limit-Problem and Retry-After, other tenants untouched', async () => {
    const set = await fetch(`${sim.adminUrl}/accounting/rate-limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: DEMO_TENANT_ID, enabled: true, perDay: 2 }),
    });
    expect(set.status).toBe(200);
    expect((await get('Contacts')).headers.get('x-daylimit-remaining')).toBe('1');
    await get('Contacts');
    const refused = await get('Contacts');
    expect(refused.status).toBe(429);
    expect(refused.text).toBe('');
    expect(refused.headers.get('x-rate-limit-problem')).toBe('day');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-daylimit-remaining')).toBe('0');
    const other = sim.seedGrant({ scopes: ['accounting.contacts'], tenants: [SECOND_TENANT_ID] }).access_token;
    const elsewhere = await xero(sim, other, 'GET', 'Contacts', undefined, {}, SECOND_TENANT_ID);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('x-daylimit-remaining')).toBe('4999');
    const bad = await fetch(`${sim.adminUrl}/accounting/rate-limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: DEMO_TENANT_ID, perDay: 0 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as AdminRefusal).field).toBe('perDay');
  });

  it('attachments: ten per document, 10 MB each (413 above)', async () => {
    const id = await contact();
    for (let i = 0; i < 10; i++)
      expect((await xero(sim, token, 'PUT', `Contacts/${id}/Attachments/f${i}.txt`, Buffer.from(`file ${i}`), { 'content-type': 'text/plain' })).status).toBe(
        200,
      );
    const eleventh = await xero<XeroValidationError>(sim, token, 'PUT', `Contacts/${id}/Attachments/f10.txt`, Buffer.from('x'), {
      'content-type': 'text/plain',
    });
    expect(eleventh.status).toBe(400);
    expect(eleventh.json.Elements[0].ValidationErrors[0].Message).toContain('up to 10 files');
    // The same name replaces rather than adds.
    expect((await xero(sim, token, 'POST', `Contacts/${id}/Attachments/f0.txt`, Buffer.from('new'), { 'content-type': 'text/plain' })).status).toBe(200);
    const inv = (await xero<Invoices>(sim, token, 'PUT', 'Invoices', { Type: 'ACCREC', Contact: { ContactID: id }, LineItems: [LINE] })).json.Invoices[0];
    const tooBig = await xero(sim, token, 'PUT', `Invoices/${inv.InvoiceID}/Attachments/big.bin`, Buffer.alloc(10 * 1024 * 1024 + 1), {
      'content-type': 'application/octet-stream',
    });
    expect(tooBig.status).toBe(413);
  });
});

describe('seeding', () => {
  it('the admin route and the CLI command fill a book; bad input names the field', async () => {
    const r = await fetch(`${sim.adminUrl}/accounting/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: DEMO_TENANT_ID, contacts: 5, invoices: 40 }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual(expect.objectContaining({ contacts: 5, invoices: 40 }));
    const counts = (await (await fetch(`${sim.adminUrl}/accounting/counts?tenantId=${DEMO_TENANT_ID}`)).json()) as { counts: Record<string, number> };
    expect(counts.counts.Invoices).toBe(40);
    const bad = await fetch(`${sim.adminUrl}/accounting/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'nope' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as AdminRefusal).field).toBe('tenantId');
    for (const name of Object.keys(SEED_CLI_OPTIONS)) expect(HELP).toContain(`--${name}`);
    expect(() => seedRequestFromArgs(['--invoices', '5'])).toThrow('--tenant');
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
    try {
      expect(await main(['seed', '--url', sim.url, '--tenant', SECOND_TENANT_ID, '--contacts', '3', '--invoices', '12'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(out.join('')).toContain(`Seeded ${SECOND_TENANT_ID}: 3 contacts, 12 invoices`);
    expect(sim.accounting.counts(SECOND_TENANT_ID).Invoices).toBe(12);
    await fetch(`${sim.adminUrl}/accounting/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: SECOND_TENANT_ID }),
    });
    expect(sim.accounting.counts(SECOND_TENANT_ID).Invoices ?? 0).toBe(0);
  });
});
