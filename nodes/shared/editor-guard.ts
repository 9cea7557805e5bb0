/**
 * The one guard every list the editor loads goes through. n8n asks a node for its lists as soon as
 * the node is opened, before a credential is chosen; without one, opening the session throws "Node
 * does not have any credentials set" and n8n shows "Error fetching options" (a 500). Guarded, the
 * list answers no values, only a line saying what to do.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';
import { CREDENTIAL_TYPE } from './guarded-session';

/** The one entry a list shows while no credential is chosen: its value is empty, so picking it sets nothing. */
export const NO_CREDENTIAL_HINT: INodePropertyOptions = {
  name: 'Choose a Xero Credential Above to Load This List',
  value: '',
  description: 'The list is read from Xero through the credential',
};

/** Whether the node being edited names a Xero credential yet. */
export function hasCredential(context: ILoadOptionsFunctions): boolean {
  const chosen = context.getNode().credentials?.[CREDENTIAL_TYPE];
  return !!chosen && (typeof chosen.id === 'string' ? chosen.id !== '' : !!chosen.name);
}

type LoadOptions = (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>;
type ListSearch = (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) => Promise<INodeListSearchResult>;

/** A loadOptions method that answers the hint alone while no credential is chosen. */
export function guardedOptions(load: LoadOptions): LoadOptions {
  return async function (this: ILoadOptionsFunctions) {
    return hasCredential(this) ? await load.call(this) : [NO_CREDENTIAL_HINT];
  };
}

/** A listSearch method that answers the hint alone while no credential is chosen. */
export function guardedSearch(search: ListSearch): ListSearch {
  return async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
    return hasCredential(this) ? await search.call(this, filter, paginationToken) : { results: [{ name: NO_CREDENTIAL_HINT.name, value: '' }] };
  };
}
