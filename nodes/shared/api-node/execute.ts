/**
 * The one executor of every Xero Guard API node: the router and the runner. For each input item it
 * reads the operation's fields, has the resource plan the request (no I/O), checks the plan against
 * the chain's granted scopes (a missing one fails before any call), resolves records picked by name,
 * and runs the plan on the core client: every page of a list up to the limit in the API's own paging
 * style, a file out or in, a record created or updated by what it is found by, neighbouring writes
 * batched into one request. Every output item is paired with its input item and every failure
 * becomes an n8n error (or an error item).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { elementRefusal, recordsOf, type XeroLimits, type XeroRequestOptions, type XeroScopeContext } from '../../../src/xero/accounting';
import { credentialNameOf } from '../node-support';
import { errorItemJson, errorOutputJson, toXeroNodeError, XeroGuardConfigError } from './errors';
import { withLocators, type LocatorChoice } from './locators';
import type { ApiNode } from './node';
import { readOrganisationChoice, resolveTenant, type Organisation } from './organisation';
import type { SessionClient } from './session-client';
import type { OperationDef, Parameters, PlannedRequest, SingleRequest } from './types';

interface Settings {
  batchSize: number;
  rawDates: boolean;
  maxWaitSeconds: number;
}

function readSettings(raw: unknown): Settings {
  const s = raw && typeof raw === 'object' ? (raw as IDataObject) : {};
  const batch = Math.floor(Number(s.batchSize ?? 1));
  const wait = Number(s.maxRateLimitWaitSeconds ?? 60);
  return {
    batchSize: Number.isFinite(batch) ? Math.min(50, Math.max(1, batch)) : 1,
    rawDates: s.rawDates === true,
    maxWaitSeconds: Number.isFinite(wait) && wait >= 0 ? wait : 60,
  };
}

/** An item's operation, its fields as n8n resolved them, and what the node must resolve before planning. */
export interface ItemParameters {
  op: OperationDef;
  parameters: Parameters;
  locators: ReturnType<ApiNode['fieldsOf']>['locators'];
}

/** What an item asks for: its resource, operation and fields (pure). */
export function readItem(context: IExecuteFunctions, node: ApiNode, itemIndex: number): ItemParameters {
  const resourceValue = context.getNodeParameter('resource', itemIndex) as string;
  const resource = node.resource(resourceValue);
  if (!resource) throw new XeroGuardConfigError(`Resource "${resourceValue}" is not one this node knows`, 'Choose a Resource from the list.');
  const operation = context.getNodeParameter('operation', itemIndex) as string;
  const op = resource.operations[operation];
  if (!op)
    throw new XeroGuardConfigError(
      `Operation "${operation}" is not one of ${resource.name}'s`,
      `Choose one of: ${Object.values(resource.operations)
        .map((o) => o.option.name)
        .join(', ')}.`,
    );
  const { fields, locators } = node.fieldsOf(resourceValue, operation);
  const parameters: IDataObject = {};
  for (const p of fields) {
    if (p.displayOptions?.show?.returnAll && parameters.returnAll === true) continue;
    if (p.name in parameters) continue;
    parameters[p.name] = context.getNodeParameter(p.name, itemIndex, p.default) as IDataObject[string];
  }
  return { op, parameters, locators };
}

/** A GUID no record has: stands in for a record named By Name while the plan is only checked against the scopes. */
const UNRESOLVED = '00000000-0000-0000-0000-000000000000';

/** The item planned with its locators as they stand (names not yet looked up): for the scope check, before any call. */
export async function probePlan(item: ItemParameters): Promise<PlannedRequest> {
  return item.op.plan(await withLocators(item.parameters, item.locators, (_, choice) => (choice.mode === 'name' ? UNRESOLVED : choice.value)));
}

/** What an item asks for, planned as the core's request with its locators' values as given (pure; for tests and tools). */
export async function planItem(context: IExecuteFunctions, node: ApiNode, itemIndex: number): Promise<{ op: OperationDef; plan: PlannedRequest }> {
  const item = readItem(context, node, itemIndex);
  return { op: item.op, plan: item.op.plan(await withLocators(item.parameters, item.locators, (_, choice) => choice.value)) };
}

interface Planned<P extends PlannedRequest = PlannedRequest> {
  itemIndex: number;
  tenantId: string;
  op: OperationDef;
  plan: P;
  /** What the classifier needs to tell a missing scope from a closed endpoint, when the chain's scopes are known. */
  scopes?: XeroScopeContext;
}

/** A write that may share a request with its neighbours. */
type Batchable = Planned<SingleRequest & { batchPath: readonly string[] }>;

const isBatchable = (p: Planned): p is Batchable => p.plan.kind === 'single' && p.plan.batchPath !== undefined;

/** An answer's records as output items: the envelope's records, or the whole answer as one item when it holds none there. */
function recordsOfAnswer(op: OperationDef, envelope: string | undefined, body: unknown): IDataObject[] {
  if (op.parse) return op.parse(body);
  if (body === null || body === undefined) return [];
  if (Array.isArray(body)) return body as IDataObject[];
  if (typeof body !== 'object') return [{ value: body as string }];
  if (envelope && envelope in body) return recordsOf(body, [], envelope) as IDataObject[];
  return [body as IDataObject];
}

/** The records a batchable write sends, in body[envelope]. */
function elementsOf(request: XeroRequestOptions, envelope: string): IDataObject[] {
  const body = request.body && typeof request.body === 'object' ? (request.body as IDataObject)[envelope] : undefined;
  return Array.isArray(body) ? (body as IDataObject[]) : [];
}

function runIndexOf(context: IExecuteFunctions): number {
  try {
    const value = Number(context.getWorkflowDataProxy(0).$runIndex);
    return Number.isInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}

/** The request a plan checks against the scopes: a create-or-update's create (its write needs the most), else its own. */
function callOf(plan: PlannedRequest): { method?: string; path: string | readonly string[]; base?: XeroRequestOptions['base'] } {
  switch (plan.kind) {
    case 'upsert':
      return plan.create.request;
    case 'upload':
      return { ...plan.request, method: plan.request.method ?? 'PUT' };
    default:
      return plan.request;
  }
}

/** Runs the node's items on the session's client: the whole of execute() apart from obtaining the client. */
export async function executeApiNode(context: IExecuteFunctions, session: SessionClient, node: ApiNode): Promise<INodeExecutionData[][]> {
  const { client } = session;
  const items = context.getInputData();
  const out: INodeExecutionData[] = [];
  const n8nNode = context.getNode();
  const settings = readSettings(context.getNodeParameter('xeroGuardSettings', 0, {}));
  const executionId = context.getExecutionId();
  // Execution, node, run and item: n8n's Retry On Fail repeats the same run (same key, Xero's answer replayed);
  // a loop that runs the node again with new items is a new run (new keys).
  const runIndex = runIndexOf(context);
  const stableId = (from: number, to = from) => `${executionId}:${n8nNode.id}:${runIndex}:${from === to ? from : `${from}-${to}`}`;
  const call = (tenantId: string, scopes?: XeroScopeContext) => ({
    tenantId,
    maxWaitSeconds: settings.maxWaitSeconds,
    dates: settings.rawDates ? ('raw' as const) : ('iso' as const),
    ...(scopes ? { scopes } : {}),
  });
  let organisations: Promise<Organisation[]> | undefined;
  let granted: Promise<readonly string[] | null> | undefined;
  const credentialName = credentialNameOf(n8nNode);
  /** Records found by name, per organisation and list, once per execution. */
  const named = new Map<string, Promise<string>>();
  const resolveName = (tenantId: string) => (list: string, choice: LocatorChoice) => {
    if (choice.mode !== 'name') return choice.value;
    const resolver = node.spec.resolvers?.[list];
    if (!resolver) return choice.value;
    const key = `${tenantId}\u0000${list}\u0000${choice.value.toLowerCase()}`;
    let id = named.get(key);
    if (!id) named.set(key, (id = resolver(client, tenantId, choice.value)));
    return id;
  };

  /** One output item: the record, the organisation it came from, the call budget left. */
  const emit = (record: IDataObject, tenantId: string, limits: XeroLimits, itemIndex: number, binary?: INodeExecutionData['binary']) =>
    out.push({ json: { ...record, tenantId, xeroLimits: limits as unknown as IDataObject }, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) });

  // On the regular output the classification sits beside the message; on the error output in `details`,
  // the only shape n8n moves there with its fields intact.
  const toErrorOutput = n8nNode.onError === 'continueErrorOutput';
  const fail = (error: unknown, itemIndex: number) => {
    const nodeError = toXeroNodeError(n8nNode, error, itemIndex);
    if (!context.continueOnFail()) throw nodeError;
    out.push({ json: toErrorOutput ? errorOutputJson(nodeError) : errorItemJson(nodeError), pairedItem: { item: itemIndex } });
  };

  const plan = async (itemIndex: number): Promise<Planned> => {
    const item = readItem(context, node, itemIndex);
    // The scope check comes first, from the ledger: a missing scope fails with nothing sent to Xero.
    granted ??= session.grantedScopes ? session.grantedScopes() : Promise.resolve(null);
    const scopes = node.guard.check(callOf(await probePlan(item)), await granted, credentialName);
    const choice = readOrganisationChoice(context.getNodeParameter('organizationId', itemIndex, ''));
    organisations ??= session.organisations();
    const tenantId = resolveTenant(choice, await organisations).tenantId;
    const parameters = item.locators.length ? await withLocators(item.parameters, item.locators, resolveName(tenantId)) : item.parameters;
    return { itemIndex, tenantId, op: item.op, plan: item.op.plan(parameters), ...(scopes ? { scopes } : {}) };
  };

  /** One write (or a create-or-update's write) and its records as output items. */
  const writeOne = async (itemIndex: number, tenantId: string, op: OperationDef, p: SingleRequest, scopes?: XeroScopeContext) => {
    const write = (p.request.method ?? 'GET') !== 'GET';
    const answer = await client.request({ ...p.request, ...call(tenantId, scopes), ...(write ? { stableId: stableId(itemIndex) } : {}) });
    const records = recordsOfAnswer(op, p.envelope, answer.body);
    // A write Xero answers with no body (204) still yields an item, so the workflow goes on.
    if (!records.length && write) records.push({ success: true });
    for (const record of records) emit(record, tenantId, answer.limits, itemIndex);
  };

  const runOne = async ({ itemIndex, tenantId, op, plan: p, scopes }: Planned) => {
    switch (p.kind) {
      case 'list': {
        if (p.limit !== undefined && p.limit <= 0) return;
        let count = 0;
        for await (const page of client.pages({ ...p.request, ...call(tenantId, scopes) })) {
          for (const record of page.records) {
            emit(record as IDataObject, tenantId, page.limits, itemIndex);
            if (p.limit !== undefined && ++count >= p.limit) return;
          }
        }
        return;
      }
      case 'download': {
        const file = await client.download({ ...p.request, tenantId, maxWaitSeconds: settings.maxWaitSeconds, ...(scopes ? { scopes } : {}) });
        const data = Buffer.from(file.bytes);
        const mimeType = file.contentType.split(';')[0].trim();
        const fileName = file.fileName ?? p.fileName;
        const binary = await context.helpers.prepareBinaryData(data, fileName, mimeType);
        emit({ fileName, mimeType, fileSize: data.length }, tenantId, file.limits, itemIndex, { [p.binaryProperty]: binary });
        return;
      }
      case 'upload': {
        const meta = context.helpers.assertBinaryData(itemIndex, p.binaryProperty);
        const data = await context.helpers.getBinaryDataBuffer(itemIndex, p.binaryProperty);
        const contentType = meta.mimeType || 'application/octet-stream';
        const answer = await client.upload({
          ...p.request,
          tenantId,
          data,
          contentType,
          ...(p.form ? { form: p.form({ fileName: meta.fileName ?? 'file', mimeType: contentType }) } : {}),
          stableId: stableId(itemIndex),
          maxWaitSeconds: settings.maxWaitSeconds,
          ...(scopes ? { scopes } : {}),
        });
        for (const record of recordsOfAnswer(op, p.envelope, answer.body)) emit(record, tenantId, answer.limits, itemIndex);
        return;
      }
      case 'upsert': {
        const found: IDataObject[] = [];
        for await (const page of client.pages({ ...p.find, ...call(tenantId, scopes) })) {
          found.push(...(page.records as IDataObject[]).filter((r) => p.matches(r)));
          if (found.length > 1) break;
        }
        if (found.length > 1)
          throw new XeroGuardConfigError(
            `More than one record in Xero matches ${p.matchedOn}, so the node cannot tell which to update`,
            'Match by another field, or use Update with the record picked from the list or by ID.',
          );
        const existing = found[0]?.[p.idKey];
        await writeOne(itemIndex, tenantId, op, typeof existing === 'string' && existing ? p.update(existing) : p.create, scopes);
        return;
      }
      case 'single':
        await writeOne(itemIndex, tenantId, op, p, scopes);
    }
  };

  /** Several items' records in one request; each element's result (or Xero's refusal of it) paired back to its item. */
  const runBatch = async (batch: Batchable[]) => {
    const [first] = batch;
    const last = batch[batch.length - 1];
    const envelope = first.plan.envelope ?? '';
    const elements = batch.map((b) => elementsOf(b.plan.request, envelope));
    const path = first.plan.batchPath;
    const answer = await client.request({
      ...first.plan.request,
      ...call(first.tenantId, first.scopes),
      path,
      query: { ...first.plan.request.query, summarizeErrors: false },
      body: { [envelope]: elements.flat() },
      stableId: stableId(first.itemIndex, last.itemIndex),
    });
    const results = recordsOf(answer.body, [], envelope) as IDataObject[];
    const refused = new Map(answer.elementErrors.map((e) => [e.index, e]));
    let at = 0;
    batch.forEach((b, i) => {
      const mine = elements[i].map((_, k) => at + k);
      at += mine.length;
      const refusal = mine.map((index) => refused.get(index)).find((e) => e !== undefined);
      if (refusal) {
        fail(elementRefusal(refusal, { method: first.plan.request.method ?? 'POST', path: path.join('/') }, answer.limits), b.itemIndex);
        return;
      }
      for (const index of mine) if (results[index]) emit(results[index], b.tenantId, answer.limits, b.itemIndex);
    });
  };

  let pending: Batchable[] = [];
  const batchKey = (b: Batchable) => JSON.stringify([b.tenantId, b.plan.request.method, b.plan.batchPath, b.plan.envelope, b.plan.request.query]);
  const flush = async () => {
    const batch = pending;
    pending = [];
    if (!batch.length) return;
    try {
      if (batch.length === 1) await runOne(batch[0]);
      else await runBatch(batch);
    } catch (error) {
      // The whole request failed: every item in it failed the same way.
      if (!context.continueOnFail()) throw toXeroNodeError(n8nNode, error, batch[0].itemIndex);
      for (const b of batch) fail(error, b.itemIndex);
    }
  };

  for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
    let planned: Planned;
    try {
      planned = await plan(itemIndex);
    } catch (error) {
      await flush();
      fail(error, itemIndex);
      continue;
    }
    if (settings.batchSize > 1 && isBatchable(planned)) {
      if (pending.length && (batchKey(pending[0]) !== batchKey(planned) || pending.length >= settings.batchSize)) await flush();
      pending.push(planned);
      continue;
    }
    await flush();
    try {
      await runOne(planned);
    } catch (error) {
      fail(error, itemIndex);
    }
  }
  await flush();
  return [out];
}
