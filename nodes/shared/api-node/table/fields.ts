/**
 * The fields n8n's editor shows for the table's operations of one resource, from their inputs
 * (inputs.ts): typed fields, enums as options, Options and Additional Fields collections, the JSON
 * body with its example, binary fields. A field that several operations show alike is one field
 * shown for all of them, so the node's description stays small however many operations it has.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { XeroOperation, XeroSchema } from '../../../../src/xero/operations';
import type { SchemaSet } from '../../../../src/xero/operations/schema-walk';
import { returnAllAndLimit, show } from '../common';
import { operationInputs, type TableInput } from './inputs';

/** A node's own field for an input where it knows better than the table (a contact picker, the organisation's tax types). */
export type FieldHook = (input: TableInput, field: INodeProperties) => INodeProperties;

/** "EmployeeID" -> "Employee ID", "dateOfBirth" -> "Date Of Birth". */
export function label(name: string): string {
  const spaced = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The first sentence of a document's description, short enough for a field's help. */
export function brief(text: string | undefined, max = 200): string | undefined {
  if (!text) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
  return sentence.length > max ? `${sentence.slice(0, max - 3).trimEnd()}...` : sentence;
}

const isDate = (s: XeroSchema) => s.type === 'string' && (s.format === 'date' || s.format === 'date-time' || s.msDate !== undefined);

/** One input as an n8n field of the right type; a required one carries `required`. */
export function fieldOf(input: TableInput): INodeProperties {
  const s = input.schema;
  const description = brief(input.description ?? s.description);
  const base = { displayName: label(input.name), name: input.name, ...(description ? { description } : {}), ...(input.required ? { required: true } : {}) };
  const values = s.enum ?? (s.type === 'array' ? s.items?.enum : undefined);
  if (values?.length) {
    const options: INodePropertyOptions[] = [...values].sort((a, b) => a.localeCompare(b)).map((v) => ({ name: v, value: v }));
    if (s.type === 'array') return { ...base, type: 'multiOptions', options, default: [] };
    const fallback = typeof s.default === 'string' && values.includes(s.default) ? s.default : values[0];
    return { ...base, type: 'options', options, default: fallback };
  }
  if (s.type === 'boolean') return { ...base, type: 'boolean', default: typeof s.default === 'boolean' ? s.default : false };
  if (s.type === 'number' || s.type === 'integer') return { ...base, type: 'number', default: typeof s.default === 'number' ? s.default : 0 };
  if (isDate(s)) return { ...base, type: 'dateTime', default: '' };
  const placeholder = s.format === 'uuid' ? { placeholder: 'e.g. 4ff1e5cc-9835-40d5-bb18-09fdb118db9c' } : {};
  return {
    ...base,
    type: 'string',
    default: typeof s.default === 'string' ? s.default : '',
    ...(s.type === 'array' ? { description: `${description ?? ''} Several, separated by commas.`.trim() } : {}),
    ...placeholder,
  };
}

function collectionOf(name: 'options' | 'additionalFields', fields: INodeProperties[]): INodeProperties {
  // Inside a collection a field is only added when wanted: none is required there.
  const options = fields
    .map((f) => {
      const inner = { ...f };
      delete inner.required;
      return inner;
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  return name === 'options'
    ? { displayName: 'Options', name, type: 'collection', placeholder: 'Add option', default: {}, options }
    : { displayName: 'Additional Fields', name, type: 'collection', placeholder: 'Add Field', default: {}, options };
}

/** The fields one operation shows, in the editor's order, without displayOptions. */
export function operationFields(op: XeroOperation, schemas: SchemaSet, hook?: FieldHook): INodeProperties[] {
  const { inputs, body, paged, fileAnswer } = operationInputs(op, schemas);
  const field = (input: TableInput) => (hook ? hook(input, fieldOf(input)) : fieldOf(input));
  const out: INodeProperties[] = inputs.filter((i) => i.placement === 'top').map(field);
  if (body.kind === 'json')
    out.push({
      displayName: 'Fields (JSON)',
      name: 'fields',
      type: 'json',
      default: body.example,
      required: true,
      description: "The record in Xero's own field names (the example shows what it needs); an array sends several",
    });
  if (body.kind === 'binary' || body.kind === 'multipart')
    out.push({
      displayName: 'Input Binary Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      hint: 'The name of the input binary field holding the file',
    });
  if (paged)
    for (const f of returnAllAndLimit(op.operationId)) out.push({ ...f, displayOptions: f.name === 'limit' ? { show: { returnAll: [false] } } : undefined });
  const options = inputs.filter((i) => i.placement === 'options').map(field);
  if (options.length) out.push(collectionOf('options', options));
  const additional = inputs.filter((i) => i.placement === 'additionalFields').map(field);
  if (additional.length) out.push(collectionOf('additionalFields', additional));
  if (fileAnswer)
    out.push({
      displayName: 'Put Output File in Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      hint: 'The name of the output binary field to put the file in',
    });
  return out;
}

/**
 * The fields of several operations, each shown for the operations that have it: a field alike in
 * several operations (the same EmployeeID) is one field with all of them in displayOptions.
 */
export function resourceFields(ops: readonly XeroOperation[], schemas: SchemaSet, hook?: FieldHook): INodeProperties[] {
  const merged = new Map<string, { field: INodeProperties; operations: string[] }>();
  for (const op of ops) {
    for (const f of operationFields(op, schemas, hook)) {
      const key = JSON.stringify(f);
      const seen = merged.get(key);
      if (seen) seen.operations.push(op.operationId);
      else merged.set(key, { field: f, operations: [op.operationId] });
    }
  }
  return [...merged.values()].map(({ field, operations }) => ({
    ...field,
    displayOptions: { ...field.displayOptions, show: { ...show(operations)?.show, ...(field.displayOptions?.show ?? {}) } },
  }));
}
