/**
 * An operation of the table planned from an item's parameters, read back from the same inputs its
 * fields were made from (inputs.ts): the path with its parameters, the query, the body in the
 * document's envelope, a file in or out, and every page of a list in the API's own paging style.
 * No I/O: the executor runs the plan on the core client.
 */
import type { IDataObject } from 'n8n-workflow';
import type { XeroApiBase, XeroQuery } from '../../../../src/xero/accounting';
import type { XeroApi, XeroOperation, XeroSchema } from '../../../../src/xero/operations';
import type { SchemaSet } from '../../../../src/xero/operations/schema-walk';
import { collection, jsonParameter, limitOf, required, segment, str } from '../mapping';
import { MappingError, type OperationDef, type Parameters, type PlannedRequest } from '../types';
import { label } from './fields';
import { operationInputs, type TableInput } from './inputs';

/** Where an API's paths start for the core client: the Accounting API is its default. */
export function baseOf(api: XeroApi): XeroApiBase | undefined {
  return api.id === 'accounting' ? undefined : (api.basePath as `/${string}`);
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/** A value as its schema wants it on the wire: a day for a date, a number for a number, a list comma-separated. */
function wireValue(input: TableInput, value: unknown): string | number | boolean | readonly string[] {
  const s: XeroSchema = input.schema;
  if (s.type === 'boolean') return value === true || value === 'true';
  if (s.type === 'number' || s.type === 'integer') {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new MappingError(`${label(input.name)} must be a number, not "${String(value)}".`);
    return n;
  }
  if (Array.isArray(value)) return value.map(str);
  const text = str(value);
  if (s.format === 'date' || s.msDate === 'date') return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : text;
  if (input.commaSeparated || s.type === 'array') return text.split(/\s*,\s*/).filter(Boolean);
  return text;
}

/** The records of an answer as the table says they sit: under a key or the answer itself, one or a list. */
export function tableRecords(op: XeroOperation): (body: unknown) => IDataObject[] {
  const where = op.response.records;
  return (body) => {
    if (body === null || body === undefined) return [];
    const value = where?.key && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject)[where.key] : body;
    if (Array.isArray(value)) return value as IDataObject[];
    if (value && typeof value === 'object') return [value as IDataObject];
    // No records where the table puts them (an empty answer, a bare value): the whole answer, so nothing is lost.
    return typeof body === 'object' && !Array.isArray(body) ? [body as IDataObject] : [{ value: body as string }];
  };
}

/** A JSON body in the document's envelope: one record or several, unless the user wrote the envelope already. */
function wrapBody(op: XeroOperation, given: IDataObject | IDataObject[]): unknown {
  const where = op.body?.records;
  if (!where) return given;
  if (where.key === null) return where.many ? (Array.isArray(given) ? given : [given]) : given;
  if (!Array.isArray(given) && where.key in given) return given;
  return { [where.key]: where.many ? (Array.isArray(given) ? given : [given]) : given };
}

/** Plans one operation of the table: pure, from the item's parameters. */
export function tablePlan(api: XeroApi, op: XeroOperation, schemas: SchemaSet): (p: Parameters) => PlannedRequest {
  const { inputs, body, paged, fileAnswer } = operationInputs(op, schemas);
  const base = baseOf(api);
  return (p) => {
    const valueOf = (input: TableInput): unknown =>
      input.placement === 'top' ? p[input.name] : collection(p, input.placement === 'options' ? 'options' : 'additionalFields')[input.name];
    const path = op.path
      .split('/')
      .filter(Boolean)
      .map((part) => {
        const name = /^\{(.+)\}$/.exec(part)?.[1];
        return name === undefined ? part : segment(p, name, label(name));
      });
    const query: XeroQuery = {};
    let ifModifiedSince: string | undefined;
    const record: IDataObject = {};
    for (const input of inputs) {
      if (input.at === 'path') continue;
      const value = valueOf(input);
      if (!present(value)) {
        if (input.required) required(p, input.name, label(input.name));
        continue;
      }
      if (input.at === 'header') ifModifiedSince = str(value);
      else if (input.at === 'query') query[input.name] = wireValue(input, value);
      else record[input.name] = wireValue(input, value) as IDataObject[string];
    }
    const request = { path, ...(base ? { base } : {}), query, ...(ifModifiedSince ? { ifModifiedSince } : {}) };
    if (fileAnswer)
      return {
        kind: 'download',
        request: { ...request, accept: op.response.mediaType ?? 'application/octet-stream' },
        binaryProperty: required(p, 'binaryPropertyName', 'Put Output File in Field'),
        fileName: `${path.join('-')}`,
      };
    if (body.kind === 'binary' || body.kind === 'multipart') {
      const binaryProperty = required(p, 'binaryPropertyName', 'Input Binary Field');
      const method = op.method === 'POST' ? 'POST' : 'PUT';
      if (body.kind === 'binary') return { kind: 'upload', request: { ...request, method }, binaryProperty };
      // A multipart upload names the file in its text parts: the binary's own name and type stand in for empty ones.
      return {
        kind: 'upload',
        request: { ...request, method },
        binaryProperty,
        form: (file) => ({
          filePart: body.filePart,
          fileName: str(record.filename) || file.fileName,
          fields: Object.fromEntries(
            inputs.filter((i) => i.at === 'body').map((i) => [i.name, str(record[i.name]) || (/mime/i.test(i.name) ? file.mimeType : file.fileName)]),
          ),
        }),
      };
    }
    if (op.method === 'GET' && paged)
      return {
        kind: 'list',
        limit: limitOf(p),
        request: { ...request, paging: op.paging, ...(op.response.records?.key ? { envelope: op.response.records.key } : {}) },
      };
    const sent = body.kind === 'json' ? wrapBody(op, jsonParameter(p, 'fields', 'Fields (JSON)')) : body.kind === 'fields' ? wrapBody(op, record) : undefined;
    return { kind: 'single', request: { ...request, method: op.method, ...(sent !== undefined ? { body: sent } : {}) } };
  };
}

/** The operation of a node: its option in Xero's words, its plan, its records. */
export function tableOperation(api: XeroApi, op: XeroOperation, schemas: SchemaSet): OperationDef {
  const sentence = op.name.charAt(0) + op.name.slice(1).toLowerCase();
  return {
    option: { name: op.name, value: op.operationId, description: op.summary.replace(/\s+/g, ' ').trim(), action: sentence },
    plan: tablePlan(api, op, schemas),
    parse: tableRecords(op),
    covers: [op.operationId],
    api: api.id,
  };
}
