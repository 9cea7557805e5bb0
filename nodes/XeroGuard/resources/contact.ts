/**
 * Contacts, with n8n's own form for their records: every field below carries the name, type and
 * meaning of n8n 2.41.1's own Xero node (n8n-nodes-base ContactDescription), so a converted workflow keeps
 * its values; additions are marked "(Xero Guard)". The contact is picked from a list, by ID or by name;
 * Create or Update finds it by its name or email first, so running a workflow twice does not fail on
 * Xero's unique contact name.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { optionalFields, show } from '../../shared/api-node/common';
import { collection, fixedCollectionValues, required, str, type ListFilterSupport } from '../../shared/api-node/mapping';
import { MappingError, type Parameters, type ResourceModule, type UpsertRequest } from '../../shared/api-node/types';
import { contactLocator } from './contact-locator';
import { covered, ID } from './covers';
import { entityResource, n8nTexts, updateFieldsForm } from './entity';

const ACCOUNT_CODES = 'getAccountCodes';
/** An options field read from the organisation: a value not (yet) in its list, or none, is not flagged as an error (as n8n's own nodes do). */
const FROM_ORGANISATION = { allowArbitraryValues: true } as const;

const addresses: INodeProperties = {
  displayName: 'Addresses',
  name: 'addressesUi',
  type: 'fixedCollection',
  typeOptions: { multipleValues: true },
  default: {},
  placeholder: 'Add Address',
  options: [
    {
      name: 'addressesValues',
      displayName: 'Address',
      values: [
        {
          displayName: 'Type',
          name: 'type',
          type: 'options',
          options: [
            { name: 'PO Box', value: 'POBOX' },
            { name: 'Street', value: 'STREET' },
          ],
          default: '',
        },
        { displayName: 'Line 1', name: 'line1', type: 'string', default: '' },
        { displayName: 'Line 2', name: 'line2', type: 'string', default: '' },
        { displayName: 'City', name: 'city', type: 'string', default: '' },
        { displayName: 'Region', name: 'region', type: 'string', default: '' },
        { displayName: 'Postal Code', name: 'postalCode', type: 'string', default: '' },
        { displayName: 'Country', name: 'country', type: 'string', default: '' },
        { displayName: 'Attention To', name: 'attentionTo', type: 'string', default: '' },
      ],
    },
  ],
};

const phones: INodeProperties = {
  displayName: 'Phones',
  name: 'phonesUi',
  type: 'fixedCollection',
  typeOptions: { multipleValues: true },
  default: {},
  placeholder: 'Add Phone',
  options: [
    {
      name: 'phonesValues',
      displayName: 'Phones',
      values: [
        {
          displayName: 'Type',
          name: 'phoneType',
          type: 'options',
          options: [
            { name: 'Default', value: 'DEFAULT' },
            { name: 'DDI', value: 'DDI' },
            { name: 'Mobile', value: 'MOBILE' },
            { name: 'Fax', value: 'FAX' },
          ],
          default: '',
        },
        { displayName: 'Number', name: 'phoneNumber', type: 'string', default: '' },
        { displayName: 'Area Code', name: 'phoneAreaCode', type: 'string', default: '' },
        { displayName: 'Country Code', name: 'phoneCountryCode', type: 'string', default: '' },
      ],
    },
  ],
};

function contactFieldOptions(withName: boolean): INodeProperties[] {
  const fields: INodeProperties[] = [
    { displayName: 'Account Number', name: 'accountNumber', type: 'string', default: '', description: 'A user defined account number' },
    addresses,
    { displayName: 'Bank Account Details', name: 'bankAccountDetails', type: 'string', default: '', description: 'Bank account number of contact' },
    {
      displayName: 'Contact Number',
      name: 'contactNumber',
      type: 'string',
      default: '',
      description: 'This field is read only on the Xero contact screen, used to identify contacts in external systems',
    },
    {
      displayName: 'Contact Status',
      name: 'contactStatus',
      type: 'options',
      options: [
        { name: 'Active', value: 'ACTIVE', description: 'The Contact is active and can be used in transactions' },
        { name: 'Archived', value: 'ARCHIVED', description: 'The Contact is archived and can no longer be used in transactions' },
        { name: 'GDPR Request', value: 'GDPRREQUEST', description: 'The Contact is the subject of a GDPR erasure request' },
      ],
      default: '',
      description: 'Current status of a contact - see contact status types',
    },
    {
      displayName: 'Default Currency',
      name: 'defaultCurrency',
      type: 'string',
      default: '',
      description: 'Default currency for raising invoices against contact',
    },
    {
      displayName: 'Email',
      name: 'emailAddress',
      type: 'string',
      placeholder: 'name@email.com',
      default: '',
      description: 'Email address of contact person (umlauts not supported) (max length = 255)',
    },
    { displayName: 'First Name', name: 'firstName', type: 'string', default: '', description: 'First name of contact person (max length = 255)' },
    { displayName: 'Last Name', name: 'lastName', type: 'string', default: '', description: 'Last name of contact person (max length = 255)' },
  ];
  if (withName) fields.push({ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Full name of contact/organisation' });
  fields.push(
    phones,
    {
      displayName: 'Purchase Default Account Code Name or ID',
      name: 'purchasesDefaultAccountCode',
      type: 'options',
      ...FROM_ORGANISATION,
      typeOptions: { loadOptionsMethod: ACCOUNT_CODES, loadOptionsDependsOn: ['organizationId'] },
      default: '',
      description:
        'The default purchases account code for contacts. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    },
    {
      displayName: 'Sales Default Account Code Name or ID',
      name: 'salesDefaultAccountCode',
      type: 'options',
      ...FROM_ORGANISATION,
      typeOptions: { loadOptionsMethod: ACCOUNT_CODES, loadOptionsDependsOn: ['organizationId'] },
      default: '',
      description:
        'The default sales account code for contacts. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    },
    { displayName: 'Skype', name: 'skypeUserName', type: 'string', default: '', description: 'Skype user name of contact' },
    { displayName: 'Tax Number', name: 'taxNumber', type: 'string', default: '', description: 'Tax number of contact' },
    { displayName: 'Xero Network Key', name: 'xeroNetworkKey', type: 'string', default: '', description: 'Store XeroNetworkKey for contacts' },
  );
  return fields;
}

const SIMPLE_FIELDS: Array<[string, string]> = [
  ['accountNumber', 'AccountNumber'],
  ['name', 'Name'],
  ['bankAccountDetails', 'BankAccountDetails'],
  ['contactNumber', 'ContactNumber'],
  ['contactStatus', 'ContactStatus'],
  ['defaultCurrency', 'DefaultCurrency'],
  ['emailAddress', 'EmailAddress'],
  ['firstName', 'FirstName'],
  ['lastName', 'LastName'],
  ['purchasesDefaultAccountCode', 'PurchasesDefaultAccountCode'],
  ['salesDefaultAccountCode', 'SalesDefaultAccountCode'],
  ['skypeUserName', 'SkypeUserName'],
  // n8n's node sends these two in lower camel case; Xero's names are TaxNumber and XeroNetworkKey.
  ['taxNumber', 'TaxNumber'],
  ['xeroNetworkKey', 'XeroNetworkKey'],
];

/** The Contact element Xero expects, from the fields of n8n's form. */
export function contactBody(fields: IDataObject): IDataObject {
  const body: IDataObject = {};
  for (const [from, to] of SIMPLE_FIELDS) if (fields[from] !== undefined && fields[from] !== '' && fields[from] !== null) body[to] = fields[from];
  const phoneValues = fixedCollectionValues(fields.phonesUi, 'phonesValues');
  if (phoneValues?.length)
    body.Phones = phoneValues.map((p) => ({
      PhoneType: p.phoneType,
      PhoneNumber: p.phoneNumber,
      PhoneAreaCode: p.phoneAreaCode,
      PhoneCountryCode: p.phoneCountryCode,
    }));
  const addressValues = fixedCollectionValues(fields.addressesUi, 'addressesValues');
  if (addressValues?.length)
    body.Addresses = addressValues.map((a) => ({
      AddressType: a.type,
      AddressLine1: a.line1,
      AddressLine2: a.line2,
      City: a.city,
      Region: a.region,
      PostalCode: a.postalCode,
      Country: a.country,
      AttentionTo: a.attentionTo,
    }));
  return body;
}

const LIST_SUPPORT: ListFilterSupport = { where: true, order: true, includeArchived: true, ids: 'IDs', modifiedSince: true, summaryOnly: true };

/** The contact a Create and a Create or Update write, from n8n's Name and Additional Fields. */
const contactRecord = (p: Parameters): IDataObject => ({ ...contactBody(collection(p, 'additionalFields')), Name: required(p, 'name', 'Name') });

/**
 * Create or Update: the contact found by its name (Xero's names are unique) or its email, updated with
 * the fields given; none found, created. Xero's search is broader (any part of name, number or email):
 * only an exact match, in any case, counts.
 */
function upsertPlan(p: Parameters): UpsertRequest {
  const record = contactRecord(p);
  const byEmail = str(p.matchBy) === 'email';
  const key = byEmail ? str(record.EmailAddress) : str(record.Name);
  if (!key) throw new MappingError('Match By is Email, but no Email is given: add Email under Additional Fields (or match by Name).');
  const field = byEmail ? 'EmailAddress' : 'Name';
  const write = (path: string[], contact: IDataObject) => ({
    kind: 'single' as const,
    request: { method: 'POST' as const, path, body: { Contacts: [contact] } },
    envelope: 'Contacts',
  });
  return {
    kind: 'upsert',
    find: { path: ['Contacts'], envelope: 'Contacts', paging: 'page', query: { searchTerm: key } },
    matches: (r) => typeof r[field] === 'string' && (r[field] as string).trim().toLowerCase() === key.toLowerCase(),
    matchedOn: `${byEmail ? 'email' : 'name'} "${key}"`,
    idKey: 'ContactID',
    create: write(['Contacts'], record),
    update: (id) => write(['Contacts', id], { ...record, ContactID: id }),
  };
}

export const contact: ResourceModule = entityResource({
  value: 'contact',
  name: 'Contact',
  noun: 'contact',
  description: 'A customer or supplier in the Xero organisation',
  plural: 'Contacts',
  idKey: 'ContactID',
  idParam: 'contactId',
  create: 'POST',
  update: true,
  getAll: { ...LIST_SUPPORT, paging: 'page' },
  remove: [{ operation: 'archive', status: 'ARCHIVED', statusField: 'ContactStatus', description: 'Archive a contact (Xero never deletes contacts)' }],
  idLocator: contactLocator({ name: 'contactId', displayName: 'Contact', description: 'The contact', required: true }),
  form: {
    create: {
      properties: [
        {
          displayName: 'Name',
          name: 'name',
          type: 'string',
          default: '',
          required: true,
          displayOptions: show(['create', 'upsert']),
          description: 'Full name of contact/organisation',
        },
        {
          displayName: 'Match By (Xero Guard)',
          name: 'matchBy',
          type: 'options',
          options: [
            { name: 'Name', value: 'name', description: "The contact's name (unique in Xero)" },
            { name: 'Email', value: 'email', description: 'The Email under Additional Fields' },
          ],
          default: 'name',
          displayOptions: show(['upsert']),
          description: 'How an existing contact is recognised; when none matches, the contact is created',
        },
        { ...optionalFields('create', contactFieldOptions(false)), displayOptions: show(['create', 'upsert']) },
      ],
      record: contactRecord,
    },
    update: updateFieldsForm(contactFieldOptions(true), contactBody),
  },
  texts: n8nTexts('contact', 'contacts'),
  extra: {
    upsert: {
      option: {
        name: 'Create or Update',
        value: 'upsert',
        description: 'Create a new record, or update the current one if it already exists (upsert)',
        action: 'Create or update a contact',
      },
      plan: upsertPlan,
      covers: covered(['GET', ['Contacts']], ['POST', ['Contacts']], ['POST', ['Contacts', ID]]),
    },
  },
});
