/**
 * What each operation works on, read from its path: the collection of records it lists, adds to or
 * changes (`/Employees`, `/Employees/{EmployeeID}/Leave`), which path parameter names the record, and
 * the record's schema and id field. `POST /Timesheets/{TimesheetID}/Approve` acts on a record of
 * `/Timesheets`; `GET /Settings` is a singleton; `GET /Associations/{ObjectId}` lists a collection of
 * its own. This is the whole of the generic store's knowledge of an API: nothing here is written per API.
 */
import type { XeroOperation } from '../../xero/operations';
import { resolveSchema, type SchemaSet } from '../../xero/operations/schema-walk';

export interface Collection {
  template: string;
  /** The collection the records' parent lives in, and the parameter naming the parent (`/Employees`, `EmployeeID`). */
  parent?: { template: string; param: string };
  /** The record's schema name (from the operations' answers). */
  schema?: string;
  /** The property holding a record's id, when the record has one. */
  idField?: string;
  /** The id is the record's own (`employeeID` of an employee), not a reference it is keyed by (an association's `ObjectId`). */
  ownId: boolean;
  /** One record, not a list (`/Settings`, `/Employees/{EmployeeID}/Tax`). */
  singleton: boolean;
  /** Some operation reads one record of it by id. */
  readById: boolean;
  /** Operations whose documented examples seed it. */
  seeds: string[];
}

export interface Target {
  collection: string;
  /** The path parameter naming the record the operation acts on. */
  idParam?: string;
  /** The verb of an action on a record (`Approve`, `RevertToDraft`, `Email`). */
  verb?: string;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s !== '');
const isParam = (segment: string | undefined): boolean => segment !== undefined && /^\{.+\}$/.test(segment);
const join = (segments: string[]): string => `/${segments.join('/')}`;

export function targetOf(op: XeroOperation): Target {
  const segments = segmentsOf(op.path);
  const last = segments[segments.length - 1];
  if (isParam(last) && op.kind !== 'list') return { collection: join(segments.slice(0, -1)), idParam: (last as string).slice(1, -1) };
  if (op.kind === 'action' && isParam(segments[segments.length - 2]))
    return { collection: join(segments.slice(0, -2)), idParam: (segments[segments.length - 2] as string).slice(1, -1), verb: last };
  return { collection: op.path };
}

/** `Employees` -> `employee`, `Leave` -> `leave`, `Superannuations` -> `superannuation`. */
const singular = (word: string): string =>
  word
    .toLowerCase()
    .replace(/ies$/, 'y')
    .replace(/(ss)es$/, '$1')
    .replace(/s$/, '');

/** The record's id property: named like the path parameter, or `<record>Id`, or `id`; else the first uuid-typed `...ID`. */
export function idFieldOf(schemaName: string | undefined, idParam: string | undefined, collection: string, schemas: SchemaSet): string | undefined {
  const schema = resolveSchema(schemaName ? { ref: schemaName } : undefined, schemas);
  const props = Object.keys(schema?.properties ?? {});
  if (props.length === 0) return undefined;
  const lower = (s: string): string => s.toLowerCase();
  const lastLiteral = segmentsOf(collection)
    .filter((s) => !isParam(s))
    .pop();
  const wanted = [idParam, lastLiteral ? `${singular(lastLiteral)}id` : undefined, schemaName ? `${schemaName}id` : undefined, 'id']
    .filter((w): w is string => w !== undefined)
    .map(lower);
  for (const w of wanted) {
    const found = props.find((p) => lower(p) === w);
    if (found) return found;
  }
  return props.find((p) => /id$/i.test(p) && resolveSchema(schema?.properties?.[p], schemas)?.format === 'uuid');
}

export function collectionsOf(operations: readonly XeroOperation[], schemas: SchemaSet): Map<string, Collection> {
  const out = new Map<string, Collection>();
  const idParams = new Map<string, string>();
  const readParams = new Map<string, string>();
  for (const op of operations) {
    const target = targetOf(op);
    const segments = segmentsOf(target.collection);
    const collection = out.get(target.collection) ?? { template: target.collection, singleton: false, readById: false, ownId: false, seeds: [] };
    if (op.method === 'GET' && target.idParam && !target.verb) {
      collection.readById = true;
      readParams.set(target.collection, target.idParam);
    }
    // The record's id is what a read by id names (Files' POST /Files/{FolderId} names a folder, not the file).
    if (target.idParam && !target.verb && (op.method === 'GET' || !idParams.has(target.collection))) idParams.set(target.collection, target.idParam);
    const records = op.response.records;
    const answersThisCollection = !target.verb && records?.schema !== undefined;
    if (answersThisCollection && (op.kind === 'list' || op.kind === 'get' || collection.schema === undefined)) {
      // A list's or a read's answer names the record best; a write's answer only when nothing else does.
      if (collection.schema === undefined || op.kind === 'list' || (op.kind === 'get' && target.idParam)) collection.schema = records?.schema;
    }
    if (op.method === 'GET' && !target.idParam && records && !records.many && records.key !== 'Reports') collection.singleton = true;
    if (op.method === 'GET' && op.response.records) collection.seeds.push(op.operationId);
    const parentParam = segments[segments.length - 2];
    if (isParam(parentParam) && segments.length >= 3)
      collection.parent = { template: join(segments.slice(0, -2)), param: (parentParam as string).slice(1, -1) };
    out.set(target.collection, collection);
  }
  for (const c of out.values()) {
    // Records listed and also read one by one are a collection, whatever a singleton read suggested.
    if (idParams.has(c.template)) c.singleton = false;
    const idField = c.singleton ? undefined : idFieldOf(c.schema, idParams.get(c.template), c.template, schemas);
    if (idField) {
      c.idField = idField;
      const lastLiteral = segmentsOf(c.template)
        .filter((s) => !isParam(s))
        .pop();
      // The record's own id: the one a read by id names, or named after the record.
      const own = ['id', `${singular(lastLiteral ?? '')}id`, `${(c.schema ?? '').toLowerCase()}id`, readParams.get(c.template)?.toLowerCase()];
      c.ownId = own.includes(idField.toLowerCase());
    }
  }
  return out;
}
