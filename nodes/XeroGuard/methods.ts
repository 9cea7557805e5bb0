/**
 * What n8n's editor asks the Xero Guard (Accounting) node for while a workflow is edited: the
 * organisations and the contacts to pick from, and the chosen organisation's own lists: items,
 * accounts, branding themes, currencies, tax types and tracking options.
 */
import { loadOptionsFor, perRecord, searchOrganisations, type OptionList } from '../shared/api-node/methods';
import { searchContactList } from './resources/contact-locator';

const active = (r: Record<string, unknown>) => r.Status === undefined || r.Status === 'ACTIVE';

/** The lists the fields load, by n8n's loadOptions method name (n8n's own Xero node's four, and the organisation's tax types and tracking). */
const OPTION_LISTS = {
  getItemCodes: {
    envelope: 'Items',
    options: perRecord(
      (r) => r.Description ?? r.Name,
      (r) => r.Code,
    ),
  },
  getAccountCodes: {
    envelope: 'Accounts',
    options: perRecord(
      (r) => r.Name,
      (r) => r.Code,
    ),
  },
  getBrandingThemes: {
    envelope: 'BrandingThemes',
    options: perRecord(
      (r) => r.Name,
      (r) => r.BrandingThemeID,
    ),
  },
  getCurrencies: {
    envelope: 'Currencies',
    options: perRecord(
      (r) => r.Description,
      (r) => r.Code,
    ),
  },
  // "Tax on Sales (OUTPUT2)": the organisation's own names and codes, the active ones only.
  getTaxTypes: {
    envelope: 'TaxRates',
    options: perRecord(
      (r) => `${String(r.Name ?? r.TaxType)} (${String(r.TaxType)})`,
      (r) => r.TaxType,
      active,
    ),
  },
  // Each category's options, "Region: North", valued by both IDs so a line names its category too.
  getTrackingOptions: {
    envelope: 'TrackingCategories',
    options: (r) =>
      active(r) && Array.isArray(r.Options)
        ? (r.Options as Array<Record<string, unknown>>)
            .filter(active)
            .map((o) => ({ name: `${String(r.Name)}: ${String(o.Name)}`, value: `${String(r.TrackingCategoryID)}:${String(o.TrackingOptionID)}` }))
        : [],
  },
} satisfies Record<string, OptionList>;

export const listSearch = { searchOrganisations, searchContacts: searchContactList };

export const loadOptions = loadOptionsFor(OPTION_LISTS);
