import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { errorItemJson, toXeroNodeError, XeroGuardConfigError } from './errors';
import { readOrganisationChoice, resolveTenant } from './organisation';
import type { XeroApiPort, XeroCallOptions, XeroLimits, XeroRequestSpec, XeroTenant } from './port';
import { resourceByValue, type OperationDef, type PlannedRequest, type ResourceModule } from './resources';
import { recordsOf } from './resources/mapping';

/** Names of the top-level fields an operation shows (each read per item with its default). */
export function parameterNames(resource: ResourceModule, operation: string): INodeProperties[] {
  return resource.properties.filter((p) => {
    const ops = p.displayOptions?.show?.operation;
    return !ops || (ops as unknown[]).includes(operation);
  });
}

interface Settings {
  batchSize: number;
  rawDates: boolean;
  maxRateLimitWaitMs: number;
}

function readSettings(raw: unknown): Settings {
  const s = raw && typeof raw === 'object' ? (raw as IDataObject) : {};
  const batch = Math.floor(Number(s.batchSize ?? 1));
  const wait = Number(s.maxRateLimitWaitSeconds ?? 60);
  return {
    batchSize: Number.isFinite(batch) ? Math.min(50, Math.max(1, batch)) : 1,
    rawDates: s.rawDates === true,
    maxRateLimitWaitMs: Number.isFinite(wait) && wait >= 0 ? wait * 1000 : 60_000,
  };
}

interface Planned {
  itemIndex: number;
  tenant: XeroTenant;
  op: OperationDef;
  plan: PlannedRequest;
}

/** One output item: the record, the tenant it came from, the call budget left. */
function outputItem(record: IDataObject, tenant: XeroTenant, limits: XeroLimits | null, itemIndex: number): INodeExecutionData {
  return {
    json: {
      ...record,
      tenantId: tenant.tenantId,
      xeroLimits: (limits ?? { dayRemaining: null, minuteRemaining: null, appMinuteRemaining: null }) as unknown as IDataObject,
    },
    pairedItem: { item: itemIndex },
  };
}

const parseWith = (op: OperationDef, spec: XeroRequestSpec, body: unknown): IDataObject[] => (op.parse ? op.parse(body) : recordsOf(body, spec.envelope));

/** Runs the node's items against the port: the whole of execute() apart from opening the port. */
export async function executeXeroGuard(context: IExecuteFunctions, port: XeroApiPort): Promise<INodeExecutionData[][]> {
  const items = context.getInputData();
  const out: INodeExecutionData[] = [];
  const node = context.getNode();
  const settings = readSettings(context.getNodeParameter('xeroGuardSettings', 0, {}));
  const executionId = context.getExecutionId();
  // Execution, node, run and item: n8n's Retry On Fail repeats the same run (same key, Xero's answer replayed);
  // a loop that runs the node again with new items is a new run (new keys).
  const runIndex = runIndexOf(context);
  const stableId = (from: number, to = from) => `${executionId}:${node.id}:${runIndex}:${from === to ? from : `${from}-${to}`}`;
  const callOptions = (id?: string): XeroCallOptions => ({
    ...(id ? { stableId: id } : {}),
    maxRateLimitWaitMs: settings.maxRateLimitWaitMs,
    rawDates: settings.rawDates,
  });
  let tenants: Promise<XeroTenant[]> | undefined;

  const fail = (error: unknown, itemIndex: number) => {
    const nodeError = toXeroNodeError(node, error, itemIndex);
    if (!context.continueOnFail()) throw nodeError;
    out.push({ json: errorItemJson(nodeError), pairedItem: { item: itemIndex } });
  };

  const plan = async (itemIndex: number): Promise<Planned> => {
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
    const choice = readOrganisationChoice(context.getNodeParameter('organizationId', itemIndex, ''));
    tenants ??= port.connections();
    const tenant = resolveTenant(choice, await tenants);
    return { itemIndex, tenant, op, plan: op.plan(parameters) };
  };

  const runOne = async ({ itemIndex, tenant, op, plan: p }: Planned) => {
    const { spec } = p;
    if (p.kind === 'list') {
      let count = 0;
      const limit = p.limit;
      if (limit !== undefined && limit <= 0) return;
      for await (const page of port.pages(tenant.tenantId, spec, callOptions())) {
        const records = spec.envelope ? parseWith(op, spec, { [spec.envelope]: page.records }) : (page.records as IDataObject[]);
        for (const record of records) {
          out.push(outputItem(record, tenant, page.limits, itemIndex));
          if (limit !== undefined && ++count >= limit) return;
        }
      }
      return;
    }
    if (p.kind === 'download') {
      const file = await port.download(tenant.tenantId, spec, callOptions());
      const fileName = file.fileName ?? (spec.binary?.direction === 'download' ? spec.binary.fileName : undefined) ?? 'xero-file';
      const binary = await context.helpers.prepareBinaryData(file.data, fileName, file.mimeType);
      const item = outputItem({ fileName, mimeType: file.mimeType, fileSize: file.data.length }, tenant, file.limits, itemIndex);
      out.push({ ...item, binary: { [p.binaryProperty ?? 'data']: binary } });
      return;
    }
    const write = spec.method !== 'GET';
    if (p.kind === 'upload') {
      if (spec.binary?.direction !== 'upload') throw new XeroGuardConfigError('An upload needs a binary field', 'Set Input Binary Field.');
      const property = spec.binary.binaryProperty;
      const meta = context.helpers.assertBinaryData(itemIndex, property);
      const data = await context.helpers.getBinaryDataBuffer(itemIndex, property);
      const answer = await port.upload(
        tenant.tenantId,
        spec,
        { data, mimeType: meta.mimeType, fileName: spec.binary.fileName },
        callOptions(stableId(itemIndex)),
      );
      for (const record of parseWith(op, spec, answer.body)) out.push(outputItem(record, tenant, answer.limits, itemIndex));
      return;
    }
    const answer = await port.request(tenant.tenantId, spec, callOptions(write ? stableId(itemIndex) : undefined));
    const records = parseWith(op, spec, answer.body);
    // A write Xero answers with no body (204) still yields an item, so the workflow goes on.
    if (!records.length && write) records.push({ success: true });
    for (const record of records) out.push(outputItem(record, tenant, answer.limits, itemIndex));
  };

  /** Several items' records in one request; each element's result paired back to its item. */
  const runBatch = async (batch: Planned[]) => {
    const first = batch[0];
    const envelope = first.plan.spec.envelope ?? '';
    const counts = batch.map((b) => elementsOf(b.plan.spec, envelope).length);
    const spec: XeroRequestSpec = {
      ...first.plan.spec,
      path: first.plan.batchPath ?? first.plan.spec.path,
      body: { [envelope]: batch.flatMap((b) => elementsOf(b.plan.spec, envelope)) },
      batch: true,
    };
    const answer = await port.request(first.tenant.tenantId, spec, callOptions(stableId(first.itemIndex, batch[batch.length - 1].itemIndex)));
    const results = recordsOf(answer.body, envelope);
    let at = 0;
    batch.forEach((b, i) => {
      const mine = results.slice(at, at + counts[i]);
      at += counts[i];
      const failed = mine.find((r) => r.HasErrors === true || r.StatusAttributeString === 'ERROR');
      if (failed) {
        const messages = (Array.isArray(failed.ValidationErrors) ? (failed.ValidationErrors as IDataObject[]) : [])
          .map((v) => String(v.Message ?? ''))
          .filter(Boolean);
        const error = Object.assign(new Error('Xero refused this record'), {
          category: 'validation_error',
          action: 'fix_request',
          summary: 'Xero refused this record',
          httpStatus: 400,
          validationMessages: messages,
        });
        fail(error, b.itemIndex);
        return;
      }
      for (const record of mine) out.push(outputItem(record, b.tenant, answer.limits, b.itemIndex));
    });
  };

  let pending: Planned[] = [];
  const batchKey = (b: Planned) => JSON.stringify([b.tenant.tenantId, b.plan.spec.method, b.plan.batchPath, b.plan.spec.envelope, b.plan.spec.query]);
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
    if (settings.batchSize > 1 && planned.plan.batchable && planned.plan.batchPath) {
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

function runIndexOf(context: IExecuteFunctions): number {
  try {
    const value = Number(context.getWorkflowDataProxy(0).$runIndex);
    return Number.isInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}

function elementsOf(spec: XeroRequestSpec, envelope: string): IDataObject[] {
  const body = spec.body && typeof spec.body === 'object' ? (spec.body as IDataObject)[envelope] : undefined;
  return Array.isArray(body) ? (body as IDataObject[]) : [];
}
