/**
 * A node's fields as n8n's editor reads them: Resource, an Operation field per resource (each ending
 * with the Custom API Call), the Organisation, every resource's own fields (each shown only for its
 * resource), the Custom API Call's fields, and the Settings. Also the subtitle, in words.
 */
import type { INodeProperties } from 'n8n-workflow';
import { CUSTOM_API_CALL_NAME } from './custom-api-call';
import type { OperationDef, ResourceModule } from './types';

export const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

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

/** The operations of a resource in the editor's order: by name, the Custom API Call last (see custom-api-call.ts). */
export function operationOptions(operations: Record<string, OperationDef>): OperationDef['option'][] {
  const options = Object.values(operations).map((o) => o.option);
  const custom = options.filter((o) => o.name === CUSTOM_API_CALL_NAME);
  return [...options.filter((o) => o.name !== CUSTOM_API_CALL_NAME).sort((a, b) => a.name.localeCompare(b.name)), ...custom];
}

export function operationProperty(r: ResourceModule): INodeProperties {
  const options = operationOptions(r.operations);
  // Create where there is one, else the resource's first operation as written (Get Many, say), not the first by name.
  const defaultOp = r.operations.create ? 'create' : Object.values(r.operations)[0].option.value;
  return {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: [r.value] } },
    options,
    default: defaultOp,
  };
}

/** A resource's fields, shown only for that resource. */
export function scoped(r: ResourceModule): INodeProperties[] {
  return r.properties.map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { resource: [r.value], ...(p.displayOptions?.show ?? {}) } } }));
}

/** The Settings collection; Batch Size only where records can share a request (the Accounting API's collections). */
export function settingsProperty(batching: boolean): INodeProperties {
  const options: INodeProperties[] = [
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
  ];
  if (batching)
    options.unshift({
      displayName: 'Batch Size',
      name: 'batchSize',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 50 },
      default: 1,
      description: 'For Create and Update: send up to this many input items in one request (Xero allows 50); each result is paired back to its input item',
    });
  return { displayName: 'Settings', name: 'xeroGuardSettings', type: 'collection', placeholder: 'Add setting', default: {}, options };
}

/**
 * The node's subtitle in words ("Create an invoice"): an operation's action where it is not its value
 * in words, else the value in words ("createEmployee" -> "Create Employee", as the table names it).
 */
export function subtitleOf(resources: readonly ResourceModule[]): string {
  const words = (value: string) => value.charAt(0).toUpperCase() + value.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2');
  const actions: Record<string, string> = {};
  for (const r of resources)
    for (const [value, op] of Object.entries(r.operations)) {
      const action = op.option.action ?? op.option.name;
      if (action.toLowerCase() !== words(value).toLowerCase()) actions[`${r.value}:${value}`] = action;
    }
  const fallback = '$parameter["operation"].charAt(0).toUpperCase() + $parameter["operation"].slice(1).replace(/([a-z])([A-Z])/g, "$1 $2")';
  return `={{ ${JSON.stringify(actions)}[$parameter["resource"] + ":" + $parameter["operation"]] || ${fallback} }}`;
}
