/**
 * What n8n's editor asks the node for while a workflow is edited: the organisations to pick from, and
 * the option lists of n8n's own Xero node fields (items, accounts, branding themes, currencies), each
 * read from the chosen organisation.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';
import { recordsOf } from '../../src/xero/accounting';
import { toXeroNodeError } from './errors';
import { organisationSearch, readOrganisationChoice, resolveTenant } from './organisation';
import { openSessionClient } from './session-client';

type Row = Record<string, unknown>;

/** A Xero list (GET /{envelope}) as options: which of a record's fields names an option and which is its value. */
interface OptionList {
  envelope: string;
  name(record: Row): unknown;
  value(record: Row): unknown;
}

/** The option lists n8n's own Xero node fields load (Item Code, Account Code, Branding Theme, Currency). */
const OPTION_LISTS = {
  getItemCodes: { envelope: 'Items', name: (r) => r.Description ?? r.Name, value: (r) => r.Code },
  getAccountCodes: { envelope: 'Accounts', name: (r) => r.Name, value: (r) => r.Code },
  getBrandingThemes: { envelope: 'BrandingThemes', name: (r) => r.Name, value: (r) => r.BrandingThemeID },
  getCurrencies: { envelope: 'Currencies', name: (r) => r.Description, value: (r) => r.Code },
} satisfies Record<string, OptionList>;

/** One option per record of the list, read from the chosen organisation, sorted by name. */
async function optionsOf(context: ILoadOptionsFunctions, list: OptionList): Promise<INodePropertyOptions[]> {
  try {
    const { client, organisations } = await openSessionClient(context);
    const tenant = resolveTenant(readOrganisationChoice(context.getCurrentNodeParameter('organizationId')), await organisations());
    const answer = await client.request({ path: [list.envelope], tenantId: tenant.tenantId });
    return (recordsOf(answer.body, [], list.envelope) as Row[])
      .map((r) => ({ name: String(list.name(r) ?? list.value(r) ?? ''), value: String(list.value(r) ?? '') }))
      .filter((o) => o.value)
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    throw toXeroNodeError(context.getNode(), error);
  }
}

export const listSearch = {
  async searchOrganisations(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
    try {
      const { organisations } = await openSessionClient(this);
      return organisationSearch(await organisations(), filter);
    } catch (error) {
      throw toXeroNodeError(this.getNode(), error);
    }
  },
};

type LoadOptionsMethod = (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>;

export const loadOptions = Object.fromEntries(
  Object.entries(OPTION_LISTS).map(([method, list]): [string, LoadOptionsMethod] => [
    method,
    function (this: ILoadOptionsFunctions) {
      return optionsOf(this, list);
    },
  ]),
) as Record<keyof typeof OPTION_LISTS, LoadOptionsMethod>;
