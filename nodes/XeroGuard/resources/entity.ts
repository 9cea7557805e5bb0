import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { XeroMethod } from '../port';
import { idField, listOptions, recordJson, returnAllAndLimit, show } from './common';
import { jsonParameter, listQuery, MappingErrorFor, recordsOf, required, seg, spec, type ListFilterSupport } from './mapping';
import type { OperationDef, Parameters, PlannedRequest, ResourceModule } from './types';

/** A Xero collection endpoint the node reads and writes the same way: /{Plural}, /{Plural}/{id}. */
export interface EntityConfig {
  value: string;
  name: string;
  /** Singular, lower case, for texts: "credit note". */
  noun: string;
  description: string;
  /** Path and envelope: "CreditNotes". */
  plural: string;
  /** The record's ID field: "CreditNoteID". */
  idKey: string;
  /** n8n parameter holding the ID: "creditNoteId". */
  idParam: string;
  example: string;
  /** Operations Xero allows on this endpoint. */
  create?: XeroMethod;
  update?: boolean;
  get?: boolean;
  getAll?: ListFilterSupport & { paging?: 'page' | 'none'; statusValues?: string[] };
  /** How Xero removes one: a DELETE, or a status change (DELETED, VOIDED, ARCHIVED). */
  remove?: Array<{ operation: 'delete' | 'void' | 'archive'; how: 'DELETE' | string; description: string }>;
  extra?: Record<string, OperationDef>;
  extraProperties?: INodeProperties[];
  downloadPdf?: boolean;
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function entityResource(c: EntityConfig): ResourceModule {
  const a = `${article(c.noun)} ${c.noun}`;
  const parse = (body: unknown) => recordsOf(body, c.plural);
  const operations: Record<string, OperationDef> = {};
  const idOps: string[] = [];
  const id = (p: Parameters) => required(p, c.idParam, `${cap(c.noun)} ID`);
  const records = (p: Parameters): IDataObject[] => {
    const value = jsonParameter(p, 'fields', 'Fields (JSON)');
    return Array.isArray(value) ? value : [value];
  };

  if (c.create) {
    const method = c.create;
    operations.create = {
      option: { name: 'Create', value: 'create', description: `Create ${a}`, action: `Create ${a}` },
      plan: (p): PlannedRequest => ({
        kind: 'single',
        batchable: true,
        batchPath: `/${c.plural}`,
        spec: spec(method, `/${c.plural}`, { envelope: c.plural, body: { [c.plural]: records(p) } }),
      }),
      parse,
    };
  }
  if (c.get !== false) {
    idOps.push('get');
    operations.get = {
      option: { name: 'Get', value: 'get', description: `Get ${a} by its ID`, action: `Get ${a}` },
      plan: (p) => ({ kind: 'single', spec: spec('GET', `/${c.plural}/${seg(id(p))}`, { envelope: c.plural }) }),
      parse,
    };
  }
  if (c.getAll) {
    const support = c.getAll;
    operations.getAll = {
      option: { name: 'Get Many', value: 'getAll', description: `Get many ${c.noun} records, filtered and ordered`, action: `Get many ${c.noun} records` },
      plan: (p) => ({
        kind: 'list',
        limit: p.returnAll === true ? undefined : Number(p.limit ?? 100),
        spec: spec('GET', `/${c.plural}`, {
          envelope: c.plural,
          paging: support.paging ?? 'page',
          ...listQuery((p.options as IDataObject | undefined) ?? {}, support),
        }),
      }),
      parse,
    };
  }
  if (c.update) {
    idOps.push('update');
    operations.update = {
      option: { name: 'Update', value: 'update', description: `Update ${a}: only the fields given change`, action: `Update ${a}` },
      plan: (p) => {
        const key = id(p);
        const [first, ...rest] = records(p);
        if (rest.length) throw MappingErrorFor(`Fields (JSON) of an update must be one object (the ${c.noun} named by its ID), not an array.`);
        return {
          kind: 'single',
          batchable: true,
          batchPath: `/${c.plural}`,
          spec: spec('POST', `/${c.plural}/${seg(key)}`, { envelope: c.plural, body: { [c.plural]: [{ ...first, [c.idKey]: key }] } }),
        };
      },
      parse,
    };
  }
  for (const r of c.remove ?? []) {
    idOps.push(r.operation);
    operations[r.operation] = {
      option: { name: cap(r.operation), value: r.operation, description: r.description, action: `${cap(r.operation)} ${a}` },
      plan: (p) => {
        const key = id(p);
        if (r.how === 'DELETE') return { kind: 'single', spec: spec('DELETE', `/${c.plural}/${seg(key)}`, { envelope: c.plural }) };
        return {
          kind: 'single',
          spec: spec('POST', `/${c.plural}/${seg(key)}`, { envelope: c.plural, body: { [c.plural]: [{ [c.idKey]: key, Status: r.how }] } }),
        };
      },
      parse,
    };
  }
  if (c.downloadPdf) {
    idOps.push('downloadPdf');
    operations.downloadPdf = {
      option: { name: 'Download PDF', value: 'downloadPdf', description: `Download ${a} as a PDF file into binary data`, action: `Download ${a} as PDF` },
      plan: (p) => {
        const key = id(p);
        const property = typeof p.binaryPropertyName === 'string' && p.binaryPropertyName.trim() ? p.binaryPropertyName.trim() : 'data';
        return {
          kind: 'download',
          binaryProperty: property,
          spec: spec('GET', `/${c.plural}/${seg(key)}`, { binary: { direction: 'download', accept: 'application/pdf', fileName: `${c.value}-${key}.pdf` } }),
        };
      },
    };
  }
  for (const [name, op] of Object.entries(c.extra ?? {})) operations[name] = op;

  const properties: INodeProperties[] = [];
  const writes = [...(c.create ? ['create'] : []), ...(c.update ? ['update'] : [])];
  if (idOps.length) properties.push(idField(idOps, c.idParam, `${cap(c.noun)} ID`, c.noun));
  if (writes.length) properties.push(recordJson(writes, c.noun, c.example));
  if (c.getAll) {
    properties.push(...returnAllAndLimit('getAll'));
    properties.push(listOptions('getAll', c.getAll, c.getAll.statusValues));
  }
  if (c.downloadPdf)
    properties.push({
      displayName: 'Put Output File in Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      displayOptions: show(['downloadPdf']),
      hint: 'The name of the output binary field to put the PDF in',
    });
  properties.push(...(c.extraProperties ?? []));
  return { value: c.value, name: c.name, description: c.description, operations, properties };
}
