import type { XeroAccountingClient, XeroQuery, XeroRequestOptions, XeroResponse } from '../../src/xero/accounting';
import { XeroGuardConfigError } from './errors';
import type { XeroApiPort, XeroCallOptions, XeroLimits, XeroRequestSpec, XeroTenant } from './port';

/** Where every Xero answer's call budget goes (the node keeps the latest per organisation, the core budget records it). */
export type LimitsSink = (tenantId: string, limits: XeroLimits) => void;

/**
 * The node's paths arrive with each segment already encoded (an id can never change the path);
 * the client encodes segments itself, so they are decoded here, once, and a segment that decodes
 * to a `/` is refused rather than allowed to add a level.
 */
export function clientPath(path: string, base: XeroRequestSpec['base'] = 'accounting'): string[] {
  const segments = path.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  // A Custom API Call may name the Accounting API's own prefix; the client adds it.
  if (base !== 'root' && segments[0]?.toLowerCase() === 'api.xro' && segments[1] === '2.0') segments.splice(0, 2);
  return segments.map((segment) => {
    let plain: string;
    try {
      plain = decodeURIComponent(segment);
    } catch {
      throw new XeroGuardConfigError(`Path segment "${segment.slice(0, 60)}" is not valid percent-encoding`, 'Correct the ID or file name in the node.');
    }
    if (plain.includes('/'))
      throw new XeroGuardConfigError(
        `"${plain.slice(0, 60)}" contains a "/", which Xero paths cannot carry in an ID or file name`,
        'Correct the ID or file name in the node.',
      );
    return plain;
  });
}

/** The node's request spec as the core client's options: one Xero wire client for paging, dates, idempotency and waits. */
/** Paging numbers the client counts with arrive from the node as text (a Custom API Call's query). */
const NUMERIC_QUERY = new Set(['page', 'pageSize', 'offset', 'unitdp']);

export function clientOptions(tenantId: string, spec: XeroRequestSpec, options: XeroCallOptions = {}): XeroRequestOptions {
  const query: XeroQuery = {};
  for (const [name, value] of Object.entries(spec.query)) query[name] = NUMERIC_QUERY.has(name) && /^\d+$/.test(value) ? Number(value) : value;
  if (spec.batch) query.summarizeErrors = false;
  const { accept, Accept, ...headers } = spec.headers;
  const chosenAccept = accept ?? Accept;
  return {
    method: spec.method,
    path: clientPath(spec.path, spec.base),
    tenantId,
    query,
    ...(spec.base === 'root' ? { base: 'root' as const } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(chosenAccept ? { accept: chosenAccept } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.modifiedSince ? { ifModifiedSince: spec.modifiedSince } : {}),
    ...(options.stableId !== undefined ? { stableId: options.stableId } : {}),
    ...(options.maxRateLimitWaitMs !== undefined ? { maxWaitSeconds: options.maxRateLimitWaitMs / 1000 } : {}),
    dates: options.rawDates ? 'raw' : 'iso',
  };
}

/** A read's options: no method (the client's list and download calls are GETs) and no body. */
function readOptions(options: XeroRequestOptions): Omit<XeroRequestOptions, 'method' | 'body'> {
  const read = { ...options };
  delete read.method;
  delete read.body;
  return read;
}

const answerOf = (r: XeroResponse): { status: number; headers: Record<string, string>; body: unknown; limits: XeroLimits } => ({
  status: r.status,
  headers: r.headers,
  body: r.body === undefined ? null : r.body,
  limits: r.limits,
});

/** The node's port over the core Accounting client and the session's organisation list. */
export function portOverClient(client: XeroAccountingClient, connections: () => Promise<XeroTenant[]>, sink?: LimitsSink): XeroApiPort {
  const latest = new Map<string, XeroLimits>();
  const seen = (tenantId: string, limits: XeroLimits): XeroLimits => {
    latest.set(tenantId, limits);
    sink?.(tenantId, limits);
    return limits;
  };
  // A failure carries the budget Xero reported with it (a 429 or a 400 still counts).
  const watched = async <T>(tenantId: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      const limits = error && typeof error === 'object' ? (error as { limits?: XeroLimits | null }).limits : null;
      if (limits) seen(tenantId, limits);
      throw error;
    }
  };
  return {
    connections,
    async request(tenantId, spec, options) {
      const r = await watched(tenantId, () => client.request(clientOptions(tenantId, spec, options)));
      seen(tenantId, r.limits);
      return answerOf(r);
    },
    async *pages(tenantId, spec, options) {
      const listOptions = readOptions(clientOptions(tenantId, spec, options));
      const iterator = client.pages({ ...listOptions, ...(spec.paging ? { paging: spec.paging } : {}), ...(spec.envelope ? { envelope: spec.envelope } : {}) });
      for (;;) {
        const next = await watched(tenantId, () => iterator.next());
        if (next.done) return;
        yield { records: next.value.records, limits: seen(tenantId, next.value.limits) };
      }
    },
    async download(tenantId, spec, options) {
      const downloadOptions = readOptions(clientOptions(tenantId, spec, options));
      delete downloadOptions.dates; // a binary answer has no dates to convert
      const accept = spec.binary?.direction === 'download' ? spec.binary.accept : downloadOptions.accept;
      const file = await watched(tenantId, () => client.download({ ...downloadOptions, ...(accept ? { accept } : {}) }));
      return {
        data: Buffer.from(file.bytes),
        mimeType: file.contentType.split(';')[0].trim(),
        ...(file.fileName ? { fileName: file.fileName } : {}),
        limits: seen(tenantId, file.limits),
      };
    },
    async upload(tenantId, spec, file, options) {
      const method = spec.method === 'POST' ? 'POST' : 'PUT';
      const includeOnline = spec.query.IncludeOnline;
      const r = await watched(tenantId, () =>
        client.upload({
          path: clientPath(spec.path),
          method,
          tenantId,
          data: file.data,
          contentType: file.mimeType || 'application/octet-stream',
          ...(includeOnline !== undefined ? { includeOnline: includeOnline === 'true' } : {}),
          ...(options?.stableId !== undefined ? { stableId: options.stableId } : {}),
          ...(options?.maxRateLimitWaitMs !== undefined ? { maxWaitSeconds: options.maxRateLimitWaitMs / 1000 } : {}),
        }),
      );
      seen(tenantId, r.limits);
      return answerOf(r);
    },
    limits: (tenantId) => latest.get(tenantId) ?? null,
  };
}
