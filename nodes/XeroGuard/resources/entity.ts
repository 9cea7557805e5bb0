/**
 * The resource factory: a Xero collection endpoint read and written the usual way (/{Plural},
 * /{Plural}/{id}) becomes a resource from a description of what Xero allows on it. A record is written
 * from Fields (JSON), or from the resource's own form (contacts and invoices keep n8n's own fields).
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { XeroMethod } from '../../../src/xero/accounting';
import { idField, listOptions, optionalFields, recordJson, returnAllAndLimit, show } from '../../shared/api-node/common';
import { collection, jsonParameter, limitOf, listQuery, segment, str, type ListFilterSupport } from '../../shared/api-node/mapping';
import { MappingError, type OperationDef, type Parameters, type ResourceModule, type SingleRequest } from '../../shared/api-node/types';
import { covered, ID } from './covers';

/** A write's record from the resource's own fields instead of Fields (JSON); the fields show for that operation only. */
export interface RecordForm {
  properties: INodeProperties[];
  record(parameters: Parameters): IDataObject;
}

/** How Xero removes one: a DELETE, or a change of its status field (Status by default) to DELETED, VOIDED or ARCHIVED. */
export type Removal = { operation: 'delete' | 'void' | 'archive'; description: string } & ({ method: 'DELETE' } | { status: string; statusField?: string });

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
  /** The ID field as the editor shows it, when Xero names the record by something else (a tax rate by its TaxType). */
  idLabel?: { displayName: string; description: string };
  /** An example record for Fields (JSON). */
  example?: string;
  /** Operations Xero allows on this endpoint. */
  create?: 'PUT' | 'POST';
  update?: boolean;
  get?: boolean;
  getAll?: ListFilterSupport & { paging?: 'page' | 'none'; statusValues?: string[] };
  remove?: Removal[];
  downloadPdf?: boolean;
  /** Create and Update from the resource's own fields (n8n's form) instead of Fields (JSON). */
  form?: { create?: RecordForm; update?: RecordForm };
  /** Xero writes an existing record on the collection, naming it only in the body (tax rates), not at /{Plural}/{id}. */
  writesOnCollection?: boolean;
  /** A record's ID as it looks in a path, when it is no GUID (a tax rate's TaxType), for matching against the table. */
  sampleId?: string;
  /** The ID field as a resource locator (a contact picked from a list or by name) instead of a text field, same name. */
  idLocator?: INodeProperties;
  /** Option texts in other words than the factory's (n8n's own words for contacts and invoices). */
  texts?: Partial<Record<string, Pick<INodePropertyOptions, 'description' | 'action'>>>;
  /** Operations of this endpoint alone (a group's contacts, a credit note's allocations). */
  extra?: Record<string, OperationDef>;
  extraProperties?: INodeProperties[];
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** n8n's own Xero node words for Get, Get Many and Update ("Get a contact", "Get many contacts"), for the resources it has. */
export function n8nTexts(noun: string, plural: string): EntityConfig['texts'] {
  const a = `${article(noun)} ${noun}`;
  return {
    get: { description: `Get ${a}` },
    getAll: { description: `Get many ${plural}`, action: `Get many ${plural}` },
    update: { description: `Update ${a}` },
  };
}

/** An update from n8n's Update Fields collection, made into Xero's record by `record`. */
export function updateFieldsForm(options: INodeProperties[], record: (fields: IDataObject) => IDataObject): RecordForm {
  return { properties: [optionalFields('update', options)], record: (p) => record(collection(p, 'updateFields')) };
}

export function entityResource(c: EntityConfig): ResourceModule {
  const a = `${article(c.noun)} ${c.noun}`;
  const idLabel = c.idLabel?.displayName ?? `${cap(c.noun)} ID`;
  const operations: Record<string, OperationDef> = {};
  const option = (value: string, name: string, description: string, action: string): INodePropertyOptions => ({
    name,
    value,
    description,
    action,
    ...c.texts?.[value],
  });
  const id = (p: Parameters) => segment(p, c.idParam, idLabel);
  /** An existing record's path: the record itself, or the collection when Xero names it only in the body. */
  const recordPath = (key: string) => (c.writesOnCollection ? [c.plural] : [c.plural, key]);
  const fromJson = (p: Parameters): IDataObject[] => {
    const value = jsonParameter(p, 'fields', 'Fields (JSON)');
    return Array.isArray(value) ? value : [value];
  };
  const sample = c.sampleId ?? ID;
  const write = (method: XeroMethod, path: string[], records: IDataObject[], batch: boolean): SingleRequest => ({
    kind: 'single',
    request: { method, path, body: { [c.plural]: records } },
    envelope: c.plural,
    ...(batch ? { batchPath: [c.plural] } : {}),
  });

  if (c.create) {
    const method = c.create;
    const form = c.form?.create;
    operations.create = {
      option: option('create', 'Create', `Create ${a}`, `Create ${a}`),
      plan: (p) => write(method, [c.plural], form ? [form.record(p)] : fromJson(p), true),
      covers: covered([method, [c.plural]]),
    };
  }
  if (c.get !== false) {
    operations.get = {
      option: option('get', 'Get', `Get ${a} by its ID`, `Get ${a}`),
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: [c.plural, id(p)] }, envelope: c.plural }),
      covers: covered(['GET', [c.plural, sample]]),
    };
  }
  if (c.getAll) {
    const support = c.getAll;
    operations.getAll = {
      option: option('getAll', 'Get Many', `Get many ${c.noun} records, filtered and ordered`, `Get many ${c.noun} records`),
      plan: (p) => ({
        kind: 'list',
        limit: limitOf(p),
        request: { path: [c.plural], envelope: c.plural, paging: support.paging ?? 'page', ...listQuery(collection(p, 'options'), support) },
      }),
      covers: covered(['GET', [c.plural]]),
    };
  }
  if (c.update) {
    const form = c.form?.update;
    operations.update = {
      option: option('update', 'Update', `Update ${a}: only the fields given change`, `Update ${a}`),
      plan: (p) => {
        const key = id(p);
        const [first, ...rest] = form ? [form.record(p)] : fromJson(p);
        if (rest.length) throw new MappingError(`Fields (JSON) of an update must be one object (the ${c.noun} named by its ID), not an array.`);
        return write('POST', recordPath(key), [{ ...first, [c.idKey]: key }], true);
      },
      covers: covered(['POST', recordPath(sample)]),
    };
  }
  for (const r of c.remove ?? []) {
    operations[r.operation] = {
      option: option(r.operation, cap(r.operation), r.description, `${cap(r.operation)} ${a}`),
      plan: (p) => {
        const key = id(p);
        if ('method' in r) return { kind: 'single', request: { method: 'DELETE', path: [c.plural, key] }, envelope: c.plural };
        return write('POST', recordPath(key), [{ [c.idKey]: key, [r.statusField ?? 'Status']: r.status }], false);
      },
      covers: covered('method' in r ? ['DELETE', [c.plural, sample]] : ['POST', recordPath(sample)]),
    };
  }
  if (c.downloadPdf) {
    operations.downloadPdf = {
      option: option('downloadPdf', 'Download PDF', `Download ${a} as a PDF file into binary data`, `Download ${a} as PDF`),
      plan: (p) => {
        const key = id(p);
        return {
          kind: 'download',
          request: { path: [c.plural, key, 'pdf'], accept: 'application/pdf' },
          binaryProperty: str(p.binaryPropertyName) || 'data',
          fileName: `${c.value}-${key}.pdf`,
        };
      },
      covers: covered(['GET', [c.plural, sample, 'pdf']]),
    };
  }
  Object.assign(operations, c.extra);

  // The ID field shows for every operation on one record: all but Create, Get Many and Create or Update (which finds it).
  const idOps = Object.keys(operations).filter((op) => op !== 'create' && op !== 'getAll' && op !== 'upsert');
  const jsonWrites = [...(c.create && !c.form?.create ? ['create'] : []), ...(c.update && !c.form?.update ? ['update'] : [])];
  const properties: INodeProperties[] = [...(c.form?.create?.properties ?? [])];
  if (idOps.length) {
    const field = idField(idOps, c.idParam, idLabel, c.noun);
    properties.push(
      c.idLocator ? { ...c.idLocator, displayOptions: field.displayOptions } : c.idLabel ? { ...field, description: c.idLabel.description } : field,
    );
  }
  if (jsonWrites.length) properties.push(recordJson(jsonWrites, c.noun, c.example ?? '{}'));
  if (c.getAll) properties.push(...returnAllAndLimit('getAll'), listOptions('getAll', c.getAll, c.getAll.statusValues));
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
  properties.push(...(c.form?.update?.properties ?? []), ...(c.extraProperties ?? []));
  return { value: c.value, name: c.name, description: c.description, operations, properties, table: c.plural };
}
