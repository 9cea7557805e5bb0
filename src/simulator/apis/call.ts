/**
 * One request to a generic API as the store's handler and its hooks (files.ts) see it, and what a
 * hook may ask of the store: in a module of its own so the handler and the hooks do not import each other.
 */
import type { XeroOperation } from '../../xero/operations';
import type { AdmittedCall, ApiRequest } from '../api-endpoints';
import type { SimResponse } from '../http-kit';
import type { Refusal } from './answers';
import type { SimulatedApi } from './catalogue';
import type { XRecord } from './records';
import type { ApiBook } from './store';

export interface GenericCall {
  req: ApiRequest;
  raw: Buffer;
  sim: SimulatedApi;
  op: XeroOperation;
  params: Record<string, string>;
  book: ApiBook;
  admitted: AdmittedCall;
  now: number;
  providerName: string;
}

export interface StoreTools {
  /** A collection's records (seeded from the examples on first use), by collection template and path values. */
  records(call: GenericCall, template: string, params?: Record<string, string>): Map<string, XRecord>;
  /** A new record in a collection, as a create would make it. */
  insert(call: GenericCall, template: string, input: XRecord, params?: Record<string, string>): XRecord;
  /** These records as the operation answers a list (paged in its API's style). */
  list(call: GenericCall, records: XRecord[]): SimResponse;
  /** A record as the operation's answer schema has it. */
  present(call: GenericCall, record: unknown): XRecord;
  refuse(call: GenericCall, refusals: Refusal[]): SimResponse;
}

export type Hook = (call: GenericCall, tools: StoreTools) => SimResponse;
