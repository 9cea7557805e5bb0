/**
 * OpenAPI schema objects -> the table's compact XeroSchema: the keywords Xero's documents use, refs
 * as `{ ref: 'Name' }`, Xero's extensions turned into words (`msDate`), its HTML-escaped text
 * unescaped. What is dropped is what neither the nodes nor the simulator read (x-snake, the SDKs'
 * per-language examples, externalDocs).
 */
import type { XeroSchema } from '../../src/xero/operations/types';

export type Json = Record<string, unknown>;

const ENTITIES: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#39;': "'" };

/** Xero's documents write quotes in examples and descriptions as HTML entities. */
export const unescapeText = (s: string): string => s.replace(/&(quot|apos|amp|lt|gt|#39);/g, (m) => ENTITIES[m] ?? m).trim();

export const refName = (ref: unknown): string | undefined => (typeof ref === 'string' ? ref.split('/').pop() : undefined);

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

export function compactSchema(input: unknown): XeroSchema {
  const s = (input ?? {}) as Json;
  if (typeof s.$ref === 'string') return { ref: refName(s.$ref) as string };
  const out: { -readonly [K in keyof XeroSchema]: XeroSchema[K] } = {};
  if (typeof s.type === 'string') out.type = s.type as XeroSchema['type'];
  if (typeof s.format === 'string') out.format = s.format;
  if (Array.isArray(s.enum)) out.enum = s.enum.filter((v) => v !== null && v !== '').map((v) => String(v));
  if (s.items !== undefined) out.items = compactSchema(s.items);
  if (s.properties && typeof s.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(s.properties as Json).map(([k, v]) => [k, compactSchema(v)]));
  }
  // A required name the schema does not declare is a slip in Xero's document (Files' FileObject requires
  // `manufacturer`): dropped, or every record would need an invented field (see undeclaredRequired).
  const required = Array.isArray(s.required) ? s.required.map(String).filter((r) => !out.properties || r in out.properties) : [];
  if (required.length > 0) out.required = required;
  if (s.additionalProperties === true) out.additionalProperties = true;
  else if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = compactSchema(s.additionalProperties);
  if (Array.isArray(s.oneOf)) out.oneOf = s.oneOf.map(compactSchema);
  if (typeof s.description === 'string' && s.description.trim() !== '') out.description = unescapeText(s.description);
  if (s.readOnly === true) out.readOnly = true;
  if (s.deprecated === true) out.deprecated = true;
  if (typeof s.maxLength === 'number') out.maxLength = s.maxLength;
  if (typeof s.minimum === 'number') out.minimum = s.minimum;
  if (typeof s.maximum === 'number') out.maximum = s.maximum;
  if (s['x-is-msdate'] === true) out.msDate = 'date';
  if (s['x-is-msdate-time'] === true) out.msDate = 'date-time';
  if (scalar(s.example)) out.example = typeof s.example === 'string' ? unescapeText(s.example) : s.example;
  if (scalar(s.default)) out.default = s.default;
  return out;
}
