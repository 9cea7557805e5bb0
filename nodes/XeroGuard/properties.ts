/**
 * The node's fields as n8n's editor reads them: Resource, an Operation field per resource, the
 * Organisation, every resource's own fields (each shown only for its resource), and the Settings.
 */
import type { INodeProperties } from 'n8n-workflow';
import { RESOURCES, type ResourceModule } from './resources';

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Named `organizationId` as in n8n's own Xero node, so a converted workflow keeps its value. */
export const organisationProperty: INodeProperties = {
  displayName: 'Organisation',
  name: 'organizationId',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  description:
    'The Xero organisation (tenant) to work in. Leave empty when the credential reaches only one organisation; with several, choose one from the list, by ID or by its exact name.',
  modes: [
    {
      displayName: 'From List',
      name: 'list',
      type: 'list',
      placeholder: 'Select an organisation...',
      typeOptions: { searchListMethod: 'searchOrganisations', searchable: true },
    },
    {
      displayName: 'By ID',
      name: 'id',
      type: 'string',
      placeholder: 'e.g. 1b2c3d4e-0000-4000-8000-123456789abc',
      validation: [{ type: 'regex', properties: { regex: GUID, errorMessage: 'An organisation ID is a GUID, as /connections lists it (tenantId)' } }],
    },
    { displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. Demo Company (NZ)' },
  ],
};

function operationProperty(r: ResourceModule): INodeProperties {
  const options = Object.values(r.operations).map((o) => o.option);
  const defaultOp = r.operations.create ? 'create' : options[0].value;
  return {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: [r.value] } },
    options: [...options].sort((a, b) => a.name.localeCompare(b.name)),
    default: defaultOp,
  };
}

/** A resource's fields, shown only for that resource. */
function scoped(r: ResourceModule): INodeProperties[] {
  return r.properties.map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { resource: [r.value], ...(p.displayOptions?.show ?? {}) } } }));
}

export const settingsProperty: INodeProperties = {
  displayName: 'Settings',
  name: 'xeroGuardSettings',
  type: 'collection',
  placeholder: 'Add setting',
  default: {},
  options: [
    {
      displayName: 'Batch Size',
      name: 'batchSize',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 50 },
      default: 1,
      description: 'For Create and Update: send up to this many input items in one request (Xero allows 50); each result is paired back to its input item',
    },
    {
      displayName: 'Keep Xero Date Format',
      name: 'rawDates',
      type: 'boolean',
      default: false,
      description: "Whether to keep Xero's /Date(...)/ values instead of ISO 8601 dates",
    },
    {
      displayName: 'Longest Rate-Limit Wait (Seconds)',
      name: 'maxRateLimitWaitSeconds',
      type: 'number',
      typeOptions: { minValue: 0 },
      default: 60,
      description: 'When Xero answers 429 Too Many Requests, wait out its Retry-After up to this long; a longer wait fails at once with the rate-limited cause',
    },
  ],
};

/** Every field of the node, in the order the editor shows them. */
export const xeroGuardProperties: INodeProperties[] = [
  {
    displayName: 'Resource',
    name: 'resource',
    type: 'options',
    noDataExpression: true,
    options: RESOURCES.map((r) => ({ name: r.name, value: r.value, description: r.description })).sort((a, b) => a.name.localeCompare(b.name)),
    default: 'invoice',
    description: 'The kind of Xero record to work with',
  },
  ...RESOURCES.map(operationProperty),
  organisationProperty,
  ...RESOURCES.flatMap(scoped),
  settingsProperty,
];
