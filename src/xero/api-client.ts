import { resolveEndpoints, type XeroEndpoints } from './endpoints';
import { fetchTransport, type HttpResponse, type HttpTransport } from './transport';

/** One organisation (tenant) the grant reaches, as GET /connections lists it; `id` is Xero's id of that link. */
export interface XeroTenant {
  id: string;
  tenantId: string;
  tenantType: string;
  tenantName: string | null;
  authEventId?: string;
  createdDateUtc?: string;
  updatedDateUtc?: string;
}

export type ApiResult<T> = { ok: true; data: T; response: HttpResponse } | { ok: false; response: HttpResponse };

/** The slice of Xero's API the health check needs. Errors come back as the raw response for the classifier. */
export class XeroApiClient {
  private readonly endpoints: XeroEndpoints;
  private readonly transport: HttpTransport;

  constructor(options: { endpoints?: Partial<XeroEndpoints>; transport?: HttpTransport } = {}) {
    this.endpoints = resolveEndpoints(options.endpoints);
    this.transport = options.transport ?? fetchTransport;
  }

  async getConnections(accessToken: string): Promise<ApiResult<XeroTenant[]>> {
    const response = await this.get(`${this.endpoints.apiUrl}/connections`, accessToken);
    if (response.status !== 200) return { ok: false, response };
    const parsed = safeJson(response.body);
    return Array.isArray(parsed) ? { ok: true, data: parsed as XeroTenant[], response } : { ok: false, response };
  }

  async getOrganisation(accessToken: string, tenantId: string): Promise<ApiResult<Record<string, unknown>>> {
    const response = await this.get(`${this.endpoints.apiUrl}/api.xro/2.0/Organisation`, accessToken, { 'xero-tenant-id': tenantId });
    if (response.status !== 200) return { ok: false, response };
    const parsed = safeJson(response.body);
    const organisations = parsed && typeof parsed === 'object' ? (parsed as { Organisations?: unknown }).Organisations : undefined;
    return Array.isArray(organisations) && organisations[0] && typeof organisations[0] === 'object'
      ? { ok: true, data: organisations[0] as Record<string, unknown>, response }
      : { ok: false, response };
  }

  private get(url: string, accessToken: string, extra: Record<string, string> = {}): Promise<HttpResponse> {
    return this.transport({ method: 'GET', url, headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...extra } });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
