/** The fields resources share, named and defaulted as in n8n's own Xero node where it has them. */
import type { INodeProperties } from 'n8n-workflow';
import type { ListFilterSupport } from './mapping';

/** A name in Xero's PascalCase as words: "BankTransactions" -> "Bank Transactions". */
export const words = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1 $2');

export const show = (operation: string[], extra: Record<string, unknown[]> = {}): INodeProperties['displayOptions'] => ({
  show: { operation, ...extra } as Record<string, Array<string | boolean>>,
});

/** Return All and Limit, named and defaulted as in n8n's own Xero node (limit 100). */
export function returnAllAndLimit(operation: string): INodeProperties[] {
  return [
    {
      displayName: 'Return All',
      name: 'returnAll',
      type: 'boolean',
      displayOptions: show([operation]),
      default: false,
      description: 'Whether to return all results or only up to a given limit',
    },
    {
      displayName: 'Limit',
      name: 'limit',
      type: 'number',
      displayOptions: show([operation], { returnAll: [false] }),
      typeOptions: { minValue: 1 },
      default: 100,
      description: 'Max number of results to return',
    },
  ];
}

/** The Options collection of a Get Many: only the filters Xero supports on that endpoint. */
export function listOptions(operation: string, support: ListFilterSupport, statuses: string[] = []): INodeProperties {
  const options: INodeProperties[] = [];
  if (support.createdByMyApp)
    options.push({
      displayName: 'Created By My App',
      name: 'createdByMyApp',
      type: 'boolean',
      default: false,
      description: "Whether you'll only retrieve records created by your app",
    });
  if (support.ids)
    options.push({
      displayName: 'IDs',
      name: 'ids',
      type: 'string',
      default: '',
      placeholder: 'id1,id2',
      description: 'Only these records: Xero IDs separated by commas',
    });
  if (support.includeArchived)
    options.push({
      displayName: 'Include Archived',
      name: 'includeArchived',
      type: 'boolean',
      default: false,
      description: 'Whether to include archived records',
    });
  if (support.modifiedSince)
    options.push({
      displayName: 'Modified Since',
      name: 'modifiedSince',
      type: 'dateTime',
      default: '',
      description: 'Only records created or changed after this moment (sent as If-Modified-Since)',
    });
  if (support.order) {
    options.push({
      displayName: 'Order By',
      name: 'orderBy',
      type: 'string',
      default: '',
      placeholder: 'UpdatedDateUTC',
      description: 'Order by any element returned',
    });
    options.push({
      displayName: 'Sort Order',
      name: 'sortOrder',
      type: 'options',
      options: [
        { name: 'Asc', value: 'ASC' },
        { name: 'Desc', value: 'DESC' },
      ],
      default: '',
    });
  }
  if (support.statuses)
    options.push(
      statuses.length
        ? {
            displayName: 'Statuses',
            name: 'statuses',
            type: 'multiOptions',
            options: statuses.map((s) => ({ name: s.charAt(0) + s.slice(1).toLowerCase(), value: s })),
            default: [],
            description: 'Only records with one of these statuses',
          }
        : {
            displayName: 'Statuses',
            name: 'statuses',
            type: 'string',
            default: '',
            placeholder: 'AUTHORISED,PAID',
            description: 'Only records with one of these statuses, separated by commas',
          },
    );
  if (support.summaryOnly)
    options.push({
      displayName: 'Summary Only',
      name: 'summaryOnly',
      type: 'boolean',
      default: false,
      description: 'Whether to return lightweight records without line items (faster, fewer fields)',
    });
  if (support.where)
    options.push({
      displayName: 'Where',
      name: 'where',
      type: 'string',
      default: '',
      placeholder: 'EmailAddress!=null&&EmailAddress.StartsWith("boom")',
      description:
        'The where parameter allows you to filter on endpoints and elements that don\'t have explicit parameters. <a href="https://developer.xero.com/documentation/api/requests-and-responses#get-modified">Examples Here</a>.',
    });
  return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add option', default: {}, displayOptions: show([operation]), options };
}

/** n8n's "Additional Fields" (on Create) or "Update Fields" (on Update): a record's optional fields, as n8n's own Xero node names them. */
export function optionalFields(operation: 'create' | 'update', options: INodeProperties[]): INodeProperties {
  const create = operation === 'create';
  return {
    displayName: create ? 'Additional Fields' : 'Update Fields',
    name: create ? 'additionalFields' : 'updateFields',
    type: 'collection',
    placeholder: 'Add Field',
    default: {},
    displayOptions: show([operation]),
    options,
  };
}

/** A Xero record as JSON, for the resources n8n's own node never had a form for. */
export function recordJson(operations: string[], what: string, example: string): INodeProperties {
  return {
    displayName: 'Fields (JSON)',
    name: 'fields',
    type: 'json',
    default: '{}',
    required: true,
    displayOptions: show(operations),
    description: `The ${what} in Xero's own field names, e.g. ${example}. An array sends several records in one request.`,
  };
}

export function idField(operations: string[], name: string, displayName: string, what: string): INodeProperties {
  return {
    displayName,
    name,
    type: 'string',
    default: '',
    required: true,
    displayOptions: show(operations),
    description: `The Xero ID (a GUID) of the ${what}`,
  };
}
