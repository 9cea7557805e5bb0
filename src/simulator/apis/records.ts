/**
 * Records as the document's schema has them: what a client sent, brought into the schema's form
 * (conformToSchema: unknown fields dropped, loose values fixed), with every property the schema
 * requires filled (a new id, today, the first of an enum, zero, empty), in the API's own date forms
 * (Accounting's and Payroll AU's `/Date(ms+0000)/`, ISO 8601 elsewhere). The generic store keeps
 * records this way, so every answer it gives holds to the document.
 */
import type { XeroSchema } from '../../xero/operations';
import { conformToSchema, resolveSchema, type SchemaSet } from '../../xero/operations/schema-walk';
import { newId } from '../formats';
import { dateString, wireDate } from '../accounting/values';

export type XRecord = Record<string, unknown>;

/** A value of this schema for a record that must have one. */
export function placeholder(schema: XeroSchema | undefined, schemas: SchemaSet, now: number, depth = 0): unknown {
  const s = resolveSchema(schema, schemas);
  if (!s || depth > 12) return undefined;
  if (s.oneOf?.[0]) return placeholder(s.oneOf[0], schemas, now, depth + 1);
  if (s.enum && s.enum.length > 0) return s.enum[0];
  switch (s.type) {
    case 'string':
      if (s.msDate) return wireDate(s.msDate === 'date' ? Math.floor(now / 86_400_000) * 86_400_000 : now);
      if (s.format === 'uuid') return newId();
      if (s.format === 'date') return new Date(now).toISOString().slice(0, 10);
      if (s.format === 'date-time') return dateString(now);
      if (s.format === 'email') return 'someone@example.com';
      return '';
    case 'integer':
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return s.properties ? complete({}, s, schemas, now, depth + 1) : {};
  }
}

/** The record with every property its schema requires, recursively; what it has is kept. */
export function complete(record: XRecord, schema: XeroSchema | undefined, schemas: SchemaSet, now: number, depth = 0): XRecord {
  const s = resolveSchema(schema, schemas);
  if (!s?.properties || depth > 12) return record;
  const out: XRecord = { ...record };
  for (const name of s.required ?? []) {
    if (out[name] === undefined) {
      const value = placeholder(s.properties[name], schemas, now, depth + 1);
      if (value !== undefined) out[name] = value;
    }
  }
  for (const [name, value] of Object.entries(out)) {
    const prop = resolveSchema(s.properties[name], schemas);
    if (!prop) continue;
    if (prop.properties && value && typeof value === 'object' && !Array.isArray(value)) out[name] = complete(value as XRecord, prop, schemas, now, depth + 1);
    const items = resolveSchema(prop.items, schemas);
    if (items?.properties && Array.isArray(value))
      out[name] = value.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? complete(v as XRecord, items, schemas, now, depth + 1) : v));
  }
  return out;
}

/** A record as the schema would have it: conformed, then completed. */
export function present(record: unknown, schemaName: string | undefined, schemas: SchemaSet, now: number): XRecord {
  if (!schemaName) return (record ?? {}) as XRecord;
  const schema: XeroSchema = { ref: schemaName };
  const conformed = conformToSchema(record, schema, schemas);
  return complete((conformed && typeof conformed === 'object' ? conformed : {}) as XRecord, schema, schemas, now);
}

const UPDATED = /^(updated|lastupdated|modified)(date)?(utc)?$/i;
const CREATED = /^(created|datecreated)(date)?(utc)?$/i;

/** Stamps the record's own "updated" (and on creation "created") properties, in the schema's date form. */
export function stamp(record: XRecord, schemaName: string | undefined, schemas: SchemaSet, now: number, created: boolean): void {
  const schema = resolveSchema(schemaName ? { ref: schemaName } : undefined, schemas);
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (!(UPDATED.test(name) || (created && CREATED.test(name)))) continue;
    const p = resolveSchema(prop, schemas);
    if (p?.type === 'string') record[name] = placeholder({ ...p, enum: undefined }, schemas, now);
  }
}

/** The schema's property names, for `where` and `filter` (a field the record does not have yet is still a field). */
export function fieldsOf(schemaName: string | undefined, schemas: SchemaSet): Set<string> {
  return new Set(Object.keys(resolveSchema(schemaName ? { ref: schemaName } : undefined, schemas)?.properties ?? {}));
}
