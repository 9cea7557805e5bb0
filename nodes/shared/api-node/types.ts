/**
 * What a resource is to a Xero Guard API node: the fields it shows, and operations that each plan one
 * request in the core client's own options (src/xero/accounting) from an item's parameters, with no
 * I/O. The executor (execute.ts) runs every plan the same way, whichever Xero API it goes to.
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { XeroApiId } from '../../../src/xero/operations';
import type { XeroDownloadOptions, XeroFormUpload, XeroListOptions, XeroRequestOptions, XeroUploadOptions } from '../../../src/xero/accounting';

/** One request and its answer read as records: the key of the answer that holds them (`Invoices`), one output item each. */
export interface SingleRequest {
  kind: 'single';
  request: XeroRequestOptions;
  envelope?: string;
  /**
   * A write that may share one request with its neighbours (Settings > Batch Size): the collection its
   * records go to together (`['Invoices']`); each record in body[envelope] names its own ID.
   */
  batchPath?: readonly string[];
}

/** Every page of a list (the records found by the core from request.envelope), stopping after `limit` records. */
export interface ListRequest {
  kind: 'list';
  request: XeroListOptions;
  /** Undefined: every page. */
  limit?: number;
}

/** A file out of Xero into the item's binary field. */
export interface DownloadRequest {
  kind: 'download';
  request: XeroDownloadOptions;
  binaryProperty: string;
  /** The file's name when Xero's answer gives none. */
  fileName: string;
}

/** A file from the item's binary field into Xero (an attachment, a Files upload); the answer's records as with a single request. */
export interface UploadRequest {
  kind: 'upload';
  request: Omit<XeroUploadOptions, 'data' | 'contentType' | 'form'>;
  binaryProperty: string;
  envelope?: string;
  /** A multipart/form-data upload (the Files API): its parts, given the binary's own file name and type. */
  form?(file: { fileName: string; mimeType: string }): XeroFormUpload;
}

/**
 * Create or update one record found by a field (a contact by its name or email): the list read for
 * it, which of the found records is it, and the write for each case. A second run updates what the
 * first created instead of failing on Xero's unique name.
 */
export interface UpsertRequest {
  kind: 'upsert';
  find: XeroListOptions;
  /** Whether a found record is the one (Xero's search is broader than an exact match). */
  matches(record: IDataObject): boolean;
  /** What the match was made on, for the error when several records match: `name "Acme"`. */
  matchedOn: string;
  idKey: string;
  create: SingleRequest;
  update(id: string): SingleRequest;
}

export type PlannedRequest = SingleRequest | ListRequest | DownloadRequest | UploadRequest | UpsertRequest;

/** The parameters of one item, as n8n resolved them (names exactly as in the description). */
export type Parameters = IDataObject;

export interface OperationDef {
  option: INodePropertyOptions;
  plan(parameters: Parameters): PlannedRequest;
  /** The output records, for an answer that holds none (an email sent, a contact removed from a group). */
  parse?(body: unknown): IDataObject[];
  /**
   * The operations of the node's API table (operationIds) this operation does, for the count of what
   * the node covers; an operation of a hand-made resource names them, a table operation is its own.
   */
  covers?: readonly string[];
  /** The API those operations are of, where the node has several (Payroll AU and its v2 timesheets); the node's first by default. */
  api?: XeroApiId;
}

export interface ResourceModule {
  value: string;
  name: string;
  description: string;
  operations: Record<string, OperationDef>;
  /** Fields, each with displayOptions.show.operation; resource is added by the node. */
  properties: INodeProperties[];
  /** The operation table's resource it stands for (`Invoices`): the table's other operations of that resource join it. */
  table?: string;
}

/** A parameter that cannot make a request, named as the editor shows it; nothing was sent to Xero. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}
