/**
 * A resource of a node made from the operation table: every operation the table lists for it, each
 * with its fields (fields.ts) and its plan (plan.ts). Also the table's operations that join a
 * hand-made resource (the Accounting node's Invoices get the document's other invoice operations).
 */
import { xeroOperations, type XeroApi, type XeroOperation } from '../../../../src/xero/operations';
import type { SchemaSet } from '../../../../src/xero/operations/schema-walk';
import type { OperationDef, ResourceModule } from '../types';
import { label, resourceFields, type FieldHook } from './fields';
import { tableOperation } from './plan';

export interface TableResourceSpec {
  api: XeroApi;
  /** The table's resource: `Employees`, `PayRuns`. */
  resource: string;
  /** What it is, for a person and for an AI agent choosing a resource. */
  description: string;
  schemas: SchemaSet;
  /** The resource's value in the node; the table's name in lower camel case by default. */
  value?: string;
  /** Its name in the editor; the table's name in words by default. */
  name?: string;
  hook?: FieldHook;
}

/** Table resources whose name is no plural of one record. */
const SINGULAR: Readonly<Record<string, string>> = { Settings: 'Settings', ProjectsUsers: 'ProjectUser', BankStatementsPlus: 'BankStatementsPlus' };

/** A table resource as n8n names resources, one record's name: `PayRuns` -> `PayRun`, `Deductions` -> `Deduction`. */
export function singular(name: string): string {
  if (name in SINGULAR) return SINGULAR[name];
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  return name.endsWith('s') && !name.endsWith('ss') ? name.slice(0, -1) : name;
}

/** A table resource's value in a node: `PayRuns` -> `payRun`. */
export const lowerCamel = (name: string): string => {
  const one = singular(name);
  return one.charAt(0).toLowerCase() + one.slice(1);
};

/** The operations of the table for one resource of one API, in the table's order. */
export function tableOperationsOf(api: XeroApi, resource: string): readonly XeroOperation[] {
  const ops = xeroOperations(api.id).filter((op) => op.resource === resource);
  if (ops.length === 0) throw new RangeError(`the operation table has no resource "${resource}" in ${api.label}`);
  return ops;
}

/** Table operations as a resource's operations and fields. */
export function tableParts(
  api: XeroApi,
  ops: readonly XeroOperation[],
  schemas: SchemaSet,
  hook?: FieldHook,
): Pick<ResourceModule, 'operations' | 'properties'> {
  const operations: Record<string, OperationDef> = Object.fromEntries(ops.map((op) => [op.operationId, tableOperation(api, op, schemas)]));
  return { operations, properties: resourceFields(ops, schemas, hook) };
}

export function tableResource(spec: TableResourceSpec): ResourceModule {
  const ops = tableOperationsOf(spec.api, spec.resource);
  return {
    value: spec.value ?? lowerCamel(spec.resource),
    name: spec.name ?? label(singular(spec.resource)),
    description: spec.description,
    table: spec.resource,
    ...tableParts(spec.api, ops, spec.schemas, spec.hook),
  };
}

/**
 * Every resource of an API, each described in `words` (by the table's name): a resource of the table
 * without words fails here, so a new resource in Xero's document gets its words before it ships.
 */
export function tableResources(api: XeroApi, schemas: SchemaSet, words: Readonly<Record<string, string>>): ResourceModule[] {
  const names = [...new Set(xeroOperations(api.id).map((op) => op.resource))];
  const unnamed = names.filter((name) => !words[name]);
  if (unnamed.length) throw new Error(`${api.label}: no words for the table's resources ${unnamed.join(', ')}`);
  return names.map((resource) => tableResource({ api, resource, schemas, description: words[resource]! }));
}
