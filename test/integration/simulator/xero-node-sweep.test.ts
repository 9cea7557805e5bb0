import { readFileSync } from 'node:fs';
import * as sdk from 'xero-node';
import { PayrollAuV2Api } from 'xero-node/dist/gen/api/payrollAUV2Api';
import * as accountingModels from 'xero-node/dist/gen/model/accounting/models';
import * as assetsModels from 'xero-node/dist/gen/model/assets/models';
import * as filesModels from 'xero-node/dist/gen/model/files/models';
import * as financeModels from 'xero-node/dist/gen/model/finance/models';
import * as payrollAuModels from 'xero-node/dist/gen/model/payroll-au/models';
import * as payrollAuV2Models from 'xero-node/dist/gen/model/payroll-au-v2/models';
import * as payrollNzModels from 'xero-node/dist/gen/model/payroll-nz/models';
import * as payrollUkModels from 'xero-node/dist/gen/model/payroll-uk/models';
import * as projectsModels from 'xero-node/dist/gen/model/projects/models';
import { ManualClock } from '../../../src/clock';
import { DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { xeroApi, xeroOperations, type XeroApiId, type XeroOperation } from '../../../src/xero/operations';
import { NOW, TENANT_OF, Walker, connect, walkOrder } from './support/walk';

/**
 * The official SDK as a real client: every operation of xero-node's API classes for the APIs the
 * simulator serves, called as an application would call it, against the simulator over HTTP. xero-node
 * lets each API class take another base URL (`api.basePath`, a setter on every generated class), so
 * nothing is intercepted: the SDK builds each request itself (its own serialisation, headers,
 * multipart and binary handling) and deserialises each answer into its own models, which this test
 * checks. Arguments come from the operation table, as in the table walk (support/walk.ts).
 */

/** What the sweep uses of a generated API class: where it sends its calls, with which token. */
interface SdkClient {
  basePath: string;
  accessToken: string;
}

/** A generated operation, called by name as an application calls it: the SDK's parsed answer and the raw one. */
type SdkOperation = (...args: unknown[]) => Promise<{ body: unknown; response: { data: unknown } }>;

/** A generated model class: it says how its properties map to the wire's names and types. */
interface ModelClass {
  new (): object;
  getAttributeTypeMap(): Array<{ name: string; baseName: string; type: string }>;
}

/** A module of an API's generated models, looked up by the type names the operations declare. */
interface SdkModels {
  ObjectSerializer: { deserialize(data: unknown, type: string): unknown };
}

interface SdkApi {
  /** The SDK's class and its models. */
  make: () => SdkClient;
  models: SdkModels;
}

/** xero-node's classes for the APIs the simulator serves. Bank Feeds and App Store are not served (the table leaves them out). */
const SDK: Record<XeroApiId, SdkApi> = {
  accounting: { make: () => new sdk.AccountingApi(), models: accountingModels },
  'payroll-au': { make: () => new sdk.PayrollAuApi(), models: payrollAuModels },
  'payroll-au-v2': { make: () => new PayrollAuV2Api(), models: payrollAuV2Models },
  'payroll-nz': { make: () => new sdk.PayrollNzApi(), models: payrollNzModels },
  'payroll-uk': { make: () => new sdk.PayrollUkApi(), models: payrollUkModels },
  projects: { make: () => new sdk.ProjectApi(), models: projectsModels },
  files: { make: () => new sdk.FilesApi(), models: filesModels },
  assets: { make: () => new sdk.AssetApi(), models: assetsModels },
  finance: { make: () => new sdk.FinanceApi(), models: financeModels },
};
const NOT_SERVED = ['BankFeedsApi', 'AppStoreApi'];
const SDK_VERSION = JSON.parse(readFileSync(require.resolve('xero-node/package.json'), 'utf8')).version as string;

/**
 * SDK operations that fail against the simulator, each because xero-node and Xero's document disagree
 * and the simulator holds to the document. The test fails if one of these starts to pass (take it off)
 * or another fails.
 */
const EXPLAINED: Record<string, string> = {
  createEmployeeStatutorySickLeave:
    'xero-node 20 joins every Array<string> into one comma-separated string, request bodies included (ObjectSerializer.serialize), so it sends workPattern: "Monday,Tuesday,..."; xero-payroll-uk.yaml says workPattern is an array of strings, and the simulator refuses the string as a server holding to the document would (400 Problem naming workPattern).',
};

interface Signature {
  params: string[];
  path: Record<string, string>;
  query: Record<string, { wire: string; type: string }>;
  body?: { param: string; type: string };
  form: string[];
  returns: string;
}

/** What the generated method takes and returns, read from its source (xero-node writes them all the same way). */
function signatureOf(fn: (...args: unknown[]) => unknown): Signature {
  const src = fn.toString();
  const params = (/function\* \(([^)]*)\)/.exec(src)?.[1] ?? '')
    .split(',')
    .map((p) => p.trim().split(/\s*=/)[0] as string)
    .filter((p) => p !== '' && p !== 'options');
  const path: Record<string, string> = {};
  for (const m of src.matchAll(/\.replace\('\{' \+ '([^']+)' \+ '\}', encodeURIComponent\(String\((\w+)\)\)\)/g)) path[m[2] as string] = m[1] as string;
  const query: Signature['query'] = {};
  for (const m of src.matchAll(/localVarQueryParameters\['([^']+)'\] = models_\d\.ObjectSerializer\.serialize\((\w+), "([^"]+)"\)/g))
    query[m[2] as string] = { wire: m[1] as string, type: m[3] as string };
  const data = /data: models_\d\.ObjectSerializer\.serialize\((\w+), "([^"]+)"\)/.exec(src);
  const form = [...src.matchAll(/localVarFormParams\['(\w+)'\] = /g)].map((m) => m[1] as string);
  const returns = /ObjectSerializer\.deserialize\(response\.data, "([^"]+)"\)/.exec(src)?.[1] ?? 'any';
  return { params, path, query, ...(data ? { body: { param: data[1] as string, type: data[2] as string } } : {}), form, returns };
}

const models = (api: XeroApiId): SdkModels => SDK[api].models;

/** The generated class of this name among an API's models, if it is one. */
function modelClass(m: SdkModels, name: string): ModelClass | undefined {
  const cls: unknown = (m as unknown as Record<string, unknown>)[name];
  return typeof cls === 'function' && typeof (cls as Partial<ModelClass>).getAttributeTypeMap === 'function' ? (cls as ModelClass) : undefined;
}

/** The answer deserialised into the SDK's own models, one level down: the declared class, and its model-typed parts. */
function deserialisedProblems(api: XeroApiId, type: string, body: unknown, wire: unknown): string[] {
  const m = models(api);
  if (type === 'Buffer') return Buffer.isBuffer(body) ? [] : ['a binary answer that is not a Buffer'];
  const cls = modelClass(m, type);
  if (!cls) return [];
  if (!(body instanceof cls)) return [`not a ${type}`];
  const out: string[] = [];
  for (const attribute of cls.getAttributeTypeMap()) {
    const value = (wire as Record<string, unknown> | null | undefined)?.[attribute.baseName];
    if (value === undefined || value === null) continue;
    const inner = /^Array<(.+)>$/.exec(attribute.type)?.[1] ?? attribute.type;
    const innerClass = modelClass(m, inner);
    if (!innerClass) continue;
    const got = (body as Record<string, unknown>)[attribute.name];
    const items = Array.isArray(got) ? got : [got];
    if (items.some((i) => !(i instanceof innerClass))) out.push(`${type}.${attribute.name} is not ${attribute.type}`);
  }
  return out;
}

function sdkValue(type: string, value: string): unknown {
  if (type === 'number') return Number(value);
  if (type === 'boolean') return value === 'true';
  if (type === 'Date') return new Date(value);
  if (type.startsWith('Array<')) return [value];
  return value;
}

let sim: Simulator;
let walker: Walker;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ clock: new ManualClock(NOW) });
  sim.accounting.seed(DEMO_TENANT_ID, { contacts: 6, invoices: 20, seed: 3 });
  token = connect(sim);
  walker = new Walker(sim, token);
});
afterAll(() => sim.close());

function client(api: XeroApiId): SdkClient {
  const instance = SDK[api].make();
  // xero-node's own way to another server: every generated API class has a basePath setter.
  instance.basePath = `${sim.apiUrl}${xeroApi(api).basePath}`;
  instance.accessToken = token;
  return instance;
}

describe('xero-node, every operation of the APIs the simulator serves', () => {
  const outcomes: Array<{ api: XeroApiId; method: string; ok: boolean; why?: string }> = [];

  it('xero-node has a class for every API the table covers, and only Bank Feeds and App Store beyond them', () => {
    const classes = (sdk.APIS as Array<{ name: string }>).map((c) => c.name);
    expect(classes.filter((c) => !NOT_SERVED.includes(c)).sort()).toEqual(
      ['AccountingApi', 'AssetApi', 'FilesApi', 'FinanceApi', 'PayrollAuApi', 'PayrollNzApi', 'PayrollUkApi', 'ProjectApi'].sort(),
    );
    expect(Object.keys(SDK)).toHaveLength(9);
  });

  for (const api of Object.keys(SDK) as XeroApiId[]) {
    it(`${api}: each SDK method against the simulator`, async () => {
      // The generated class seen as what it is to this sweep: operations by name.
      const instance = client(api) as unknown as Record<string, SdkOperation>;
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(instance)).filter(
        (n) => n !== 'constructor' && typeof instance[n] === 'function' && /^function\* \(|function\* \(/.test(instance[n].toString()),
      );
      const ops = new Map<string, XeroOperation>(xeroOperations(api).map((op) => [op.operationId, op]));
      // Every SDK method is an operation of the table, and every operation an SDK method.
      expect({ api, missingFromTable: methods.filter((m) => !ops.has(m)) }).toEqual({ api, missingFromTable: [] });
      expect({ api, missingFromSdk: [...ops.keys()].filter((id) => !methods.includes(id)) }).toEqual({ api, missingFromSdk: [] });

      for (const op of walkOrder([...ops.values()])) {
        const sig = signatureOf(instance[op.operationId]);
        const params = await walker.params(op);
        if (typeof params === 'string') {
          outcomes.push({ api, method: op.operationId, ok: false, why: params });
          continue;
        }
        const body = walker.body(op);
        const args = sig.params.map((p) => {
          if (p === 'xeroTenantId') return TENANT_OF[api];
          if (sig.path[p]) return params[sig.path[p] as string];
          const q = sig.query[p];
          if (q) return op.query.find((x) => x.name === q.wire)?.required ? sdkValue(q.type, walker.queryValue(op, q.wire)) : undefined;
          if (p === 'body' && op.body?.mediaType === 'application/octet-stream') return Buffer.from(`xero-node ${op.operationId}\n`);
          if (sig.body?.param === p && body) return models(api).ObjectSerializer.deserialize(JSON.parse(body.bytes.toString('utf8')), sig.body.type);
          const header = walker.headerValue(op, p);
          if (header !== undefined) return header;
          if (op.api === 'files' && sig.form.includes('body')) {
            if (p === 'body') return Buffer.from('walked through xero-node\n');
            if (p === 'name' || p === 'filename') return 'walk.txt';
            if (p === 'mimeType') return 'text/plain';
          }
          return undefined;
        });
        try {
          const result = await instance[op.operationId](...args);
          const problems = deserialisedProblems(api, sig.returns, result.body, result.response.data);
          walker.harvest(op, Buffer.isBuffer(result.response.data) ? undefined : result.response.data, params, op.method !== 'GET');
          outcomes.push({ api, method: op.operationId, ok: problems.length === 0, ...(problems.length ? { why: problems.join('; ') } : {}) });
        } catch (err) {
          const text = typeof err === 'string' ? err : err instanceof Error ? err.message : JSON.stringify(err);
          let why = text.slice(0, 300);
          try {
            const parsed = JSON.parse(text).response;
            why = `${parsed.statusCode} ${JSON.stringify(parsed.body).slice(0, 300)}`;
          } catch {
            // not the SDK's JSON error: keep the message
          }
          outcomes.push({ api, method: op.operationId, ok: false, why });
        }
      }
    });
  }

  it('the deserialisation check bites: a plain object, or a list of plain objects, is not the SDK’s model', () => {
    const m = accountingModels;
    const wire = { Invoices: [{ InvoiceID: '297c2dc5-cc47-4afd-8ec8-74990b8761e9' }] };
    expect(deserialisedProblems('accounting', 'Invoices', m.ObjectSerializer.deserialize(wire, 'Invoices'), wire)).toEqual([]);
    expect(deserialisedProblems('accounting', 'Invoices', { invoices: wire.Invoices }, wire)).toEqual(['not a Invoices']);
    const partly = Object.assign(new m.Invoices(), { invoices: wire.Invoices });
    expect(deserialisedProblems('accounting', 'Invoices', partly, wire)).toEqual(['Invoices.invoices is not Array<Invoice>']);
  });

  it('every SDK operation succeeds, its answer deserialised into the SDK’s models', () => {
    const ok = outcomes.filter((o) => o.ok).length;
    const failed = outcomes.filter((o) => !o.ok);
    const byApi = Object.keys(SDK).map((api) => {
      const mine = outcomes.filter((o) => o.api === api);
      return `${api.padEnd(14)} ${mine.filter((o) => o.ok).length}/${mine.length}`;
    });
    console.log(
      [
        `xero-node ${SDK_VERSION} sweep: ${ok} of ${outcomes.length} SDK operations succeed (${((100 * ok) / Math.max(1, outcomes.length)).toFixed(1)}%)`,
        ...byApi,
        ...failed.map((f) => `FAILED ${f.api} ${f.method}: ${f.why}${EXPLAINED[f.method] ? `\n  why: ${EXPLAINED[f.method]}` : ''}`),
      ].join('\n'),
    );
    expect(outcomes.length).toBe(xeroOperations().length);
    expect(Object.fromEntries(failed.map((f) => [f.method, Boolean(EXPLAINED[f.method])]))).toEqual(
      Object.fromEntries(Object.keys(EXPLAINED).map((m) => [m, true])),
    );
  });
});
