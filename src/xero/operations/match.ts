/**
 * Which operation of an API a concrete request path is: the table's path templates matched segment by
 * segment, case-insensitively (Xero's paths are), a literal segment beating a `{param}`, and a
 * parameter declared as a GUID or a number taking only a value of that shape. That last rule is
 * what tells Xero's look-alike templates apart: `Contacts/{ContactID}` from `Contacts/{ContactNumber}`,
 * `Journals/{JournalID}` from `Journals/{JournalNumber}`.
 */
import type { XeroOperation, XeroParameter } from './types';

export interface OperationMatch {
  operation: XeroOperation;
  /** Path parameters by their name in the template, decoded. */
  params: Record<string, string>;
}

interface Template {
  operation: XeroOperation;
  /** Lower-cased literal, or the parameter it stands for. */
  parts: Array<string | XeroParameter>;
  literals: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fits(param: XeroParameter, value: string): boolean {
  const { type, format } = param.schema;
  if (format === 'uuid') return GUID.test(value);
  if (type === 'integer' || type === 'number') return /^\d+$/.test(value);
  return value !== '';
}

export class OperationMatcher {
  /** By `METHOD segment-count`: a handful of candidates per request, so matching stays off the hot path's cost. */
  private readonly index = new Map<string, Template[]>();

  constructor(operations: readonly XeroOperation[]) {
    for (const operation of operations) {
      const parts = operation.path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => {
          const name = /^\{(.+)\}$/.exec(s)?.[1];
          if (name === undefined) return s.toLowerCase();
          const param = operation.pathParams.find((p) => p.name === name);
          if (!param) throw new Error(`${operation.operationId}: {${name}} is not among its path parameters`);
          return param;
        });
      const key = `${operation.method} ${parts.length}`;
      const list = this.index.get(key) ?? [];
      list.push({ operation, parts, literals: parts.filter((p) => typeof p === 'string').length });
      // Most literal segments first; among equals, typed parameters (GUID, number) before free text.
      list.sort((a, b) => b.literals - a.literals || typedCount(b) - typedCount(a));
      this.index.set(key, list);
    }
  }

  /** `segments` are the decoded segments below the API's base path. */
  match(method: string, segments: readonly string[]): OperationMatch | undefined {
    const candidates = this.index.get(`${method.toUpperCase()} ${segments.length}`);
    if (!candidates) return undefined;
    for (const t of candidates) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < t.parts.length && ok; i++) {
        const part = t.parts[i] as string | XeroParameter;
        const value = segments[i] as string;
        if (typeof part === 'string') ok = part === value.toLowerCase();
        else if (fits(part, value)) params[part.name] = value;
        else ok = false;
      }
      if (ok) return { operation: t.operation, params };
    }
    return undefined;
  }

  /** Whether any operation of this API has a path of this shape, whatever the method (404 versus 405-like answers). */
  knows(segments: readonly string[]): boolean {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) if (this.match(method, segments)) return true;
    return false;
  }
}

function typedCount(t: Template): number {
  return t.parts.filter((p) => typeof p !== 'string' && (p.schema.format === 'uuid' || p.schema.type === 'integer' || p.schema.type === 'number')).length;
}
