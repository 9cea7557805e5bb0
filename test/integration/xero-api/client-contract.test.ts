import { DEMO_TENANT_ID, SECOND_TENANT_ID } from '../../../src/simulator';
import { MemoryLedger } from '../../../src/ledger';
import { TokenEngine } from '../../../src/engine';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../../src/simulator';
import { XeroApiError, XeroIdentityClient, XeroRequestError, tokenSourceFor, type XeroTokenSource } from '../../../src/xero';
import { rejection, setup, START, type Setup } from './support';

/**
 * The Accounting API client against the real simulator over HTTP: the contract points,
 * each with a check that fails when the behaviour is broken.
 */
let s: Setup;
afterEach(async () => {
  await s?.sim.close();
});

const LINE = { Description: 'Consulting', Quantity: 1, UnitAmount: 100, AccountCode: '200' };

/** The Accounting API's envelopes, with the fields these tests read. */
type Contacts = { Contacts: Array<{ ContactID: string }> };
type Invoices = {
  Invoices: Array<{
    InvoiceID: string;
    InvoiceNumber: string;
    Date: string;
    DateString: string;
    DueDate: string;
    UpdatedDateUTC: string;
  }>;
};

async function aContact(): Promise<string> {
  const r = await s
    .client()
    .request<Contacts>({ method: 'PUT', path: 'Contacts', body: { Contacts: [{ Name: `Customer ${Math.random()}` }] }, stableId: `contact-${Math.random()}` });
  return r.body.Contacts[0].ContactID;
}

describe('paging', () => {
  it('returns each of 2,500 invoices exactly once, one page in memory at a time, and stops without an extra call', async () => {
    s = await setup();
    s.sim.accounting.seed(DEMO_TENANT_ID, { contacts: 20, invoices: 2500, seed: 3 });
    const total = s.sim.accounting.counts(DEMO_TENANT_ID).Invoices;
    expect(total).toBe(2500);
    const seen = new Set<string>();
    let pages = 0;
    const iterator = s.client().pages({ path: 'Invoices', query: { pageSize: 100 } });
    for await (const page of iterator) {
      pages++;
      // Lazy: the client asked for exactly the pages handed out so far, nothing ahead, nothing kept.
      expect(s.transport.requests.length).toBe(pages);
      expect(page.records.length).toBeLessThanOrEqual(100);
      expect(page.pagination).toEqual({ page: pages, pageSize: 100, pageCount: 25, itemCount: 2500 });
      for (const r of page.records as Array<{ InvoiceID: string }>) {
        expect(seen.has(r.InvoiceID)).toBe(false);
        seen.add(r.InvoiceID);
      }
    }
    expect(seen.size).toBe(2500);
    // 25 full pages and Xero's pageCount: no 26th call to find an empty page.
    expect(pages).toBe(25);
    expect(s.transport.requests.map((r) => new URL(r.url).searchParams.get('page'))).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
  });

  it('stops asking when the caller stops reading, and ends at a short page when there is no pagination object', async () => {
    s = await setup();
    s.sim.accounting.seed(DEMO_TENANT_ID, { contacts: 5, invoices: 250, seed: 1 });
    for await (const page of s.client().pages({ path: 'Invoices', query: { pageSize: 100 } })) {
      if (page.page === 2) break;
    }
    expect(s.transport.requests.length).toBe(2);
    // Records flatten across pages; a filtered list ends at its short page.
    const ids: string[] = [];
    for await (const r of s.client().records({ path: 'Invoices', query: { pageSize: 100, where: 'Type=="ACCREC"' } }))
      ids.push((r as { InvoiceID: string }).InvoiceID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(150);
  });

  it('asks for one answer from endpoints that do not page, and refuses a pageSize Xero would not take', async () => {
    s = await setup();
    const pages = [];
    for await (const page of s.client().pages({ path: 'Accounts', query: { pageSize: 2 } })) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.records.length).toBeGreaterThan(2);
    expect(new URL(s.transport.requests[0]!.url).searchParams.has('page')).toBe(false);
    const refused = await rejection(
      (async () => {
        for await (const _ of s.client().pages({ path: 'Invoices', query: { pageSize: 1001 } })) void _;
      })(),
    );
    expect(refused).toBeInstanceOf(XeroRequestError);
    expect(refused.message).toContain('1 to 1000');
  });
});

describe('idempotency', () => {
  it('a retried PUT with the same stable id creates one invoice, even when the first answer was lost', async () => {
    s = await setup();
    const contactId = await aContact();
    const before = s.sim.accounting.counts(DEMO_TENANT_ID).Invoices ?? 0;
    s.sim.faults.add({ kind: 'drop-response', endpoint: 'accounting' });
    const body = { Invoices: [{ Type: 'ACCREC', Contact: { ContactID: contactId }, LineItems: [LINE] }] };
    const lost = await rejection(s.client().request({ method: 'PUT', path: 'Invoices', body, stableId: 'exec-42:item-0' }));
    expect(lost).toBeInstanceOf(XeroApiError);
    expect(lost.category).toBe('network_error');
    expect(lost.retryable).toBe(true);
    // The invoice was made; the answer never arrived. The host retries the item.
    expect(s.sim.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(before + 1);
    const retried = await s.client().request<Invoices>({ method: 'PUT', path: 'Invoices', body, stableId: 'exec-42:item-0' });
    const again = await s.client().request<Invoices>({ method: 'PUT', path: 'Invoices', body, stableId: 'exec-42:item-0' });
    expect(s.sim.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(before + 1);
    expect(again.body.Invoices[0].InvoiceID).toBe(retried.body.Invoices[0].InvoiceID);
    const keys = s.transport.requests.filter((r) => r.method === 'PUT' && r.url.includes('/Invoices')).map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^xg1-[A-Za-z0-9_-]{43}$/);
    // Without a stable id the same loss is a warning: a retry could create the invoice twice.
    s.sim.faults.add({ kind: 'drop-response', endpoint: 'accounting' });
    const unkeyed = await rejection(s.client().request({ method: 'PUT', path: 'Invoices', body }));
    expect(unkeyed.message).toContain('carried no Idempotency-Key');
    expect(s.sim.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(before + 2);
    // Another item is another key, and another invoice.
    await s.client().request({ method: 'PUT', path: 'Invoices', body, stableId: 'exec-42:item-1' });
    expect(s.sim.accounting.counts(DEMO_TENANT_ID).Invoices).toBe(before + 3);
  });

  it('binds the key to method, path and organisation, and sends none without a stable id', async () => {
    s = await setup();
    s.sim.seedGrant({ scopes: ['accounting.contacts'], tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const tokens = s.client();
    await tokens.request({ method: 'PUT', path: 'Contacts', body: { Name: 'A1' }, stableId: 'same' });
    await tokens.request({ method: 'POST', path: 'Contacts', body: { Name: 'A2' }, stableId: 'same' });
    await tokens.request({ method: 'PUT', path: 'ContactGroups', body: { Name: 'G' }, stableId: 'same' });
    await tokens.request({ method: 'PUT', path: 'Contacts', body: { Name: 'A3' } });
    const keys = s.transport.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[3]).toBeUndefined();
    expect(new Set(keys.slice(0, 3)).size).toBe(3);
    const own = await s.client().request({ method: 'PUT', path: 'Contacts', body: { Name: 'A4' }, idempotencyKey: 'my-own-key-1' });
    expect(own.idempotencyKey).toBe('my-own-key-1');
    const tooLong = await rejection(s.client().request({ method: 'PUT', path: 'Contacts', body: { Name: 'A5' }, idempotencyKey: 'k'.repeat(129) }));
    expect(tooLong).toBeInstanceOf(XeroRequestError);
    expect(s.transport.requests.length).toBe(5);
  });
});

describe('rate limits', () => {
  it('waits out Retry-After: 3 on the injected clock and succeeds', async () => {
    s = await setup();
    s.sim.faults.add({ kind: 'rate-limit', endpoint: 'accounting', retryAfter: 3, problem: 'minute' });
    const r = await s.client().request({ path: 'Contacts' });
    expect(r.status).toBe(200);
    expect(r.waitedSeconds).toBe(3);
    expect(s.clientClock.now() - START).toBe(3000);
    expect(s.transport.requests.length).toBe(2);
    // The refused call spent nothing; the one that went through is counted.
    expect(r.limits).toEqual({ dayRemaining: 4999, minuteRemaining: 59, appMinuteRemaining: 9999 });
  });

  it('fails at once on Retry-After: 600 as rate_limit_minute with retryAfterSeconds', async () => {
    s = await setup();
    s.sim.faults.add({ kind: 'rate-limit', endpoint: 'accounting', retryAfter: 600, problem: 'minute' });
    const error = await rejection(s.client().request({ path: 'Contacts' }));
    expect(error).toBeInstanceOf(XeroApiError);
    expect(error.category).toBe('rate_limit_minute');
    expect(error.action).toBe('wait_and_retry');
    expect(error.retryAfterSeconds).toBe(600);
    expect(error.httpStatus).toBe(429);
    expect(error.limits!.minuteRemaining).toBe(0);
    expect(s.clientClock.now()).toBe(START);
    expect(s.transport.requests.length).toBe(1);
    // A caller that allows ten minutes waits it out instead.
    s.sim.faults.add({ kind: 'rate-limit', endpoint: 'accounting', retryAfter: 600, problem: 'day' });
    const patient = await s.client({ maxWaitSeconds: 900 }).request({ path: 'Contacts' });
    expect(patient.waitedSeconds).toBe(600);
  });

  it("rides an organisation's own minute limit by waiting on the shared clock", async () => {
    s = await setup({ sharedClock: true });
    s.sim.accounting.setTenantRateLimits(DEMO_TENANT_ID, { enabled: true, perMinute: 2 });
    const client = s.client();
    const a = await client.request({ path: 'Contacts' });
    expect(a.limits.minuteRemaining).toBe(1);
    await client.request({ path: 'Contacts' });
    const third = await client.request({ path: 'Contacts' });
    expect(third.waitedSeconds).toBeGreaterThan(0);
    expect(third.waitedSeconds).toBeLessThanOrEqual(60);
  });
});

describe('tokens', () => {
  it('a 401 reports the token to a real TokenEngine, which refreshes once, and the call is retried once', async () => {
    s = await setup();
    const engineClock = s.clientClock;
    const identity = new XeroIdentityClient({ endpoints: { tokenUrl: s.sim.tokenUrl }, clock: engineClock });
    const engine = new TokenEngine({
      ledger: new MemoryLedger({ clock: engineClock }),
      identity,
      client: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET },
      clock: engineClock,
    });
    const key = 'xero:demo:contract';
    await engine.adoptGrant(key, {
      accessToken: s.accessToken,
      refreshToken: s.refreshToken,
      tokenType: 'Bearer',
      scope: ['offline_access'],
      expiresAt: START + 1800_000,
      obtainedAt: START,
    });
    // Xero's clock is past the token's life; the engine's is not, so only the 401 can tell it.
    s.simClock.advance(31 * 60_000);
    const client = s.client({ tokens: tokenSourceFor(engine, key) });
    const before = s.sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    const r = await client.request({ path: 'Contacts' });
    expect(r.status).toBe(200);
    expect((s.sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - before).toBe(1);
    const auths = s.transport.requests.map((q) => q.headers.authorization);
    expect(auths).toHaveLength(2);
    expect(auths[0]).toBe(`Bearer ${s.accessToken}`);
    expect(auths[1]).not.toBe(auths[0]);
  });

  it('a second 401 fails with the classification and no second refresh; the engine is told which token Xero refused', async () => {
    s = await setup();
    const rejected: string[] = [];
    const tokens: XeroTokenSource = { getAccessToken: async () => 'not-a-token-Canary-7f3e', reportRejected: async (t) => void rejected.push(t) };
    const error = await rejection(s.client({ tokens }).request({ path: 'Contacts' }));
    expect(error.category).toBe('access_token_invalid');
    expect(error.httpStatus).toBe(401);
    expect(rejected).toEqual(['not-a-token-Canary-7f3e']);
    expect(s.transport.requests.length).toBe(2);

    const calls: string[] = [];
    const engine = {
      getAccessToken: async () => 'tok',
      reportRejected: async (key: string, token: string) => void calls.push(`reportRejected ${key} ${token}`),
    };
    await tokenSourceFor(engine, 'k').reportRejected('tok');
    expect(calls).toEqual(['reportRejected k tok']);
  });

  it('a missing scope (401 AuthorizationUnsuccessful) is not refreshed: a new token would not have it either', async () => {
    s = await setup();
    const narrow = s.sim.seedGrant({ scopes: ['accounting.contacts'] }).access_token;
    let reported = 0;
    const error = await rejection(
      s.client({ tokens: { getAccessToken: async () => narrow, reportRejected: async () => void reported++ } }).request({ path: 'Invoices' }),
    );
    expect(error.category).toBe('insufficient_scope');
    expect(reported).toBe(0);
  });
});

describe('dates', () => {
  it('ISO in, ISO out, the raw form on request, and a round trip that changes nothing', async () => {
    s = await setup();
    const contactId = await aContact();
    const made = await s.client().request<Invoices>({
      method: 'PUT',
      path: 'Invoices',
      body: { Type: 'ACCREC', Contact: { ContactID: contactId }, Date: '2026-03-31', DueDate: new Date(Date.UTC(2026, 3, 30)), LineItems: [LINE] },
      stableId: 'd1',
    });
    const inv = made.body.Invoices[0];
    expect(inv.Date).toBe('2026-03-31T00:00:00Z');
    expect(inv.DateString).toBe('2026-03-31T00:00:00');
    expect(inv.DueDate).toBe('2026-04-30T00:00:00Z');
    expect(inv.UpdatedDateUTC).toBe(new Date(START).toISOString().replace('.000Z', 'Z'));
    const raw = await s.client({ dates: 'raw' }).request<Invoices>({ path: `Invoices/${inv.InvoiceID}` });
    expect(raw.body.Invoices[0].Date).toBe(`/Date(${Date.UTC(2026, 2, 31)}+0000)/`);
    // What came out goes back in unchanged.
    await s.client().request({ method: 'POST', path: `Invoices/${inv.InvoiceID}`, body: { Date: inv.Date, DueDate: inv.DueDate }, stableId: 'd2' });
    const again = await s.client().request<Invoices>({ path: `Invoices/${inv.InvoiceID}` });
    expect(again.body.Invoices[0].Date).toBe(inv.Date);
    expect(again.body.Invoices[0].DueDate).toBe(inv.DueDate);
  });

  it('If-Modified-Since (luxon, UTC) returns only what changed since', async () => {
    s = await setup({ sharedClock: true });
    await aContact();
    s.simClock.advance(600_000);
    const cutoff = new Date(s.simClock.now());
    s.simClock.advance(1000);
    const newer = await aContact();
    const r = await s.client().request<Contacts>({ path: 'Contacts', ifModifiedSince: cutoff });
    expect(r.body.Contacts.map((c) => c.ContactID)).toEqual([newer]);
    expect(s.transport.requests.at(-1)?.headers['if-modified-since']).toBe(cutoff.toISOString().slice(0, 19));
  });
});

describe('errors', () => {
  it("a validation error carries Xero's messages, and a batch with summarizeErrors=false says which element failed", async () => {
    s = await setup();
    const error = await rejection(
      s.client().request({ method: 'PUT', path: 'Invoices', body: { Invoices: [{ Type: 'ACCREC', LineItems: [LINE] }] }, stableId: 'v1' }),
    );
    expect(error).toBeInstanceOf(XeroApiError);
    expect(error.category).toBe('validation_error');
    expect(error.action).toBe('fix_request');
    expect(error.validationMessages).toEqual(['A Contact must be specified for this type of transaction']);
    expect(error.message).toContain('Xero said: "A Contact must be specified for this type of transaction"');
    const contactId = await aContact();
    const batch = await s.client().request<Invoices>({
      method: 'POST',
      path: 'Invoices',
      query: { summarizeErrors: false },
      body: {
        Invoices: [
          { Type: 'ACCREC', Contact: { ContactID: contactId }, LineItems: [LINE] },
          { Type: 'ACCREC', LineItems: [LINE] },
        ],
      },
      stableId: 'v2',
    });
    expect(batch.status).toBe(200);
    expect(batch.elementErrors).toEqual([{ index: 1, messages: ['A Contact must be specified for this type of transaction'] }]);
    const where = await rejection(s.client().request({ path: 'Invoices', query: { where: 'Colour=="red"' } }));
    expect(where.validationMessages).toEqual(["No property or field 'Colour' exists in type 'Invoice'"]);
    const missing = await rejection(s.client().request({ path: 'Invoices/00000000-0000-0000-0000-000000000000' }));
    expect(missing.category).toBe('not_found');
  });

  it('never carries a token: canaries through 401, 403, 429, validation, network and local refusals', async () => {
    s = await setup();
    const canary = 'CANARY-eyJhbGciOiJSUzI1NiJ9.Q0FOQVJZ.c2lnbmF0dXJl';
    const errors: unknown[] = [];
    const canaryTokens: XeroTokenSource = { getAccessToken: async () => canary, reportRejected: async () => undefined };
    errors.push(await rejection(s.client({ tokens: canaryTokens }).request({ path: 'Contacts' })));
    errors.push(await rejection(s.client({ tenantId: '11111111-2222-3333-4444-555555555555' }).request({ path: 'Contacts' })));
    s.sim.faults.add({ kind: 'rate-limit', endpoint: 'accounting', retryAfter: 600 });
    errors.push(await rejection(s.client().request({ path: 'Contacts' })));
    errors.push(await rejection(s.client().request({ method: 'PUT', path: 'Invoices', body: { Type: 'ACCREC' }, stableId: canary })));
    errors.push(await rejection(s.client({ tokens: canaryTokens, endpoints: { apiUrl: 'http://127.0.0.1:9' } }).request({ path: 'Contacts' })));
    errors.push(
      await rejection(
        s
          .client({ tokens: canaryTokens, maxJsonBytes: 10 })
          .request({ path: 'Contacts' })
          .catch((e) => Promise.reject(e)),
      ),
    );
    errors.push(await rejection(s.client().request({ path: `../${canary}` })));
    for (const e of errors) {
      expect(e).toBeInstanceOf(XeroApiError);
      const everything = [JSON.stringify(e), String(e), (e as Error).stack ?? '', JSON.stringify((e as XeroApiError).classification)].join('\n');
      expect(everything).not.toContain(canary);
      expect(everything).not.toContain(s.accessToken);
    }
  });
});

describe('binaries and caps', () => {
  it('downloads an invoice PDF, uploads and reads back an attachment, and refuses what is too big before sending', async () => {
    s = await setup();
    const contactId = await aContact();
    const inv = (
      await s.client().request<Invoices>({
        method: 'PUT',
        path: 'Invoices',
        body: { Type: 'ACCREC', Contact: { ContactID: contactId }, Status: 'AUTHORISED', LineItems: [LINE] },
        stableId: 'b1',
      })
    ).body.Invoices[0];
    const pdf = await s.client().download({ path: `Invoices/${inv.InvoiceID}`, accept: 'application/pdf' });
    expect(pdf.contentType).toBe('application/pdf');
    expect(Buffer.from(pdf.bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.fileName).toBe(`${inv.InvoiceNumber}.pdf`);
    const data = Buffer.from([0, 1, 2, 253, 254, 255, 10, 13]);
    const up = await s
      .client()
      .upload({ path: `Invoices/${inv.InvoiceID}/Attachments/scan 1.png`, data, contentType: 'image/png', stableId: 'b2', includeOnline: true });
    expect((up.body as { Attachments: unknown[] }).Attachments[0]).toEqual(
      expect.objectContaining({ FileName: 'scan 1.png', MimeType: 'image/png', ContentLength: 8, IncludeOnline: true }),
    );
    const back = await s.client().download({ path: `Invoices/${inv.InvoiceID}/Attachments/scan 1.png` });
    expect(Buffer.from(back.bytes).equals(data)).toBe(true);
    const sent = s.transport.requests.length;
    const big = await rejection(
      s.client({ maxUploadBytes: 4 }).upload({ path: `Invoices/${inv.InvoiceID}/Attachments/big.bin`, data, contentType: 'application/octet-stream' }),
    );
    expect(big).toBeInstanceOf(XeroRequestError);
    expect(big.message).toContain('over the');
    const cappedPdf = await rejection(s.client().download({ path: `Invoices/${inv.InvoiceID}`, accept: 'application/pdf', maxBytes: 100 }));
    expect(cappedPdf.message).toContain('raise maxBinaryBytes');
    expect(s.transport.requests.length).toBe(sent + 1);
  });

  it('refuses paths that leave api.xro/2.0 and calls without an organisation, sending nothing', async () => {
    s = await setup();
    for (const path of ['../connections', 'https://evil.example/x', 'Invoices?where=x', 'Invoices//x']) {
      const e = await rejection(s.client().request({ path }));
      expect(e).toBeInstanceOf(XeroRequestError);
    }
    const noTenant = await rejection(s.client({ tenantId: undefined }).request({ path: 'Contacts' }));
    expect(noTenant.message).toContain('No Xero organisation');
    expect(s.transport.requests.length).toBe(0);
  });
});
