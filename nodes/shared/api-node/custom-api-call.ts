/**
 * A request to any Xero API on the guarded connection, for what no resource covers: the path as typed
 * in a URL (decoded once by the core, which encodes it again), query and headers as JSON. Each node
 * offers it once as a resource (the last, so n8n adds no "Custom API Call" of its own, which would only
 * point to the HTTP Request node) and as the last operation of every resource (for the same reason).
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { decodeUrlPath, type XeroApiBase, type XeroListOptions, type XeroMethod, type XeroQuery } from '../../../src/xero/accounting';
import type { XeroApi } from '../../../src/xero/operations';
import { show } from './common';
import { jsonParameter, str } from './mapping';
import { MappingError, type OperationDef, type Parameters, type PlannedRequest, type ResourceModule } from './types';

/** The name n8n gives its own entry (n8n's CUSTOM_API_CALL_NAME): n8n adds none to a list whose last option has it. */
export const CUSTOM_API_CALL_NAME = 'Custom API Call';
/** The operation every resource ends with, and the one of the Custom API Call resource itself. */
export const CUSTOM_CALL_OPERATIONS = ['call', 'customApiCall'];

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

/** Where a custom call's path starts: an API's base path, or api.xero.com itself (`root`). */
export interface CustomCallBase {
  value: string;
  name: string;
  base: XeroApiBase;
}

/** The Accounting node's choices, as they always were (a saved workflow's `api` keeps its meaning). */
export const ACCOUNTING_CALL_BASES: readonly CustomCallBase[] = [
  { value: 'accounting', name: 'Accounting API (/api.xro/2.0)', base: 'accounting' },
  { value: 'root', name: 'Other Xero API (Path From api.xero.com)', base: 'root' },
];

/** A node's APIs as choices, then api.xero.com itself. */
export function callBasesOf(apis: readonly XeroApi[]): CustomCallBase[] {
  return [
    ...apis.map((api) => ({ value: api.id, name: `${api.label} API (${api.basePath})`, base: api.basePath as XeroApiBase })),
    { value: 'root', name: 'Other Xero API (Path From api.xero.com)', base: 'root' },
  ];
}

function planCall(p: Parameters, bases: readonly CustomCallBase[]): PlannedRequest {
  const method = str(p.method).toUpperCase() as XeroMethod;
  if (!METHODS.includes(method)) throw new MappingError(`Method "${str(p.method)}" is not one of ${METHODS.join(', ')}.`);
  const path = segmentsOf(str(p.path));
  const chosen = bases.find((b) => b.value === str(p.api)) ?? bases[0];
  const base = chosen.base;
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
    ...(base !== 'accounting' ? { base } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(accept ? { accept } : {}),
  };
  if (pageAll) {
    // Accounting (and a path from api.xero.com) pages as it always did; another API by its page number until a page comes back empty.
    const paging: XeroListOptions['paging'] = base === 'accounting' || base === 'root' ? 'page' : { style: 'page', pageParam: 'page' };
    return { kind: 'list', request: { ...options, envelope, paging } };
  }
  return { kind: 'single', request: { method, ...options, ...(body !== undefined ? { body } : {}) }, ...(envelope ? { envelope } : {}) };
}

/** The call as an operation: the Custom API Call resource's own (`call`), and every other resource's last (`customApiCall`). */
export function customCallOperation(bases: readonly CustomCallBase[], value: 'call' | 'customApiCall', apiWords: string): OperationDef {
  const option: INodePropertyOptions = {
    name: CUSTOM_API_CALL_NAME,
    value,
    description: `Send a request to any ${apiWords} path`,
    action: 'Make a custom Xero API call',
  };
  return { option, plan: (p) => planCall(p, bases) };
}

/** The Custom API Call resource: one operation; its fields are the node's (customCallFields). */
export function customApiCallResource(bases: readonly CustomCallBase[], apiWords: string): ResourceModule {
  return {
    value: 'customApiCall',
    name: CUSTOM_API_CALL_NAME,
    description: `Any ${apiWords} request (method, path, query, body) on the guarded connection, for endpoints no resource covers`,
    operations: { call: customCallOperation(bases, 'call', apiWords) },
    properties: [],
  };
}

/** The call's fields, shown for the Custom API Call resource and for every resource's Custom API Call operation. */
export function customCallFields(bases: readonly CustomCallBase[]): INodeProperties[] {
  const shown = show(CUSTOM_CALL_OPERATIONS);
  const api: INodeProperties = {
    displayName: 'API',
    name: 'api',
    type: 'options',
    options: bases.map((b) => ({ name: b.name, value: b.value })),
    default: bases[0].value,
    displayOptions: shown,
    description:
      bases === ACCOUNTING_CALL_BASES
        ? 'Where the path starts: inside the Accounting API, or at api.xero.com for Payroll, Assets, Projects, Files and the rest'
        : `Where the path starts: inside ${bases.length > 2 ? 'one of the APIs' : 'the API'} of this node, or at api.xero.com for any other Xero API`,
  };
  const fields: INodeProperties[] = [
    {
      displayName: 'Method',
      name: 'method',
      type: 'options',
      options: METHODS.map((m) => ({ name: m, value: m })),
      default: 'GET',
      displayOptions: show(CUSTOM_CALL_OPERATIONS),
    },
    {
      displayName: 'Path',
      name: 'path',
      type: 'string',
      default: '',
      required: true,
      placeholder: '/Invoices',
      displayOptions: show(CUSTOM_CALL_OPERATIONS),
      description: 'Path of the request, e.g. /Invoices or /BrandingThemes',
    },
    {
      displayName: 'Query (JSON)',
      name: 'query',
      type: 'json',
      default: '{}',
      displayOptions: show(CUSTOM_CALL_OPERATIONS),
      description: 'Query parameters as a JSON object, e.g. {"where": "Status==\\"PAID\\""}',
    },
    {
      displayName: 'Headers (JSON)',
      name: 'headers',
      type: 'json',
      default: '{}',
      displayOptions: show(CUSTOM_CALL_OPERATIONS),
      description: 'Extra headers as a JSON object; the tenant header and authorization are set by the node',
    },
    {
      displayName: 'Body (JSON)',
      name: 'body',
      type: 'json',
      default: '{}',
      displayOptions: show(CUSTOM_CALL_OPERATIONS, { method: ['POST', 'PUT', 'PATCH'] }),
      description: 'The request body as JSON',
    },
    {
      displayName: 'Records Field',
      name: 'recordsField',
      type: 'string',
      default: '',
      placeholder: 'Invoices',
      displayOptions: show(CUSTOM_CALL_OPERATIONS),
      description: 'Name of the answer field holding the records (one output item each); empty: the whole answer as one item',
    },
    {
      displayName: 'Return All Pages',
      name: 'allPages',
      type: 'boolean',
      default: false,
      displayOptions: show(CUSTOM_CALL_OPERATIONS, { method: ['GET'] }),
      description: "Whether to follow Xero's page parameter until the last page (needs Records Field)",
    },
  ];
  return [api, ...fields];
}
