/**
 * A request to any Xero API on the guarded connection, for what no resource covers: the path as typed
 * in a URL (decoded once by the core, which encodes it again), query and headers as JSON.
 */
import type { IDataObject } from 'n8n-workflow';
import { decodeUrlPath, type XeroApiBase, type XeroMethod, type XeroQuery } from '../../../src/xero/accounting';
import { show } from './common';
import { jsonParameter, str } from './mapping';
import { MappingError, type ResourceModule } from './types';

const METHODS: XeroMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Paging numbers the client counts with: a number typed as text ("2") is sent as the number. */
const NUMERIC_QUERY = new Set(['page', 'pageSize', 'offset', 'unitdp']);

function stringMap(value: IDataObject | IDataObject[], label: string): Record<string, string> {
  if (Array.isArray(value)) throw new MappingError(`${label} must be a JSON object of names and values, such as {"page": "2"}.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return out;
}

function queryOf(text: Record<string, string>): XeroQuery {
  const query: XeroQuery = {};
  for (const [name, value] of Object.entries(text)) query[name] = NUMERIC_QUERY.has(name) && /^\d+$/.test(value) ? Number(value) : value;
  return query;
}

function segmentsOf(path: string): string[] {
  try {
    if (!path.startsWith('/')) throw new RangeError('it does not start with "/"');
    return decodeUrlPath(path);
  } catch (error) {
    throw new MappingError(
      `Path "${path}" must be a path on Xero's API starting with "/", such as /Invoices or /payroll.xro/2.0/Employees (no host, no ".."): ${(error as Error).message}.`,
    );
  }
}

export const customApiCall: ResourceModule = {
  value: 'customApiCall',
  name: 'Custom API Call',
  description: 'Any Xero API request (method, path, query, body) on the guarded connection, for endpoints no resource covers',
  operations: {
    call: {
      option: { name: 'Call', value: 'call', description: 'Send a request to any Xero API path', action: 'Make a custom Xero API call' },
      plan: (p) => {
        const method = str(p.method).toUpperCase() as XeroMethod;
        if (!METHODS.includes(method)) throw new MappingError(`Method "${str(p.method)}" is not one of ${METHODS.join(', ')}.`);
        const path = segmentsOf(str(p.path));
        const base: XeroApiBase = str(p.api) === 'root' ? 'root' : 'accounting';
        const body = method === 'GET' || method === 'DELETE' ? undefined : jsonParameter(p, 'body', 'Body (JSON)');
        const envelope = str(p.recordsField) || undefined;
        const pageAll = p.allPages === true && method === 'GET';
        if (pageAll && !envelope) throw new MappingError('Return All Pages needs Records Field: name the answer field that holds the records, e.g. Invoices.');
        const query = queryOf(stringMap(jsonParameter(p, 'query', 'Query (JSON)'), 'Query (JSON)'));
        // The client sets Accept itself: one given here is the answer's type, not an extra header.
        const headers = stringMap(jsonParameter(p, 'headers', 'Headers (JSON)'), 'Headers (JSON)');
        const acceptName = Object.keys(headers).find((name) => name.toLowerCase() === 'accept');
        const accept = acceptName === undefined ? undefined : headers[acceptName];
        if (acceptName !== undefined) delete headers[acceptName];
        const options = {
          path,
          query,
          ...(base === 'root' ? { base } : {}),
          ...(Object.keys(headers).length ? { headers } : {}),
          ...(accept ? { accept } : {}),
        };
        if (pageAll) return { kind: 'list', request: { ...options, envelope, paging: 'page' } };
        return { kind: 'single', request: { method, ...options, ...(body !== undefined ? { body } : {}) }, ...(envelope ? { envelope } : {}) };
      },
    },
  },
  properties: [
    {
      displayName: 'API',
      name: 'api',
      type: 'options',
      options: [
        { name: 'Accounting API (/api.xro/2.0)', value: 'accounting' },
        { name: 'Other Xero API (Path From api.xero.com)', value: 'root' },
      ],
      default: 'accounting',
      displayOptions: show(['call']),
      description: 'Where the path starts: inside the Accounting API, or at api.xero.com for Payroll, Assets, Projects, Files and the rest',
    },
    {
      displayName: 'Method',
      name: 'method',
      type: 'options',
      options: METHODS.map((m) => ({ name: m, value: m })),
      default: 'GET',
      displayOptions: show(['call']),
    },
    {
      displayName: 'Path',
      name: 'path',
      type: 'string',
      default: '',
      required: true,
      placeholder: '/Invoices',
      displayOptions: show(['call']),
      description: 'Path of the request, e.g. /Invoices or /BrandingThemes',
    },
    {
      displayName: 'Query (JSON)',
      name: 'query',
      type: 'json',
      default: '{}',
      displayOptions: show(['call']),
      description: 'Query parameters as a JSON object, e.g. {"where": "Status==\\"PAID\\""}',
    },
    {
      displayName: 'Headers (JSON)',
      name: 'headers',
      type: 'json',
      default: '{}',
      displayOptions: show(['call']),
      description: 'Extra headers as a JSON object; the tenant header and authorization are set by the node',
    },
    {
      displayName: 'Body (JSON)',
      name: 'body',
      type: 'json',
      default: '{}',
      displayOptions: show(['call'], { method: ['POST', 'PUT', 'PATCH'] }),
      description: 'The request body as JSON',
    },
    {
      displayName: 'Records Field',
      name: 'recordsField',
      type: 'string',
      default: '',
      placeholder: 'Invoices',
      displayOptions: show(['call']),
      description: 'Name of the answer field holding the records (one output item each); empty: the whole answer as one item',
    },
    {
      displayName: 'Return All Pages',
      name: 'allPages',
      type: 'boolean',
      default: false,
      displayOptions: show(['call'], { method: ['GET'] }),
      description: "Whether to follow Xero's page parameter until the last page (needs Records Field)",
    },
  ],
};
