import type { IDataObject } from 'n8n-workflow';
import type { XeroMethod, XeroRequestSpec } from '../port';
import { MappingError, type Parameters } from './types';

export const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

export function required(parameters: Parameters, name: string, label: string): string {
  const value = str(parameters[name]);
  if (!value) throw new MappingError(`${label} is empty: fill in "${label}" (or map it from the input with an expression).`);
  return value;
}

/** A path segment from user input, encoded so an id can never change the path. */
export const seg = (value: string): string => encodeURIComponent(value);

export function spec(method: XeroMethod, path: string, extra: Partial<XeroRequestSpec> = {}): XeroRequestSpec {
  return { method, path, query: {}, headers: {}, ...extra };
}

/** A JSON parameter (object or array) given as text or as an object from an expression. */
export function jsonParameter(parameters: Parameters, name: string, label: string): IDataObject | IDataObject[] {
  const raw = parameters[name];
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw === 'object') return raw as IDataObject | IDataObject[];
  if (typeof raw !== 'string') throw new MappingError(`${label} must be a JSON object.`);
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') return parsed as IDataObject | IDataObject[];
  } catch (error) {
    throw new MappingError(`${label} is not valid JSON (${error instanceof Error ? error.message : String(error)}): write an object such as {"Name": "Acme"}.`);
  }
  throw new MappingError(`${label} must be a JSON object such as {"Name": "Acme"}.`);
}

/** Records from an answer: body[envelope] when it is an array, else the body itself. */
export function recordsOf(body: unknown, envelope: string | undefined): IDataObject[] {
  if (body === null || body === undefined) return [];
  if (envelope && typeof body === 'object' && !Array.isArray(body)) {
    const inner = (body as IDataObject)[envelope];
    if (Array.isArray(inner)) return inner as IDataObject[];
  }
  if (Array.isArray(body)) return body as IDataObject[];
  return typeof body === 'object' ? [body as IDataObject] : [{ value: body as string }];
}

/** The list filters every Get Many shares, as Xero's query parameters. */
export interface ListFilterSupport {
  where?: boolean;
  order?: boolean;
  modifiedSince?: boolean;
  statuses?: boolean;
  ids?: string;
  includeArchived?: boolean;
  summaryOnly?: boolean;
  createdByMyApp?: boolean;
}

export function listQuery(options: IDataObject, support: ListFilterSupport): Pick<XeroRequestSpec, 'query' | 'modifiedSince'> {
  const query: Record<string, string> = {};
  let modifiedSince: string | undefined;
  if (support.where && str(options.where)) query.where = str(options.where);
  if (support.order && str(options.orderBy)) query.order = `${str(options.orderBy)} ${str(options.sortOrder) || 'DESC'}`;
  if (support.statuses) {
    const statuses = Array.isArray(options.statuses) ? options.statuses.map(str) : str(options.statuses).split(',');
    const list = statuses.map((s) => s.trim()).filter(Boolean);
    if (list.length) query.Statuses = list.join(',');
  }
  if (support.ids && str(options.ids)) {
    query[support.ids] = str(options.ids)
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(',');
  }
  if (support.includeArchived && options.includeArchived === true) query.includeArchived = 'true';
  if (support.summaryOnly && options.summaryOnly === true) query.summaryOnly = 'true';
  if (support.createdByMyApp && options.createdByMyApp === true) query.createdByMyApp = 'true';
  if (support.modifiedSince && str(options.modifiedSince)) modifiedSince = str(options.modifiedSince);
  return { query, ...(modifiedSince ? { modifiedSince } : {}) };
}

export const MappingErrorFor = (message: string): MappingError => new MappingError(message);
