/**
 * What the Xero Guard node's unit tests stand in for: Xero behind the core client's injected HTTP
 * transport (every request recorded, answers scripted), the organisations of the credential, and the
 * slice of n8n's IExecuteFunctions the node uses. The client itself is the real core client.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { ManualClock } from '../../../../src/clock';
import { XERO_SCOPES } from '../../../../src/host';
import { fetchTransport, type HttpRequest, type HttpResponse } from '../../../../src/xero';
import { staticTokenSource, XeroAccountingClient, type XeroLimits, type XeroTokenSource } from '../../../../src/xero/accounting';
import type { Organisation } from '../../../../nodes/shared/api-node/organisation';
import type { SessionClient } from '../../../../nodes/shared/api-node/session-client';

export const TENANT_A: Organisation = { tenantId: '11111111-1111-4111-8111-111111111111', tenantName: 'Demo Company (NZ)', tenantType: 'ORGANISATION' };
export const TENANT_B: Organisation = { tenantId: '22222222-2222-4222-8222-222222222222', tenantName: 'Second Ltd', tenantType: 'ORGANISATION' };
export const LIMITS: XeroLimits = { dayRemaining: 987, minuteRemaining: 58, appMinuteRemaining: 9_999 };
const LIMIT_HEADERS = { 'x-daylimit-remaining': '987', 'x-minlimit-remaining': '58', 'x-appminlimit-remaining': '9999' };

/** A JSON answer carrying LIMITS in Xero's rate-limit headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...LIMIT_HEADERS, ...headers }, body: body === undefined ? '' : JSON.stringify(body) };
}

/** A file answer (a PDF, an attachment's bytes). */
export function file(bytes: Buffer, contentType: string): HttpResponse {
  return { status: 200, headers: { 'content-type': contentType, ...LIMIT_HEADERS }, body: '', bodyBytes: bytes };
}

/** Xero behind the transport: what the client sends, and a scripted answer for each request. */
export class FakeXero {
  requests: HttpRequest[] = [];
  tenants: Organisation[] = [TENANT_A];
  organisationCalls = 0;
  answer: (request: HttpRequest) => HttpResponse = () => json({});
  /** Where the client's access tokens come from (a failing engine, in a test of the engine's states). */
  tokens: XeroTokenSource = staticTokenSource('test-access-token');
  readonly clock = new ManualClock();

  /** The node's session: the real core client over this transport, and this credential's organisations. */
  session(): SessionClient {
    return {
      client: new XeroAccountingClient({
        tokens: this.tokens,
        clock: this.clock,
        transport: async (request) => {
          this.requests.push(request);
          return this.answer(request);
        },
      }),
      organisations: async () => {
        this.organisationCalls++;
        return this.tenants;
      },
    };
  }

  /** The JSON body of a recorded request. */
  bodyOf(index = 0): unknown {
    const body = this.requests[index]?.body;
    return typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
  }

  /** A recorded request's path below the Accounting API, and its query. */
  urlOf(index = 0): URL {
    return new URL(this.requests[index]!.url);
  }
}

export interface ContextOptions {
  /** Parameters per item (one object: the same for every item). */
  parameters: IDataObject | IDataObject[];
  items?: INodeExecutionData[];
  continueOnFail?: boolean;
  executionId?: string;
  runIndex?: number;
}

export const NODE: INode = { id: 'node-1', name: 'Xero Guard', type: 'n8n-nodes-xero-guard.xeroGuard', typeVersion: 1, position: [0, 0], parameters: {} };

/** The slice of n8n's IExecuteFunctions the node uses, answering parameters as n8n resolves them. */
export function fakeExecute(o: ContextOptions): IExecuteFunctions {
  const items: INodeExecutionData[] = o.items ?? (Array.isArray(o.parameters) ? o.parameters.map(() => ({ json: {} })) : [{ json: {} }]);
  const paramsOf = (i: number): IDataObject => (Array.isArray(o.parameters) ? (o.parameters[i] ?? {}) : o.parameters);
  const context = {
    getInputData: () => items,
    getNode: () => NODE,
    getExecutionId: () => o.executionId ?? 'exec-42',
    continueOnFail: () => o.continueOnFail === true,
    getWorkflowDataProxy: () => ({ $runIndex: o.runIndex ?? 0 }),
    getNodeParameter: (name: string, i: number, fallback?: unknown) => {
      const value = paramsOf(i)[name];
      if (value === undefined) {
        if (fallback === undefined) throw new Error(`Could not get parameter "${name}"`);
        return fallback;
      }
      return value;
    },
    helpers: {
      prepareBinaryData: async (data: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> => ({
        data: data.toString('base64'),
        fileName,
        mimeType: mimeType ?? 'application/octet-stream',
      }),
      assertBinaryData: (i: number, property: string): IBinaryData => {
        const b = items[i]?.binary?.[property];
        if (!b) throw new Error(`This operation expects the node's input data to contain a binary file '${property}', but none was found [item ${i}]`);
        return b;
      },
      getBinaryDataBuffer: async (i: number, property: string): Promise<Buffer> => Buffer.from(items[i]?.binary?.[property]?.data ?? '', 'base64'),
    },
  };
  return context as unknown as IExecuteFunctions;
}

/** Every scope the operation table names, and the sign-in ones: a chain that may call anything. */
export const ALL_SCOPES: string[] = ['offline_access', 'openid', 'profile', 'email', ...XERO_SCOPES.map((s) => s.value)];

/** A UK organisation, for Payroll UK (the simulator answers a payroll in its organisation's country only). */
export const UK_TENANT: Organisation = { tenantId: 'c1d2e3f4-0a1b-4c2d-8e3f-405162738495', tenantName: 'Walk Ltd (UK)', tenantType: 'ORGANISATION' };

/** The real core client against a running simulator, each request handed to `record` as it is sent. */
export function simulatorClient(apiUrl: string, accessToken: string, record: (request: HttpRequest) => void): XeroAccountingClient {
  return new XeroAccountingClient({
    tokens: staticTokenSource(accessToken),
    endpoints: { apiUrl },
    transport: async (request) => {
      record(request);
      return fetchTransport(request);
    },
  });
}
