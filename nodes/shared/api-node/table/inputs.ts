/**
 * What an operation of the table asks of its user, read once from the table and used twice: to show
 * the fields (fields.ts) and to read them back into a request (plan.ts), so the two never disagree.
 * Path and required query parameters are fields of their own; optional query parameters and
 * If-Modified-Since go in Options; a small flat body becomes fields (required ones on top, the rest in
 * Additional Fields), a large one a JSON field with an example made from its schema; a multipart body
 * takes its file from a binary field; a file answer goes to one.
 */
import type { XeroOperation, XeroParameter, XeroSchema } from '../../../../src/xero/operations';
import { resolveSchema, type SchemaSet } from '../../../../src/xero/operations/schema-walk';

/** Where a field sits in the node: its own field, in Options (query), or in Additional Fields (body). */
export type Placement = 'top' | 'options' | 'additionalFields';

export interface TableInput {
  /** Where the value goes on the wire. */
  at: 'path' | 'query' | 'header' | 'body';
  /** As sent (and the field's name): `EmployeeID`, `where`, `firstName`. */
  name: string;
  schema: XeroSchema;
  required: boolean;
  description?: string;
  commaSeparated?: boolean;
  placement: Placement;
}

/** How an operation's body is given. */
export type BodyShape =
  | { kind: 'none' }
  | { kind: 'fields'; record: string | undefined }
  | { kind: 'json'; example: string }
  | { kind: 'binary' }
  | { kind: 'multipart'; filePart: string };

export interface OperationInputs {
  inputs: TableInput[];
  body: BodyShape;
  /** Return All and Limit: the list comes in pages (or offsets). */
  paged: boolean;
  /** The answer is a file, put into a binary field. */
  fileAnswer: boolean;
}

/** A body whose record has at most this many properties, none of them nested, is shown as fields. */
const SMALL_BODY = 8;
/** Query parameters the paging owns (Return All and Limit stand for them). */
function pagingParams(op: XeroOperation): Set<string> {
  const p = op.paging;
  if (p.style === 'page') return new Set([p.pageParam, ...(p.sizeParam ? [p.sizeParam] : [])]);
  if (p.style === 'offset') return new Set([p.offsetParam]);
  return new Set();
}

const isNested = (s: XeroSchema | undefined): boolean =>
  s === undefined || s.type === 'object' || s.type === 'array' || s.properties !== undefined || s.oneOf !== undefined;

/** The record a JSON body carries (the envelope's element, or the body itself). */
export function bodyRecordSchema(op: XeroOperation, schemas: SchemaSet): XeroSchema | undefined {
  const body = op.body;
  if (!body) return undefined;
  const named = body.records?.schema;
  const schema = named ? { ref: named } : body.schema.type === 'array' ? body.schema.items : body.schema;
  return resolveSchema(schema, schemas);
}

const isFile = (s: XeroSchema | undefined) => s?.type === 'string' && (s.format === 'byte' || s.format === 'binary');

function writable(schema: XeroSchema | undefined, schemas: SchemaSet): Array<[string, XeroSchema]> {
  return Object.entries(schema?.properties ?? {})
    .map(([name, s]): [string, XeroSchema] => [name, resolveSchema(s, schemas) ?? s])
    .filter(([, s]) => !s.readOnly);
}

const param = (at: TableInput['at'], p: XeroParameter, placement: Placement): TableInput => ({
  at,
  name: p.name,
  schema: p.schema,
  required: p.required === true,
  ...(p.description ? { description: p.description } : {}),
  ...(p.commaSeparated ? { commaSeparated: true } : {}),
  placement,
});

/** A schema-derived example of a record: its required properties (or its first few), nested ones followed one level down. */
export function exampleOf(schema: XeroSchema | undefined, schemas: SchemaSet, depth = 0): unknown {
  const s = resolveSchema(schema, schemas);
  if (!s) return {};
  if (s.oneOf?.length) return exampleOf(s.oneOf[0], schemas, depth);
  if (s.type === 'array') return depth > 1 ? [] : [exampleOf(s.items, schemas, depth + 1)];
  if (s.type === 'object' || s.properties) {
    if (depth > 2) return {};
    const props = writable(s, schemas);
    const required = new Set(s.required ?? []);
    const chosen = props.filter(([n]) => required.has(n));
    const shown = chosen.length ? chosen : props.slice(0, 3);
    return Object.fromEntries(shown.map(([n, p]) => [n, exampleOf(p, schemas, depth + 1)]));
  }
  if (s.example !== undefined) return s.example;
  if (s.enum?.length) return s.enum[0];
  if (s.type === 'number' || s.type === 'integer') return 0;
  if (s.type === 'boolean') return false;
  if (s.format === 'date' || s.msDate === 'date') return '2026-01-31';
  if (s.format === 'date-time' || s.msDate === 'date-time') return '2026-01-31T00:00:00';
  return '';
}

function bodyOf(op: XeroOperation, schemas: SchemaSet, inputs: TableInput[]): BodyShape {
  const body = op.body;
  if (!body) return { kind: 'none' };
  if (body.mediaType === 'application/octet-stream') return { kind: 'binary' };
  const record = bodyRecordSchema(op, schemas);
  const props = writable(record, schemas);
  if (body.mediaType === 'multipart/form-data') {
    const file = props.find(([, s]) => isFile(s));
    for (const [name, s] of props)
      if (!isFile(s))
        inputs.push({ at: 'body', name, schema: s, required: false, ...(s.description ? { description: s.description } : {}), placement: 'additionalFields' });
    return { kind: 'multipart', filePart: file?.[0] ?? 'file' };
  }
  const required = new Set(record?.required ?? []);
  if (props.length > 0 && props.length <= SMALL_BODY && !props.some(([, s]) => isNested(s) || isFile(s))) {
    for (const [name, s] of props)
      inputs.push({
        at: 'body',
        name,
        schema: s,
        required: required.has(name),
        ...(s.description ? { description: s.description } : {}),
        placement: required.has(name) ? 'top' : 'additionalFields',
      });
    return { kind: 'fields', record: body.records?.schema };
  }
  // An empty body the document still declares (`RequestEmpty` for Email Invoice): nothing to ask for.
  if (props.length === 0 && record?.properties !== undefined) return { kind: 'none' };
  return { kind: 'json', example: JSON.stringify(exampleOf(record ?? body.schema, schemas), null, 2) };
}

/** Everything an operation asks of its user, in the order the fields show. */
export function operationInputs(op: XeroOperation, schemas: SchemaSet): OperationInputs {
  const owned = pagingParams(op);
  const paged = op.paging.style !== 'none';
  const inputs: TableInput[] = op.pathParams.map((p) => param('path', { ...p, required: true }, 'top'));
  for (const q of op.query) {
    if (paged && owned.has(q.name)) continue;
    inputs.push(param('query', q, q.required ? 'top' : 'options'));
  }
  if (op.headers.ifModifiedSince)
    inputs.push({
      at: 'header',
      // Sent as If-Modified-Since; named as the hand-made resources' Options name it.
      name: 'modifiedSince',
      schema: { type: 'string', format: 'date-time' },
      required: false,
      description: 'Only records created or changed after this moment',
      placement: 'options',
    });
  for (const h of op.headers.other ?? []) inputs.push(param('header', h, h.required ? 'top' : 'options'));
  const body = bodyOf(op, schemas, inputs);
  const fileAnswer = op.response.mediaType !== undefined && !op.response.mediaType.includes('json');
  return { inputs, body, paged, fileAnswer };
}
