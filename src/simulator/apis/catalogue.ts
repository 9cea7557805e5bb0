/**
 * Every Xero API the simulator serves, from the operation table (src/xero/operations): its operations,
 * its schemas and the examples that seed it, with a path matcher and the collections its operations
 * work on. Built once, on the first request that needs it, so a test that only refreshes tokens never
 * loads the table's schemas.
 */
import { OperationMatcher, XERO_APIS, xeroOperations, type XeroApi, type XeroApiId, type XeroExamples, type XeroOperation } from '../../xero/operations';
import type { SchemaSet } from '../../xero/operations/schema-walk';
import { accountingExamples } from '../../xero/operations/generated/accounting.examples';
import { accountingSchemas } from '../../xero/operations/generated/accounting.schemas';
import { assetsExamples } from '../../xero/operations/generated/assets.examples';
import { assetsSchemas } from '../../xero/operations/generated/assets.schemas';
import { filesExamples } from '../../xero/operations/generated/files.examples';
import { filesSchemas } from '../../xero/operations/generated/files.schemas';
import { financeExamples } from '../../xero/operations/generated/finance.examples';
import { financeSchemas } from '../../xero/operations/generated/finance.schemas';
import { payrollAuExamples } from '../../xero/operations/generated/payroll-au.examples';
import { payrollAuSchemas } from '../../xero/operations/generated/payroll-au.schemas';
import { payrollAuV2Examples } from '../../xero/operations/generated/payroll-au-v2.examples';
import { payrollAuV2Schemas } from '../../xero/operations/generated/payroll-au-v2.schemas';
import { payrollNzExamples } from '../../xero/operations/generated/payroll-nz.examples';
import { payrollNzSchemas } from '../../xero/operations/generated/payroll-nz.schemas';
import { payrollUkExamples } from '../../xero/operations/generated/payroll-uk.examples';
import { payrollUkSchemas } from '../../xero/operations/generated/payroll-uk.schemas';
import { projectsExamples } from '../../xero/operations/generated/projects.examples';
import { projectsSchemas } from '../../xero/operations/generated/projects.schemas';
import type { Endpoint } from '../types';
import { collectionsOf, type Collection } from './collections';

const DATA: Record<XeroApiId, { schemas: SchemaSet; examples: Readonly<Record<string, XeroExamples>> }> = {
  accounting: { schemas: accountingSchemas, examples: accountingExamples },
  'payroll-au': { schemas: payrollAuSchemas, examples: payrollAuExamples },
  'payroll-au-v2': { schemas: payrollAuV2Schemas, examples: payrollAuV2Examples },
  'payroll-nz': { schemas: payrollNzSchemas, examples: payrollNzExamples },
  'payroll-uk': { schemas: payrollUkSchemas, examples: payrollUkExamples },
  projects: { schemas: projectsSchemas, examples: projectsExamples },
  files: { schemas: filesSchemas, examples: filesExamples },
  assets: { schemas: assetsSchemas, examples: assetsExamples },
  finance: { schemas: financeSchemas, examples: financeExamples },
};

/** How the request log and faults name each API's calls. */
const ENDPOINT: Record<XeroApiId, Endpoint> = {
  accounting: 'accounting',
  'payroll-au': 'payroll',
  'payroll-au-v2': 'payroll',
  'payroll-nz': 'payroll',
  'payroll-uk': 'payroll',
  projects: 'projects',
  files: 'files',
  assets: 'assets',
  finance: 'finance',
};

export interface SimulatedApi {
  api: XeroApi;
  operations: readonly XeroOperation[];
  schemas: SchemaSet;
  examples: Readonly<Record<string, XeroExamples>>;
  matcher: OperationMatcher;
  /** By collection template (`/Employees/{EmployeeID}/Leave`). */
  collections: ReadonlyMap<string, Collection>;
  endpoint: Endpoint;
}

let built: Map<XeroApiId, SimulatedApi> | undefined;

function catalogue(): Map<XeroApiId, SimulatedApi> {
  if (!built) {
    built = new Map();
    for (const api of XERO_APIS) {
      const operations = xeroOperations(api.id);
      const { schemas, examples } = DATA[api.id];
      built.set(api.id, {
        api,
        operations,
        schemas,
        examples,
        matcher: new OperationMatcher(operations),
        collections: collectionsOf(operations, schemas),
        endpoint: ENDPOINT[api.id],
      });
    }
  }
  return built;
}

export function simulatedApi(id: XeroApiId): SimulatedApi {
  return catalogue().get(id) as SimulatedApi;
}

/** Base paths, lower-cased, with the APIs behind each (several for `/payroll.xro/2.0`). */
const BASES: ReadonlyArray<{ prefix: string; ids: XeroApiId[]; endpoint: Endpoint }> = (() => {
  const byBase = new Map<string, XeroApiId[]>();
  for (const api of XERO_APIS) byBase.set(`${api.basePath.toLowerCase()}/`, [...(byBase.get(`${api.basePath.toLowerCase()}/`) ?? []), api.id]);
  return [...byBase.entries()].map(([prefix, ids]) => ({ prefix, ids, endpoint: ENDPOINT[ids[0] as XeroApiId] }));
})();

/** The API family a request path belongs to, by its base path; the organisation's country picks among several. */
export function apisForPath(path: string): { ids: XeroApiId[]; rest: string; endpoint: Endpoint } | undefined {
  const lower = path.toLowerCase();
  for (const base of BASES) if (lower.startsWith(base.prefix)) return { ids: base.ids, rest: path.slice(base.prefix.length), endpoint: base.endpoint };
  return undefined;
}
