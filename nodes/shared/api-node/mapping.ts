/**
 * Reading an item's parameters into the core's request options: text, required fields, IDs and file
 * names that become one path segment, JSON fields, and the filters every Get Many shares. A value that
 * cannot make a request is a MappingError naming the field as the editor shows it.
 */
import type { IDataObject } from 'n8n-workflow';
import { pathSegmentProblem, type XeroListOptions, type XeroQuery } from '../../../src/xero/accounting';
import { MappingError, type Parameters } from './types';

export const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

export function required(parameters: Parameters, name: string, label: string): string {
  const value = str(parameters[name]);
  if (!value) throw new MappingError(`${label} is empty: fill in "${label}" (or map it from the input with an expression).`);
  return value;
}

/**
 * A required value that becomes one segment of the path (an ID, a file name). The core encodes it; a
 * value that could not stay one segment (a `/`, a `..`) is refused here so the error names the field.
 */
export function segment(parameters: Parameters, name: string, label: string): string {
  const value = required(parameters, name, label);
  const problem = pathSegmentProblem(value);
  if (problem) throw new MappingError(`${label} cannot be part of a Xero path: ${problem}. Correct "${label}".`);
  return value;
}

/** A collection or fixed collection parameter (Additional Fields, Options): its values, or none. */
export const collection = (parameters: Parameters, name: string): IDataObject =>
  parameters[name] && typeof parameters[name] === 'object' ? (parameters[name] as IDataObject) : {};

/** The entries of a fixed collection that takes several (n8n's `{ phonesValues: [...] }` under Phones); undefined when it has no such list. */
export function fixedCollectionValues(value: unknown, group: string): IDataObject[] | undefined {
  const inner = value && typeof value === 'object' ? (value as IDataObject)[group] : undefined;
  return Array.isArray(inner) ? (inner as IDataObject[]) : undefined;
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

/** Return All and Limit (n8n's own names): how many records a Get Many keeps, undefined for all. */
export const limitOf = (parameters: Parameters): number | undefined => (parameters.returnAll === true ? undefined : Number(parameters.limit ?? 100));

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

/** The filters most Get Many endpoints take. */
export const BASIC_LIST_FILTERS: ListFilterSupport = { where: true, order: true, modifiedSince: true };

export function listQuery(options: IDataObject, support: ListFilterSupport): Pick<XeroListOptions, 'query' | 'ifModifiedSince'> {
  const query: XeroQuery = {};
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
  if (support.includeArchived && options.includeArchived === true) query.includeArchived = true;
  if (support.summaryOnly && options.summaryOnly === true) query.summaryOnly = true;
  if (support.createdByMyApp && options.createdByMyApp === true) query.createdByMyApp = true;
  const since = support.modifiedSince ? str(options.modifiedSince) : '';
  return { query, ...(since ? { ifModifiedSince: since } : {}) };
}
