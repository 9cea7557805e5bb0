/**
 * JSON Schema validation against one of Xero's OpenAPI documents, with the one leniency Xero's own
 * traffic needs: its date-times often carry no zone (`2019-12-07T18:46:19.5165400`, the documents'
 * own examples), which RFC 3339 refuses, so `date-time` accepts an ISO date-time with an optional zone.
 * The generator uses it to keep only the examples that hold to their schema; the simulator's tests use
 * it to check every answer.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Json } from './compact-schema';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Required names a schema does not declare among its properties: slips in Xero's documents (the Files
 * document's FileObject requires `id`, `name`, `manufacturer` and `releaseDate`, its properties being
 * `Id`, `Name`, ...; Folder requires `name` beside `Name`). No answer of Xero's has them, so they are
 * taken out before validating, and listed, so a test shows exactly which were.
 */
export function undeclaredRequired(schemas: Json): Array<{ schema: string; name: string }> {
  const out: Array<{ schema: string; name: string }> = [];
  for (const [name, raw] of Object.entries(schemas)) {
    const s = raw as Json;
    if (!Array.isArray(s.required) || !s.properties) continue;
    for (const r of s.required as string[]) if (!(r in (s.properties as Json))) out.push({ schema: name, name: r });
  }
  return out;
}

/**
 * OpenAPI 3.0: "sibling elements of a $ref are ignored". Xero's documents put some beside refs
 * (Projects' `rate: {$ref: Amount, type: number}`), which a JSON Schema validator would apply; they are
 * taken out so the document means what OpenAPI says it means.
 */
export function withoutRefSiblings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRefSiblings);
  if (!value || typeof value !== 'object') return value;
  const o = value as Json;
  if (typeof o.$ref === 'string') return { $ref: o.$ref };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'example' || k === 'enum' ? v : withoutRefSiblings(v)]));
}

export class DocumentValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** What was taken out of the document's `required` lists (undeclaredRequired). */
  readonly repairs: Array<{ schema: string; name: string }>;

  constructor(
    readonly doc: Json,
    private readonly id: string,
  ) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('date-time', ISO_DATE_TIME);
    // Formats Xero's documents name that JSON Schema has no rule for: numbers, checked by their type.
    for (const numeric of ['int', 'decimal']) this.ajv.addFormat(numeric, true);
    const schemas = withoutRefSiblings(structuredClone(((doc.components ?? {}) as Json).schemas ?? {})) as Json;
    this.repairs = undeclaredRequired(schemas);
    for (const { schema, name } of this.repairs) {
      const s = schemas[schema] as Json;
      s.required = (s.required as string[]).filter((r) => r !== name);
    }
    this.ajv.addSchema({ $id: id, components: { schemas } });
  }

  /** A validator for a schema taken from the document (its `#/components/...` refs resolve in the document). */
  compile(schema: unknown): ValidateFunction {
    const text = JSON.stringify(withoutRefSiblings(structuredClone(schema)));
    let validate = this.compiled.get(text);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(text.replace(/"#\/components/g, `"${this.id}#/components`)));
      this.compiled.set(text, validate);
    }
    return validate;
  }

  /** The errors of `value` against `schema`, as short lines; empty when it holds. */
  errors(schema: unknown, value: unknown): string[] {
    const validate = this.compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }

  /** A schema of the document by name, as `{ $ref }`. */
  static ref(name: string): Json {
    return { $ref: `#/components/schemas/${name}` };
  }
}
