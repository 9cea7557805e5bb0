import type { IBinaryData, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import type {
  XeroAnswer,
  XeroApiPort,
  XeroBinaryAnswer,
  XeroCallOptions,
  XeroLimits,
  XeroPage,
  XeroRequestSpec,
  XeroTenant,
  XeroUpload,
} from '../../../../nodes/XeroGuard/port';

export const TENANT_A: XeroTenant = { tenantId: '11111111-1111-4111-8111-111111111111', tenantName: 'Demo Company (NZ)', tenantType: 'ORGANISATION' };
export const TENANT_B: XeroTenant = { tenantId: '22222222-2222-4222-8222-222222222222', tenantName: 'Second Ltd', tenantType: 'ORGANISATION' };
export const LIMITS: XeroLimits = { dayRemaining: 987, minuteRemaining: 58, appMinuteRemaining: 9_999 };

export interface Call {
  kind: 'request' | 'pages' | 'download' | 'upload';
  tenantId: string;
  spec: XeroRequestSpec;
  options?: XeroCallOptions;
  file?: XeroUpload;
}

/** A port that records what the node asks and answers from a script: the core client stands here in unit tests. */
export class RecordingPort implements XeroApiPort {
  calls: Call[] = [];
  tenants: XeroTenant[] = [TENANT_A];
  answer: (call: Call) => unknown = () => ({});
  pageList: unknown[][] = [];
  file: XeroBinaryAnswer = { data: Buffer.from('%PDF-1.4 test'), mimeType: 'application/pdf', limits: LIMITS };
  fail?: (call: Call) => Error | undefined;

  async connections(): Promise<XeroTenant[]> {
    return this.tenants;
  }
  private record(call: Call): void {
    this.calls.push(call);
    const error = this.fail?.(call);
    if (error) throw error;
  }
  async request(tenantId: string, spec: XeroRequestSpec, options?: XeroCallOptions): Promise<XeroAnswer> {
    const call: Call = { kind: 'request', tenantId, spec, options };
    this.record(call);
    return { status: 200, headers: {}, body: this.answer(call), limits: LIMITS };
  }
  async *pages(tenantId: string, spec: XeroRequestSpec, options?: XeroCallOptions): AsyncIterable<XeroPage> {
    this.record({ kind: 'pages', tenantId, spec, options });
    for (const records of this.pageList) yield { records, limits: LIMITS };
  }
  async download(tenantId: string, spec: XeroRequestSpec, options?: XeroCallOptions): Promise<XeroBinaryAnswer> {
    this.record({ kind: 'download', tenantId, spec, options });
    return this.file;
  }
  async upload(tenantId: string, spec: XeroRequestSpec, file: XeroUpload, options?: XeroCallOptions): Promise<XeroAnswer> {
    const call: Call = { kind: 'upload', tenantId, spec, options, file };
    this.record(call);
    return { status: 200, headers: {}, body: this.answer(call), limits: LIMITS };
  }
  limits(): XeroLimits | null {
    return LIMITS;
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
