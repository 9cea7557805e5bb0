/**
 * A contact, wherever a field takes one: picked from a searchable list of the organisation's contacts,
 * given by its ID, or by its name (looked up once per execution, exactly as Xero spells it, any case).
 * Same field names as n8n's own node (`contactId`): a workflow converted from it holds the ID as plain
 * text, which is read as By ID.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodeProperties } from 'n8n-workflow';
import type { XeroAccountingClient } from '../../../src/xero/accounting';
import { toXeroNodeError, XeroGuardConfigError } from '../../shared/api-node/errors';
import { editorSession } from '../../shared/api-node/methods';
import { guardedSearch } from '../../shared/editor-guard';
import { GUID } from '../../shared/api-node/properties';

export const SEARCH_CONTACTS = 'searchContacts';

export function contactLocator(field: { name: string; displayName: string; description: string; required?: boolean }): INodeProperties {
  return {
    displayName: field.displayName,
    name: field.name,
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    ...(field.required ? { required: true } : {}),
    description: `${field.description}: from the list, by ID, or by its name as Xero spells it`,
    modes: [
      {
        displayName: 'From List',
        name: 'list',
        type: 'list',
        placeholder: 'Select a contact...',
        typeOptions: { searchListMethod: SEARCH_CONTACTS, searchable: true },
      },
      {
        displayName: 'By ID',
        name: 'id',
        type: 'string',
        placeholder: 'e.g. 4ff1e5cc-9835-40d5-bb18-09fdb118db9c',
        validation: [{ type: 'regex', properties: { regex: GUID, errorMessage: 'A contact ID is a GUID (ContactID)' } }],
      },
      { displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. Harbour Florists' },
    ],
  };
}

const same = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Xero's contact search (name, first and last name, number, email; any case), page by page. */
async function* searchContacts(client: XeroAccountingClient, tenantId: string, term: string): AsyncGenerator<IDataObject[]> {
  for await (const page of client.pages({ path: ['Contacts'], envelope: 'Contacts', paging: 'page', tenantId, query: { searchTerm: term, summaryOnly: true } }))
    yield page.records as IDataObject[];
}

/** The ContactID of the contact named `name` in the organisation; a name no contact (or several) has fails, saying so. */
export async function contactIdByName(client: XeroAccountingClient, tenantId: string, name: string): Promise<string> {
  const found: IDataObject[] = [];
  for await (const records of searchContacts(client, tenantId, name)) found.push(...records.filter((r) => same(r.Name, name)));
  if (found.length === 1 && typeof found[0].ContactID === 'string') return found[0].ContactID;
  if (found.length === 0)
    throw new XeroGuardConfigError(
      `No contact named "${name}" in this organisation`,
      'Check the name as Xero spells it, pick the contact From List, or create it first (Contact > Create or Update).',
    );
  throw new XeroGuardConfigError(`More than one contact is named "${name}" in this organisation`, 'Pick the contact From List or By ID.');
}

/** The editor's searchable list of contacts: 100 a page, the search as Xero does it. */
export const searchContactList = guardedSearch(async function (
  this: ILoadOptionsFunctions,
  filter?: string,
  paginationToken?: string,
): Promise<INodeListSearchResult> {
  try {
    const { session, tenantId } = await editorSession(this);
    const page = Math.max(1, Number(paginationToken ?? 1) || 1);
    const query = { page, summaryOnly: true, ...(filter?.trim() ? { searchTerm: filter.trim() } : {}) };
    const answer = await session.client.request({ path: ['Contacts'], tenantId, query });
    const records = ((answer.body as { Contacts?: IDataObject[] } | undefined)?.Contacts ?? []).filter((r) => typeof r.ContactID === 'string');
    return {
      results: records.map((r) => ({
        name: String(r.Name ?? r.ContactID),
        value: String(r.ContactID),
        ...(typeof r.EmailAddress === 'string' && r.EmailAddress ? { description: r.EmailAddress } : {}),
      })),
      ...(records.length >= 100 ? { paginationToken: String(page + 1) } : {}),
    };
  } catch (error) {
    throw toXeroNodeError(this.getNode(), error);
  }
});
