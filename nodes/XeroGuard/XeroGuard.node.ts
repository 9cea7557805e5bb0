import type {
  IExecuteFunctions,
  ILoadOptionsFunctions,
  INodeExecutionData,
  INodeListSearchResult,
  INodePropertyOptions,
  INodeType,
  INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { xeroGuardProperties } from './properties';
import { errorItemJson, toXeroNodeError } from './errors';
import { executeXeroGuard } from './execute';
import { organisationSearch, readOrganisationChoice, resolveTenant } from './organisation';
import type { XeroApiPort } from './port';
import { openXeroPort } from './port-binding';
import { recordsOf, spec } from './resources/mapping';

/** Options for a field of n8n's own Xero node, loaded from the chosen organisation. */
async function optionsFrom(
  context: ILoadOptionsFunctions,
  path: string,
  envelope: string,
  name: (r: Record<string, unknown>) => unknown,
  value: (r: Record<string, unknown>) => unknown,
): Promise<INodePropertyOptions[]> {
  try {
    const port = await openXeroPort(context);
    const tenant = resolveTenant(readOrganisationChoice(context.getCurrentNodeParameter('organizationId')), await port.connections());
    const answer = await port.request(tenant.tenantId, spec('GET', path, { envelope }));
    return recordsOf(answer.body, envelope)
      .map((r) => ({ name: String(name(r) ?? value(r) ?? ''), value: String(value(r) ?? '') }))
      .filter((o) => o.value)
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    throw toXeroNodeError(context.getNode(), error);
  }
}

export class XeroGuard implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard',
    name: 'xeroGuard',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
    description:
      'Read and write Xero accounting data (contacts, invoices, payments, bank transactions, reports and more) on the guarded Xero credential, which keeps the connection alive',
    defaults: { name: 'Xero Guard' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: xeroGuardProperties,
  };

  methods = {
    listSearch: {
      async searchOrganisations(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
        try {
          const port = await openXeroPort(this);
          return organisationSearch(await port.connections(), filter);
        } catch (error) {
          throw toXeroNodeError(this.getNode(), error);
        }
      },
    },
    loadOptions: {
      async getItemCodes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return optionsFrom(
          this,
          '/Items',
          'Items',
          (r) => r.Description ?? r.Name,
          (r) => r.Code,
        );
      },
      async getAccountCodes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return optionsFrom(
          this,
          '/Accounts',
          'Accounts',
          (r) => r.Name,
          (r) => r.Code,
        );
      },
      async getBrandingThemes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return optionsFrom(
          this,
          '/BrandingThemes',
          'BrandingThemes',
          (r) => r.Name,
          (r) => r.BrandingThemeID,
        );
      },
      async getCurrencies(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return optionsFrom(
          this,
          '/Currencies',
          'Currencies',
          (r) => r.Description,
          (r) => r.Code,
        );
      },
    },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    let port: XeroApiPort;
    try {
      port = await openXeroPort(this);
    } catch (error) {
      const nodeError = toXeroNodeError(this.getNode(), error);
      if (!this.continueOnFail()) throw nodeError;
      return [this.getInputData().map((_, item) => ({ json: errorItemJson(nodeError), pairedItem: { item } }))];
    }
    return executeXeroGuard(this, port);
  }
}
