/**
 * One Xero Guard API node from its parts: its APIs, its resources (hand-made or from the table) and
 * the lists it can resolve a name against. Gives the node's fields and subtitle, and what the executor
 * asks of it: a resource's operation, the fields an operation shows, the scope check. Every node class
 * (Accounting, Payroll, Projects, Files, Assets, Finance) is its description around one.
 */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { XeroAccountingClient } from '../../../src/xero/accounting';
import type { XeroApi } from '../../../src/xero/operations';
import { CREDENTIAL_TYPE } from '../guarded-session';
import { callBasesOf, customApiCallResource, customCallFields, customCallOperation, type CustomCallBase } from './custom-api-call';
import { locatorPaths, type LocatorPath } from './locators';
import { operationProperty, organisationProperty, scoped, settingsProperty, subtitleOf } from './properties';
import { ScopeGuard } from './scopes';
import type { OperationDef, ResourceModule } from './types';

/** Finds a record's ID by its name in one organisation (a contact picked By Name). */
export type NameResolver = (client: XeroAccountingClient, tenantId: string, name: string) => Promise<string>;

export interface ApiNodeSpec {
  /** The node's APIs, its own first: custom calls start there, and the scope check looks there first. */
  apis: readonly XeroApi[];
  /** Its resources in the order their fields appear; the Custom API Call resource is added last. */
  resources: readonly ResourceModule[];
  /** Where a custom call's path may start: the node's APIs and api.xero.com by default. */
  callBases?: readonly CustomCallBase[];
  /** "Payroll UK API", for the Custom API Call's texts ("Any Payroll UK API request"); the first API's label and "API" by default. */
  apiWords?: string;
  /** Whether Settings offers Batch Size (collections that take several records in one request); no by default. */
  batching?: boolean;
  defaultResource: string;
  /** Lists a resource locator field may name a record by name in, with how to find it. */
  resolvers?: Readonly<Record<string, NameResolver>>;
}

/** n8n's own names for the fields every node reads itself, never as an operation's parameter. */
const NODE_FIELDS = new Set(['resource', 'operation', 'organizationId', 'xeroGuardSettings']);

const shows = (p: INodeProperties, resource: string, operation: string): boolean => {
  const show = p.displayOptions?.show ?? {};
  return (!show.resource || (show.resource as unknown[]).includes(resource)) && (!show.operation || (show.operation as unknown[]).includes(operation));
};

export class ApiNode {
  readonly spec: ApiNodeSpec;
  readonly resources: readonly ResourceModule[];
  readonly properties: INodeProperties[];
  readonly subtitle: string;
  readonly guard: ScopeGuard;
  private readonly customCall: OperationDef;
  private readonly fieldCache = new Map<string, { fields: INodeProperties[]; locators: LocatorPath[] }>();

  constructor(spec: ApiNodeSpec) {
    this.spec = spec;
    const bases = spec.callBases ?? callBasesOf(spec.apis);
    const words = spec.apiWords ?? `${spec.apis[0]!.label} API`;
    this.customCall = customCallOperation(bases, 'customApiCall', words);
    const own = spec.resources.map((r) => ({ ...r, operations: { ...r.operations, customApiCall: this.customCall } }));
    this.resources = [...own, customApiCallResource(bases, words)];
    this.guard = new ScopeGuard(spec.apis);
    this.subtitle = subtitleOf(this.resources);
    this.properties = [
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        // By name, the Custom API Call last: n8n adds its own (which only points to the HTTP Request node) to a list that does not end with one.
        options: [
          ...own.map((r) => ({ name: r.name, value: r.value, description: r.description })).sort((a, b) => a.name.localeCompare(b.name)),
          ...this.resources.slice(-1).map((r) => ({ name: r.name, value: r.value, description: r.description })),
        ],
        default: spec.defaultResource,
        description: 'The kind of Xero record to work with',
      },
      ...this.resources.map(operationProperty),
      organisationProperty,
      ...this.resources.flatMap(scoped),
      ...customCallFields(bases),
      settingsProperty(spec.batching === true),
    ];
  }

  /** The node's description in n8n's terms, but what n8n's lint reads in the node's own file (icon, subtitle, usableAsTool). */
  describe(d: { displayName: string; name: string; description: string }): Omit<INodeTypeDescription, 'icon' | 'subtitle' | 'usableAsTool'> {
    return {
      displayName: d.displayName,
      name: d.name,
      group: ['output'],
      version: 1,
      description: d.description,
      defaults: { name: d.displayName },
      inputs: [NodeConnectionTypes.Main],
      outputs: [NodeConnectionTypes.Main],
      credentials: [{ name: CREDENTIAL_TYPE, required: true }],
      properties: this.properties,
    };
  }

  resource(value: string): ResourceModule | undefined {
    return this.resources.find((r) => r.value === value);
  }

  /** The fields an operation shows (each read per item with its default), and the locators among them to resolve. */
  fieldsOf(resource: string, operation: string): { fields: INodeProperties[]; locators: LocatorPath[] } {
    const key = `${resource}:${operation}`;
    let found = this.fieldCache.get(key);
    if (!found) {
      const fields = this.properties.filter((p) => !NODE_FIELDS.has(p.name) && shows(p, resource, operation));
      found = { fields, locators: locatorPaths(fields, new Set(Object.keys(this.spec.resolvers ?? {}))) };
      this.fieldCache.set(key, found);
    }
    return found;
  }
}
