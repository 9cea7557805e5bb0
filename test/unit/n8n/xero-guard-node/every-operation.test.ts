/**
 * Issue 27's count: for every document, its operations in the table, in the nodes and in the
 * simulator, by operationId, with whatever is left out and why. "In a node" is proven, not declared:
 * every operation a node offers is planned with sample values for its fields, and the requests it
 * plans are matched against the table. A table operation must plan itself; a hand-made one (Invoice >
 * Create, Attachment > Upload for eleven kinds of record) exactly the operations it claims to cover.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { XERO_LEFT_OUT, xeroOperations, XERO_APIS, type XeroApiId, type XeroOperation } from '../../../../src/xero/operations';
import { simulatedApi } from '../../../../src/simulator/apis/catalogue';
import type { ApiNode } from '../../../../nodes/shared/api-node/node';
import type { OperationDef, PlannedRequest } from '../../../../nodes/shared/api-node/types';
import { ACCOUNTING_NODE } from '../../../../nodes/XeroGuard/execute';
import { DONE_ANOTHER_WAY } from '../../../../nodes/XeroGuard/resources/covers';
import { NODE as ASSETS } from '../../../../nodes/XeroGuardAssets/XeroGuardAssets.node';
import { NODE as FILES } from '../../../../nodes/XeroGuardFiles/XeroGuardFiles.node';
import { NODE as FINANCE } from '../../../../nodes/XeroGuardFinance/XeroGuardFinance.node';
import { NODE as PAYROLL_AU } from '../../../../nodes/XeroGuardPayrollAu/XeroGuardPayrollAu.node';
import { NODE as PAYROLL_NZ } from '../../../../nodes/XeroGuardPayrollNz/XeroGuardPayrollNz.node';
import { NODE as PAYROLL_UK } from '../../../../nodes/XeroGuardPayrollUk/XeroGuardPayrollUk.node';
import { NODE as PROJECTS } from '../../../../nodes/XeroGuardProjects/XeroGuardProjects.node';

/** The node for each API of the table. */
const NODES: Record<XeroApiId, { name: string; node: ApiNode }> = {
  accounting: { name: 'Xero Guard', node: ACCOUNTING_NODE },
  'payroll-au': { name: 'Xero Guard Payroll AU', node: PAYROLL_AU },
  'payroll-au-v2': { name: 'Xero Guard Payroll AU', node: PAYROLL_AU },
  'payroll-nz': { name: 'Xero Guard Payroll NZ', node: PAYROLL_NZ },
  'payroll-uk': { name: 'Xero Guard Payroll UK', node: PAYROLL_UK },
  projects: { name: 'Xero Guard Projects', node: PROJECTS },
  files: { name: 'Xero Guard Files', node: FILES },
  assets: { name: 'Xero Guard Assets', node: ASSETS },
  finance: { name: 'Xero Guard Finance', node: FINANCE },
};

const GUID = '6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** A value a user could give a field, by what the field is. */
function sample(f: INodeProperties): unknown[] {
  switch (f.type) {
    case 'options':
      return f.typeOptions?.loadOptionsMethod ? [''] : (f.options as Array<{ value: unknown }>).map((o) => o.value);
    case 'boolean':
      return [false, true];
    case 'number':
      return [42];
    case 'json':
      return ['{}'];
    case 'dateTime':
      return ['2026-01-31T00:00:00'];
    case 'collection':
    case 'fixedCollection':
      return [{}];
    case 'multiOptions':
      return [[]];
    default:
      if (/file ?name/i.test(f.name)) return ['file.pdf'];
      if (f.name === 'taxType') return ['OUTPUT'];
      // An ID (a table field names a GUID in its placeholder), else a number or code such as a ContactNumber.
      return [/ids?$/i.test(f.name) || /[0-9a-f]{8}-[0-9a-f]{4}/.test(f.placeholder ?? '') ? GUID : 'CODE-42'];
  }
}

/** Every combination of the values of an operation's fields (options and booleans each way), at most a few hundred. */
function parameterSets(fields: readonly INodeProperties[]): IDataObject[] {
  let sets: IDataObject[] = [{}];
  for (const f of fields) {
    if (f.name in sets[0]!) continue;
    const values = sample(f);
    const next = sets.flatMap((s) => values.map((v) => ({ ...s, [f.name]: v }) as IDataObject));
    sets = next.length <= 512 ? next : sets.map((s) => ({ ...s, [f.name]: values[0] }) as IDataObject);
  }
  return sets;
}

/** The requests a plan makes (a create-or-update makes its search and either write). */
function callsOf(plan: PlannedRequest): Array<{ method?: string; path: string | readonly string[]; base?: string }> {
  switch (plan.kind) {
    case 'upsert':
      return [plan.find, plan.create.request, plan.update(GUID).request].map((r) => ({ method: 'method' in r ? r.method : 'GET', path: r.path, base: r.base }));
    case 'upload':
      return [{ ...plan.request, method: plan.request.method ?? 'PUT' }];
    case 'list':
    case 'download':
      return [{ ...plan.request, method: 'GET' }];
    default:
      return [plan.request];
  }
}

/** The table operations an operation of a node plans, over every combination of its fields, as the scope check matches them. */
function plannedOperations(node: ApiNode, resource: string, op: OperationDef): Set<string> {
  const out = new Set<string>();
  let planned = 0;
  for (const parameters of parameterSets(node.fieldsOf(resource, op.option.value as string).fields)) {
    let plan: PlannedRequest;
    try {
      plan = op.plan(parameters);
    } catch {
      continue; // A combination a user could not send (a report Xero Guard does not run): another one plans.
    }
    planned++;
    for (const call of callsOf(plan)) {
      const [match] = node.guard.candidates(call as Parameters<ApiNode['guard']['candidates']>[0]);
      if (match) out.add(`${match.api.id}:${match.operation.operationId}`);
    }
  }
  if (planned === 0) throw new Error(`${resource}.${String(op.option.value)}: no combination of its fields plans a request`);
  return out;
}

/** A concrete path for a table operation, each parameter a value of its type. */
function samplePath(op: XeroOperation): string[] {
  return op.path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (!name) return part;
      const schema = op.pathParams.find((p) => p.name === name)!.schema;
      return schema.format === 'uuid' ? GUID : schema.type === 'integer' || schema.type === 'number' ? '42' : 'x';
    });
}

interface NodeOffer {
  node: string;
  resource: string;
  operation: string;
  handMade: boolean;
  claims: readonly string[];
  planned: Set<string>;
}

/** Every operation every node offers, with what it claims to cover and what it plans. */
const offers: NodeOffer[] = [...new Map(Object.values(NODES).map((n) => [n.node, n])).values()].flatMap(({ name, node }) =>
  node.resources.flatMap((r) =>
    Object.values(r.operations)
      .filter((op) => !['call', 'customApiCall'].includes(op.option.value as string))
      .map((op) => {
        const claims = (op.covers ?? []).map((id) => `${op.api ?? node.spec.apis[0]!.id}:${id}`);
        return {
          node: name,
          resource: r.value,
          operation: op.option.value as string,
          handMade: op.covers?.length !== 1 || op.covers[0] !== op.option.value,
          claims,
          planned: plannedOperations(node, r.value, op),
        };
      }),
  ),
);

describe('every operation of every document: in the table, in the nodes, in the simulator', () => {
  it('each table operation a node offers plans itself, and nothing else', () => {
    const wrong = offers.filter((o) => !o.handMade).filter((o) => o.planned.size !== 1 || !o.claims.every((c) => o.planned.has(c)));
    expect(wrong.map((o) => `${o.node} ${o.resource}.${o.operation}: plans ${[...o.planned].join(', ')}`)).toEqual([]);
  });

  it('each hand-made operation plans exactly the operations it claims to cover', () => {
    const wrong = offers
      .filter((o) => o.handMade)
      .filter((o) => o.claims.length !== o.planned.size || !o.claims.every((c) => o.planned.has(c)))
      .map((o) => `${o.resource}.${o.operation}: claims ${o.claims.join(', ')}; plans ${[...o.planned].join(', ')}`);
    expect(wrong).toEqual([]);
  });

  it('counts them per document, by operationId: all in the nodes and in the simulator, the rest left out with why', () => {
    const inNodes = new Set([...offers.flatMap((o) => [...o.planned]), ...Object.keys(DONE_ANOTHER_WAY).map((id) => `accounting:${id}`)]);
    const rows: string[] = [];
    const missing: string[] = [];
    for (const api of XERO_APIS) {
      const ops = xeroOperations(api.id);
      const sim = simulatedApi(api.id);
      const inNode = ops.filter((op) => inNodes.has(`${api.id}:${op.operationId}`));
      const inSim = ops.filter((op) => sim.matcher.match(op.method, samplePath(op))?.operation.operationId === op.operationId);
      const handMade = new Set(offers.filter((o) => o.handMade).flatMap((o) => [...o.planned]));
      const byHand = inNode.filter((op) => handMade.has(`${api.id}:${op.operationId}`) || op.operationId in DONE_ANOTHER_WAY).length;
      rows.push(
        `${api.document.padEnd(28)} ${String(ops.length).padStart(5)} ${String(inNode.length).padStart(8)} ${String(byHand).padStart(9)} ${String(inSim.length).padStart(10)}   ${NODES[api.id].name}`,
      );
      for (const op of ops) {
        if (!inNode.includes(op)) missing.push(`${api.id}:${op.operationId} (not in a node)`);
        if (!inSim.includes(op)) missing.push(`${api.id}:${op.operationId} (not in the simulator)`);
      }
    }
    const leftOut = XERO_LEFT_OUT.map((l) => `- ${l.document}${l.operationId ? ` ${l.operationId}` : ''}: ${l.reason}`);
    const anotherWay = Object.entries(DONE_ANOTHER_WAY).map(([id, how]) => `- xero_accounting.yaml ${id}: ${how}`);
    console.log(
      [
        'document                     table  in nodes  hand-made  simulator   node',
        ...rows,
        '',
        'done by a hand-made operation in another request:',
        ...anotherWay,
        '',
        'left out of the table (so of the nodes and the simulator):',
        ...leftOut,
      ].join('\n'),
    );
    expect(missing).toEqual([]);
  });

  it('offers each table operation once per node (a second would be a second way to do the same)', () => {
    const tableOffers = offers.filter((o) => !o.handMade).map((o) => `${o.node}:${[...o.planned][0]}`);
    expect(tableOffers.filter((o, i) => tableOffers.indexOf(o) !== i)).toEqual([]);
  });
});
