import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { XeroRequestSpec } from '../port';

/** What execute() does with a spec: one answer, every page (or up to a limit), a file out, a file in. */
export type OperationKind = 'single' | 'list' | 'download' | 'upload';

/** A request plus how execute() runs it and reads the answer. */
export interface PlannedRequest {
  kind: OperationKind;
  spec: XeroRequestSpec;
  /** For list: stop after this many records (undefined: every page). */
  limit?: number;
  /** For download: the item's binary property to fill. */
  binaryProperty?: string;
  /** For a write that can be batched with neighbours: the records it sends, in body[envelope]. */
  batchable?: boolean;
  /** For a batchable write: the collection path several records go to in one request (the ID is then in each record). */
  batchPath?: string;
}

/** The parameters of one item, as n8n resolved them (names exactly as in the description). */
export type Parameters = IDataObject;

export interface OperationDef {
  option: INodePropertyOptions;
  plan(parameters: Parameters): PlannedRequest;
  /** The answer as output records (one n8n item each). Default: the spec's envelope array, or the body. */
  parse?(body: unknown): IDataObject[];
}

export interface ResourceModule {
  value: string;
  name: string;
  description: string;
  operations: Record<string, OperationDef>;
  /** Fields, each with displayOptions.show.operation; resource is added by the node. */
  properties: INodeProperties[];
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}
