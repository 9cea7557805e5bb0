/**
 * The one executor of the Xero Guard node. For each input item it reads the operation's fields, has the
 * resource plan the request (no I/O) and runs the plan on the core Accounting client: every page of a
 * list up to the limit, a file out or in, neighbouring writes batched into one request. Every output
 * item is paired with its input item and every failure becomes an n8n error (or an error item).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { elementRefusal, recordsOf, type XeroLimits, type XeroRequestOptions } from '../../src/xero/accounting';
import { errorItemJson, errorOutputJson, toXeroNodeError, XeroGuardConfigError } from './errors';
import { readOrganisationChoice, resolveTenant, type Organisation } from './organisation';
import { resourceByValue, type OperationDef, type PlannedRequest, type ResourceModule, type SingleRequest } from './resources';
import type { SessionClient } from './session-client';

/** The top-level fields an operation shows (each read per item with its default). */
export function parameterNames(resource: ResourceModule, operation: string): INodeProperties[] {
  return resource.properties.filter((p) => {
    const ops = p.displayOptions?.show?.operation;
    return !ops || (ops as unknown[]).includes(operation);
  });
}

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

/** An item's operation and its planned request, before the organisation is known. */
export interface ItemPlan {
  op: OperationDef;
  plan: PlannedRequest;
}

/** What an item asks for: its resource, operation and fields, planned as the core's request (pure). */
export function planItem(context: IExecuteFunctions, itemIndex: number): ItemPlan {
  const resourceValue = context.getNodeParameter('resource', itemIndex) as string;
  const resource = resourceByValue(resourceValue);
  if (!resource) throw new XeroGuardConfigError(`Resource "${resourceValue}" is not one the Xero Guard node knows`, 'Choose a Resource from the list.');
  const operation = context.getNodeParameter('operation', itemIndex) as string;
  const op = resource.operations[operation];
  if (!op)
    throw new XeroGuardConfigError(
      `Operation "${operation}" is not one of ${resource.name}'s`,
      `Choose one of: ${Object.values(resource.operations)
        .map((o) => o.option.name)
        .join(', ')}.`,
    );
  const parameters: IDataObject = {};
  for (const p of parameterNames(resource, operation)) {
    if (p.displayOptions?.show?.returnAll && parameters.returnAll === true) continue;
    parameters[p.name] = context.getNodeParameter(p.name, itemIndex, p.default) as IDataObject[string];
  }
  return { op, plan: op.plan(parameters) };
}

interface Planned<P extends PlannedRequest = PlannedRequest> {
  itemIndex: number;
  tenantId: string;
  op: OperationDef;
  plan: P;
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

/** Runs the node's items on the session's client: the whole of execute() apart from obtaining the client. */
export async function executeXeroGuard(context: IExecuteFunctions, session: SessionClient): Promise<INodeExecutionData[][]> {
  const { client } = session;
  const items = context.getInputData();
  const out: INodeExecutionData[] = [];
  const node = context.getNode();
  const settings = readSettings(context.getNodeParameter('xeroGuardSettings', 0, {}));
  const executionId = context.getExecutionId();
  // Execution, node, run and item: n8n's Retry On Fail repeats the same run (same key, Xero's answer replayed);
  // a loop that runs the node again with new items is a new run (new keys).
  const runIndex = runIndexOf(context);
  const stableId = (from: number, to = from) => `${executionId}:${node.id}:${runIndex}:${from === to ? from : `${from}-${to}`}`;
  const call = (tenantId: string) => ({ tenantId, maxWaitSeconds: settings.maxWaitSeconds, dates: settings.rawDates ? ('raw' as const) : ('iso' as const) });
  let organisations: Promise<Organisation[]> | undefined;

  /** One output item: the record, the organisation it came from, the call budget left. */
  const emit = (record: IDataObject, tenantId: string, limits: XeroLimits, itemIndex: number, binary?: INodeExecutionData['binary']) =>
    out.push({ json: { ...record, tenantId, xeroLimits: limits as unknown as IDataObject }, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) });

  // On the regular output the classification sits beside the message; on the error output in `details`,
  // the only shape n8n moves there with its fields intact.
  const toErrorOutput = node.onError === 'continueErrorOutput';
  const fail = (error: unknown, itemIndex: number) => {
    const nodeError = toXeroNodeError(node, error, itemIndex);
    if (!context.continueOnFail()) throw nodeError;
    out.push({ json: toErrorOutput ? errorOutputJson(nodeError) : errorItemJson(nodeError), pairedItem: { item: itemIndex } });
  };

  const plan = async (itemIndex: number): Promise<Planned> => {
    const { op, plan: p } = planItem(context, itemIndex);
    const choice = readOrganisationChoice(context.getNodeParameter('organizationId', itemIndex, ''));
    organisations ??= session.organisations();
    return { itemIndex, tenantId: resolveTenant(choice, await organisations).tenantId, op, plan: p };
  };

  const runOne = async ({ itemIndex, tenantId, op, plan: p }: Planned) => {
    switch (p.kind) {
      case 'list': {
        if (p.limit !== undefined && p.limit <= 0) return;
        let count = 0;
        for await (const page of client.pages({ ...p.request, ...call(tenantId) })) {
          for (const record of page.records) {
            emit(record as IDataObject, tenantId, page.limits, itemIndex);
            if (p.limit !== undefined && ++count >= p.limit) return;
          }
        }
        return;
      }
      case 'download': {
        const file = await client.download({ ...p.request, tenantId, maxWaitSeconds: settings.maxWaitSeconds });
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
        const answer = await client.upload({
          ...p.request,
          tenantId,
          data,
          contentType: meta.mimeType || 'application/octet-stream',
          stableId: stableId(itemIndex),
          maxWaitSeconds: settings.maxWaitSeconds,
        });
        for (const record of recordsOfAnswer(op, p.envelope, answer.body)) emit(record, tenantId, answer.limits, itemIndex);
        return;
      }
      case 'single': {
        const write = (p.request.method ?? 'GET') !== 'GET';
        const answer = await client.request({ ...p.request, ...call(tenantId), ...(write ? { stableId: stableId(itemIndex) } : {}) });
        const records = recordsOfAnswer(op, p.envelope, answer.body);
        // A write Xero answers with no body (204) still yields an item, so the workflow goes on.
        if (!records.length && write) records.push({ success: true });
        for (const record of records) emit(record, tenantId, answer.limits, itemIndex);
      }
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
      ...call(first.tenantId),
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
      if (!context.continueOnFail()) throw toXeroNodeError(node, error, batch[0].itemIndex);
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
