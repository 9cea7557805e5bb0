/**
 * The shape of the operation table: every operation of Xero's APIs as its OpenAPI documents describe
 * it (openapi/), written by `npm run openapi:generate` into ./generated. The n8n nodes build their
 * resources and fields from it, the scope check compares its scopes with a chain's, and the simulator
 * serves it. Kept small on purpose: big schemas sit once per API in `<api>.schemas.ts` and are named
 * here by reference, examples in `<api>.examples.ts`.
 */

/** One id per OpenAPI document the table covers. */
export type XeroApiId = 'accounting' | 'payroll-au' | 'payroll-au-v2' | 'payroll-nz' | 'payroll-uk' | 'projects' | 'files' | 'assets' | 'finance';

export type XeroHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface XeroApi {
  id: XeroApiId;
  /** The document's title, e.g. "Xero Payroll UK API". */
  title: string;
  /** Words for a person: "Payroll UK". */
  label: string;
  /** The document it comes from (in openapi/) and its version. */
  document: string;
  version: string;
  /** Below https://api.xero.com, e.g. `/payroll.xro/2.0`. */
  basePath: string;
  /**
   * A payroll API serves organisations of one country, named here. Payroll NZ, UK and AU v2 share
   * `/payroll.xro/2.0` (and paths such as `/Employees`): Xero answers with the organisation's country's.
   */
  region?: 'AU' | 'NZ' | 'GB';
  /** Every scope the document names, sorted. */
  scopes: readonly string[];
}

/**
 * A schema in compact form: JSON Schema's words for what Xero's documents use, with `$ref` written
 * `{ ref: 'Name' }` (a schema of the same API) and Xero's Microsoft JSON dates marked `msDate`.
 */
export interface XeroSchema {
  ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: readonly string[];
  items?: XeroSchema;
  properties?: Readonly<Record<string, XeroSchema>>;
  required?: readonly string[];
  additionalProperties?: XeroSchema | true;
  oneOf?: readonly XeroSchema[];
  description?: string;
  readOnly?: true;
  deprecated?: true;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** `/Date(1573755038314+0000)/` on the wire (x-is-msdate, x-is-msdate-time), not ISO 8601. */
  msDate?: 'date' | 'date-time';
  example?: string | number | boolean;
  default?: string | number | boolean;
}

export interface XeroParameter {
  /** As sent on the wire (case matters to some APIs: Files' `pagesize`, Accounting's `IDs`). */
  name: string;
  schema: XeroSchema;
  required?: true;
  description?: string;
  /** An array sent as one comma-separated value (`IDs=a,b`), which is how Xero reads lists. */
  commaSeparated?: true;
}

export interface XeroHeaders {
  /** The `xero-tenant-id` header (Xero spells it three ways across documents; the name is case-insensitive). */
  tenant: 'required' | 'optional' | 'none';
  /** Takes `Idempotency-Key` (a retry with the same key replays the first answer). */
  idempotencyKey: boolean;
  /** Takes `If-Modified-Since` (only records changed since). */
  ifModifiedSince: boolean;
  /** Any other header the document declares (e.g. Accounting's `contentType` on attachment uploads). */
  other?: readonly XeroParameter[];
}

export interface XeroBody {
  mediaType: 'application/json' | 'application/octet-stream' | 'multipart/form-data';
  required: boolean;
  /** Usually `{ ref }` to this API's schemas; `{ type: 'array', items: { ref } }` where the body is a bare list. */
  schema: XeroSchema;
  /**
   * Where the records go in a JSON body, as `response.records` for answers: `{"Invoices":[...]}` is
   * `{ key: 'Invoices', many: true, schema: 'Invoice' }`, Payroll AU's bare list `{ key: null, many: true }`,
   * one record `{ key: null, many: false }`.
   */
  records?: { key: string | null; many: boolean; schema?: string };
  description?: string;
}

/**
 * How a list comes in pages, in the API's own style:
 * - `page`: `page=1,2,...` (1-based), with a size parameter where the API takes one; the end is an
 *   empty or short page, or the counts in the answer (`pagination`: Xero's {page, pageSize, pageCount,
 *   itemCount}; `files`: the Files API's {TotalCount, Page, PerPage}).
 * - `offset`: `offset=<the last cursorField seen>`, a fixed batch each time (Accounting's Journals).
 * - `none`: everything in one answer.
 */
export type XeroPaging =
  | { style: 'none' }
  | {
      style: 'page';
      pageParam: string;
      sizeParam?: string;
      defaultSize?: number;
      maxSize?: number;
      counts?: 'pagination' | 'files';
    }
  | { style: 'offset'; offsetParam: string; cursorField: string; batch: number };

export interface XeroResponse {
  /** The documented success status (200, 201, 202 or 204). */
  status: number;
  /** Absent for an empty answer (204, or a 200 the document gives no body). */
  mediaType?: string;
  schema?: XeroSchema;
  /**
   * Where the records sit: `key` is the property of the answer that holds them (null: the answer is the
   * record or the list itself), `many` whether it is a list, `schema` the record's schema name.
   */
  records?: { key: string | null; many: boolean; schema?: string };
}

/**
 * What an operation does, from its operationId's verb (Xero names them consistently): `list` and `get`
 * read, `create` makes a record, `update` changes one, `upsert` creates or updates by id in the body
 * (Accounting's POST on a collection), `delete` removes, `action` is anything else (approve, email, ...).
 */
export type XeroOperationKind = 'list' | 'get' | 'create' | 'update' | 'upsert' | 'delete' | 'action';

export interface XeroOperation {
  api: XeroApiId;
  /** Unique within its API; also the method name in Xero's SDKs. */
  operationId: string;
  /** The operationId in words, for a menu: "Get Employee Leave Balances". */
  name: string;
  /** The first literal path segment, as the document spells it: "Employees", "Reports". */
  resource: string;
  kind: XeroOperationKind;
  method: XeroHttpMethod;
  /** Below the API's base path, with `{param}` placeholders: `/Employees/{EmployeeID}/Leave`. */
  path: string;
  pathParams: readonly XeroParameter[];
  query: readonly XeroParameter[];
  headers: XeroHeaders;
  body?: XeroBody;
  paging: XeroPaging;
  response: XeroResponse;
  /** Any one of these admits the call (Xero's documents list the alternatives, e.g. `payroll.employees` or `payroll.employees.read`). */
  scopes: readonly string[];
  /**
   * For Accounting operations under the broad scopes (`accounting.transactions`, `accounting.reports.read`),
   * the granular scopes that replace them for apps created from 2 March 2026; not in Xero's documents.
   */
  granularScopes?: readonly string[];
  summary: string;
  description?: string;
  deprecated?: true;
}

/** What the table leaves out of a document, and why. */
export interface XeroLeftOut {
  document: string;
  /** Absent when the whole document is left out. */
  operationId?: string;
  reason: string;
}

/** Examples from the documents, per operationId, where they hold to their own schema. */
export interface XeroExamples {
  /** The success answer's example. */
  response?: unknown;
  /** The request body's example. */
  request?: unknown;
}
