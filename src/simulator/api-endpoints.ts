import type { IncomingHttpHeaders } from 'node:http';
import type { SimulatorCore } from './core';
import type { Organisation } from './directory';
import { connectionDate, msDate, newId } from './formats';
import { bearerToken, empty, json, type SimResponse } from './http-kit';
import { ORGANISATION_SCOPES } from './scopes';
import type { Grant } from './tokens';
import {
  authenticationUnsuccessful,
  authorizationUnsuccessful,
  forbiddenTenant,
  notFound,
  tokenExpired,
  tooManyRequests,
  type RateLimitHeaders,
} from './xero-errors';

export interface ApiRequest {
  method: string;
  headers: IncomingHttpHeaders;
  url: URL;
  correlationId: string;
  /** Runs when the response is finished or the socket is gone: frees a concurrency slot. */
  onFinish(fn: () => void): void;
}

export function authenticate(core: SimulatorCore, req: ApiRequest): Grant | SimResponse {
  const token = bearerToken(req.headers.authorization);
  if (!token) return authenticationUnsuccessful(req.correlationId);
  const check = core.tokens.checkAccess(token);
  if (check.ok) return check.grant;
  return check.problem === 'TokenExpired' ? tokenExpired(check.expiredAt, req.correlationId) : authenticationUnsuccessful(req.correlationId);
}

export const isGrant = (v: Grant | SimResponse): v is Grant => 'grantId' in v;

/** The organisation the `xero-tenant-id` names, if this grant reaches it now; otherwise Xero's 403. */
export function tenantOf(core: SimulatorCore, grant: Grant, req: ApiRequest): Organisation | SimResponse {
  const tenantHeader = req.headers['xero-tenant-id'];
  const tenantId = (Array.isArray(tenantHeader) ? tenantHeader[0] : tenantHeader)?.trim().toLowerCase() ?? '';
  const conn = core.refusedTenants.has(tenantId)
    ? undefined
    : core.directory.list(grant.userId, grant.clientId).find((c) => c.tenantId.toLowerCase() === tenantId);
  const org = conn ? core.directory.organisations.get(conn.tenantId) : undefined;
  return org ?? forbiddenTenant(req.correlationId);
}

export const isOrganisation = (v: Organisation | SimResponse): v is Organisation => 'tenantId' in v;

export interface AdmittedCall {
  grant: Grant;
  org: Organisation;
  /** The rate-limit headers to send with the answer. */
  headers: RateLimitHeaders;
}

/**
 * The one admission step of every call to an organisation's API (Accounting or any other): a token
 * that works, an organisation this token reaches (`xero-tenant-id`), room in its rate limits (the
 * app tier's day limit among them), and an endpoint the app's tier opens. `resource` is the Accounting
 * resource called (`Journals`), for the endpoints a tier keeps for higher tiers.
 */
export function admitApiCall(core: SimulatorCore, req: ApiRequest, resource?: string): AdmittedCall | SimResponse {
  const grant = authenticate(core, req);
  if (!isGrant(grant)) return grant;
  const org = tenantOf(core, grant, req);
  if (!isOrganisation(org)) return org;
  const admission = core.rateLimiter.admitTenant(grant.clientId, org.tenantId);
  if (!admission.ok) return tooManyRequests(admission.problem, admission.retryAfterSeconds, admission.headers);
  req.onFinish(admission.release);
  // Xero refuses a gated endpoint with a missing scope's answer, after counting the call as it does that one.
  if (resource !== undefined && !core.opensEndpoint(grant.clientId, resource)) {
    return withHeaders(authorizationUnsuccessful(req.correlationId), admission.headers);
  }
  return { grant, org, headers: admission.headers };
}

export const isAdmitted = (v: AdmittedCall | SimResponse): v is AdmittedCall => 'grant' in v;

export function withHeaders(response: SimResponse, headers: RateLimitHeaders): SimResponse {
  return { ...response, headers: { ...response.headers, ...headers } };
}

/** GET /connections[?authEventId=] */
export function getConnections(core: SimulatorCore, req: ApiRequest): SimResponse {
  const grant = authenticate(core, req);
  if (!isGrant(grant)) return grant;
  const admission = core.rateLimiter.admitApp(grant.clientId);
  if (!admission.ok) return tooManyRequests(admission.problem, admission.retryAfterSeconds, admission.headers);
  const authEventId = req.url.searchParams.get('authEventId') ?? undefined;
  const body = core.directory.list(grant.userId, grant.clientId, authEventId).map((c) => {
    const org = core.directory.organisations.get(c.tenantId);
    return {
      id: c.id,
      authEventId: c.authEventId,
      tenantId: c.tenantId,
      tenantType: org?.tenantType ?? 'ORGANISATION',
      tenantName: org?.name ?? '',
      createdDateUtc: connectionDate(c.createdAt),
      updatedDateUtc: connectionDate(c.updatedAt),
    };
  });
  return json(200, body, { ...admission.headers });
}

/** DELETE /connections/{id}: by connection id; a tenant id in its place gets 403, as at Xero. */
export function deleteConnection(core: SimulatorCore, req: ApiRequest, id: string): SimResponse {
  const grant = authenticate(core, req);
  if (!isGrant(grant)) return grant;
  const mine = core.directory.list(grant.userId, grant.clientId);
  const conn = mine.find((c) => c.id.toLowerCase() === id.toLowerCase());
  if (!conn) return mine.some((c) => c.tenantId.toLowerCase() === id.toLowerCase()) ? forbiddenTenant(req.correlationId) : notFound();
  core.directory.remove(conn.id);
  core.recorder.record({ type: 'action', action: 'deleteConnection', detail: { connectionId: conn.id, tenantId: conn.tenantId } });
  return empty(204);
}

/** GET /api.xro/2.0/Organisation with xero-tenant-id. */
export function getOrganisation(core: SimulatorCore, req: ApiRequest): SimResponse {
  const grant = authenticate(core, req);
  if (!isGrant(grant)) return grant;
  if (!grant.scopes.some((s) => ORGANISATION_SCOPES.includes(s))) return authorizationUnsuccessful(req.correlationId);
  const org = tenantOf(core, grant, req);
  if (!isOrganisation(org)) return org;
  const admission = core.rateLimiter.admitTenant(grant.clientId, org.tenantId);
  if (!admission.ok) return tooManyRequests(admission.problem, admission.retryAfterSeconds, admission.headers);
  req.onFinish(admission.release);
  const client = core.client(grant.clientId);
  return json(
    200,
    { Id: newId(), Status: 'OK', ProviderName: client?.name ?? grant.clientId, DateTimeUTC: msDate(core.clock.now()), Organisations: [organisationBody(org)] },
    { ...admission.headers },
  );
}

const COUNTRY = {
  NZ: {
    Version: 'NZ',
    BaseCurrency: 'NZD',
    Timezone: 'NEWZEALANDSTANDARDTIME',
    TaxNumber: '071-138-054',
    SalesTaxBasis: 'PAYMENTS',
    SalesTaxPeriod: 'TWOMONTHS',
  },
  AU: {
    Version: 'AU',
    BaseCurrency: 'AUD',
    Timezone: 'AUSEASTERNSTANDARDTIME',
    TaxNumber: '53004085616',
    SalesTaxBasis: 'ACCRUALS',
    SalesTaxPeriod: 'QUARTERLY1',
  },
  GB: { Version: 'UK', BaseCurrency: 'GBP', Timezone: 'GMTSTANDARDTIME', TaxNumber: 'GB123456789', SalesTaxBasis: 'ACCRUAL', SalesTaxPeriod: 'QUARTERLY1' },
  US: { Version: 'US', BaseCurrency: 'USD', Timezone: 'EASTERNSTANDARDTIME', TaxNumber: '12-3456789', SalesTaxBasis: 'ACCRUAL', SalesTaxPeriod: 'NONE' },
} as const;

function organisationBody(org: Organisation): Record<string, unknown> {
  const c = COUNTRY[org.countryCode];
  return {
    APIKey: org.tenantId.replace(/-/g, '').slice(0, 30).toUpperCase(),
    Name: org.name,
    LegalName: org.name,
    PaysTax: true,
    Version: c.Version,
    OrganisationType: 'COMPANY',
    BaseCurrency: c.BaseCurrency,
    CountryCode: org.countryCode,
    IsDemoCompany: org.isDemoCompany,
    OrganisationStatus: 'ACTIVE',
    TaxNumber: c.TaxNumber,
    FinancialYearEndDay: 31,
    FinancialYearEndMonth: 3,
    SalesTaxBasis: c.SalesTaxBasis,
    SalesTaxPeriod: c.SalesTaxPeriod,
    DefaultSalesTax: 'Tax Exclusive',
    DefaultPurchasesTax: 'Tax Exclusive',
    CreatedDateUTC: msDate(org.createdAt),
    OrganisationEntityType: 'COMPANY',
    Timezone: c.Timezone,
    ShortCode: `!${org.tenantId.slice(0, 5)}`,
    OrganisationID: org.tenantId,
    Edition: 'BUSINESS',
    Class: org.isDemoCompany ? 'DEMO' : 'PREMIUM',
    Addresses: [],
    Phones: [],
    ExternalLinks: [],
    PaymentTerms: {},
  };
}
