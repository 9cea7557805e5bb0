/**
 * Walking a value along a compact schema (types.ts XeroSchema): following refs, and bringing a value
 * Xero's documents would write loosely into the form its schema states. Xero's own examples (and its
 * traffic) write `"problem": null` where the schema says object, `2020-08-20T00:00:00` where it says
 * `date`, numbers and booleans as strings; the generator conforms the documents' examples with this
 * before keeping them, and the simulator conforms what a client sends before storing it, so what
 * either hands on holds to the schema.
 */
import type { XeroSchema } from './types';

export type SchemaSet = Readonly<Record<string, XeroSchema>>;

/** The schema a ref names, followed to the end (a ref to a ref); the schema itself when it is no ref. */
export function resolveSchema(schema: XeroSchema | undefined, schemas: SchemaSet): XeroSchema | undefined {
  let s = schema;
  for (let depth = 0; s?.ref !== undefined && depth < 16; depth++) s = schemas[s.ref];
  return s;
}

const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function conformScalar(value: unknown, s: XeroSchema): unknown {
  if (s.type === 'string') {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') return undefined;
    if (s.format === 'date') return DATE_PREFIX.exec(value)?.[1];
    if (s.enum && !s.enum.includes(value)) return undefined;
    return value;
  }
  if (s.type === 'number' || s.type === 'integer') {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
    return s.type === 'integer' ? Math.trunc(n) : n;
  }
  if (s.type === 'boolean') {
    if (value === 'true' || value === 'false') return value === 'true';
    return typeof value === 'boolean' ? value : undefined;
  }
  return value;
}

/**
 * The value in its schema's form, or undefined where it cannot be (a null, an object where a string
 * belongs): the caller drops it. Properties the schema does not name are dropped too, so nothing
 * invented survives.
 */
export function conformToSchema(value: unknown, schema: XeroSchema | undefined, schemas: SchemaSet, depth = 0): unknown {
  const s = resolveSchema(schema, schemas);
  if (!s || value === null || value === undefined || depth > 32) return undefined;
  if (s.oneOf) {
    for (const option of s.oneOf) {
      const v = conformToSchema(value, option, schemas, depth + 1);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  if (s.type === 'array' || (s.type === undefined && Array.isArray(value))) {
    if (!Array.isArray(value)) return undefined;
    return value.map((v) => conformToSchema(v, s.items, schemas, depth + 1)).filter((v) => v !== undefined);
  }
  if (s.type === 'object' || s.properties) {
    if (typeof value !== 'object' || Array.isArray(value)) return undefined;
    // An object the document leaves open (no properties named) is taken as it is.
    if (!s.properties && s.additionalProperties === undefined) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const prop = s.properties?.[key] ?? (s.additionalProperties === true ? {} : s.additionalProperties);
      if (!prop) continue;
      const conformed = Object.keys(prop).length === 0 ? v : conformToSchema(v, prop, schemas, depth + 1);
      if (conformed !== undefined && conformed !== null) out[key] = conformed;
    }
    return out;
  }
  if (s.type === undefined) return value;
  return conformScalar(value, s);
}
