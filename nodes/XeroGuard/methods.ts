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

/** One option per record of a Xero list (GET /{envelope}), named and valued by two of its fields, sorted by name. */
async function optionsOf(
  context: ILoadOptionsFunctions,
  envelope: string,
  name: (r: Row) => unknown,
  value: (r: Row) => unknown,
): Promise<INodePropertyOptions[]> {
  try {
    const { client, organisations } = await openSessionClient(context);
    const tenant = resolveTenant(readOrganisationChoice(context.getCurrentNodeParameter('organizationId')), await organisations());
    const answer = await client.request({ path: [envelope], tenantId: tenant.tenantId });
    return (recordsOf(answer.body, [], envelope) as Row[])
      .map((r) => ({ name: String(name(r) ?? value(r) ?? ''), value: String(value(r) ?? '') }))
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

export const loadOptions = {
  getItemCodes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    return optionsOf(
      this,
      'Items',
      (r) => r.Description ?? r.Name,
      (r) => r.Code,
    );
  },
  getAccountCodes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    return optionsOf(
      this,
      'Accounts',
      (r) => r.Name,
      (r) => r.Code,
    );
  },
  getBrandingThemes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    return optionsOf(
      this,
      'BrandingThemes',
      (r) => r.Name,
      (r) => r.BrandingThemeID,
    );
  },
  getCurrencies(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    return optionsOf(
      this,
      'Currencies',
      (r) => r.Description,
      (r) => r.Code,
    );
  },
};
