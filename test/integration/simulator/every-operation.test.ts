import { XERO_APIS, xeroOperations, type XeroOperation } from '../../../src/xero/operations';
import { resolveSchema } from '../../../src/xero/operations/schema-walk';
import { DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { simulatedApi } from '../../../src/simulator/apis/catalogue';
import { ManualClock } from '../../../src/clock';
import type { Answer } from './accounting-helpers';
import { NOW, Walker, answerSchema, connect, documented, validatorOf, walkOrder } from './support/walk';

/**
 * The simulator answers every operation of the table: for each one, a request built from the table
 * gets an answer the document allows for it (a documented status, a body valid against that status's
 * schema, records with no field the schema does not name), and every one its documented success.
 */

let sim: Simulator;
let walker: Walker;
beforeAll(async () => {
  sim = await startSimulator({ clock: new ManualClock(NOW) });
  sim.accounting.seed(DEMO_TENANT_ID, { contacts: 6, invoices: 20, seed: 3 });
  walker = new Walker(sim, connect(sim));
});
afterAll(() => sim.close());

/** Record fields the schema does not name (the `...String` date siblings excepted, as Xero sends them). */
function invented(op: XeroOperation, json: unknown): string[] {
  const where = op.response.records;
  if (!where?.schema || json === undefined) return [];
  const { schemas } = simulatedApi(op.api);
  const schema = resolveSchema({ ref: where.schema }, schemas);
  if (!schema?.properties) return [];
  const at: unknown = where.key === null ? json : (json as Record<string, unknown> | null)?.[where.key];
  const records: unknown[] = where.many ? (Array.isArray(at) ? at : []) : [at];
  const out = new Set<string>();
  for (const r of records)
    for (const k of Object.keys(r ?? {}))
      if (!(k in (schema.properties ?? {})) && !(k.endsWith('String') && k.slice(0, -6) in (schema.properties ?? {}))) out.add(k);
  return [...out];
}

function check(op: XeroOperation, answer: Answer): string | undefined {
  const doc = validatorOf(op.api);
  const statuses = Object.keys(documented(op).responses ?? {});
  if (!statuses.includes(String(answer.status))) return `status ${answer.status} is not documented (${statuses.join(', ')}): ${answer.text.slice(0, 200)}`;
  if (answer.status === 204) return answer.bytes.length === 0 ? undefined : 'a 204 with a body';
  const mediaType = op.response.mediaType;
  if (answer.status < 300 && mediaType && mediaType !== 'application/json') {
    const type = answer.headers.get('content-type') ?? '';
    return type === mediaType || mediaType === 'application/octet-stream' ? undefined : `content type ${type}, documented ${mediaType}`;
  }
  const schema = answerSchema(op, answer.status);
  if (!schema) return answer.status < 300 && answer.bytes.length > 0 && op.response.mediaType ? 'a body the document does not describe' : undefined;
  const errors = doc.errors(schema, answer.json);
  if (errors.length > 0) return `${errors.slice(0, 4).join('; ')} in ${answer.text.slice(0, 300)}`;
  const extra = answer.status < 300 ? invented(op, answer.json) : [];
  return extra.length > 0 ? `invented fields: ${extra.join(', ')}` : undefined;
}

describe('the simulator answers every operation in the table', () => {
  const results: Array<{ op: XeroOperation; outcome: string }> = [];

  for (const api of XERO_APIS) {
    it(`${api.label}: every operation answers as ${api.document} documents`, async () => {
      const problems: string[] = [];
      for (const op of walkOrder(xeroOperations(api.id))) {
        const sent = await walker.send(op);
        if ('skipped' in sent) {
          problems.push(`${op.operationId}: ${sent.skipped}`);
          continue;
        }
        const problem = check(op, sent.answer);
        const ok = sent.answer.status < 300;
        results.push({ op, outcome: problem ?? (ok ? 'ok' : `refused ${sent.answer.status}`) });
        if (problem) problems.push(`${op.method} ${op.path} (${op.operationId}): ${problem}`);
        else if (!ok) problems.push(`${op.method} ${op.path} (${op.operationId}): refused ${sent.answer.status} ${sent.answer.text.slice(0, 300)}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('every operation answered with its documented success', () => {
    const ok = results.filter((r) => r.outcome === 'ok').length;
    console.log(`${ok} of ${xeroOperations().length} operations answered with their documented success; ${results.length - ok} otherwise`);
    expect(ok).toBe(xeroOperations().length);
  });

  it('the checks bite: a wrong type, an undocumented status and an invented field are each caught', async () => {
    const op = xeroOperations('payroll-uk').find((o) => o.operationId === 'getEmployee') as XeroOperation;
    const sent = await walker.send(op);
    if ('skipped' in sent) throw new Error(sent.skipped);
    const good = sent.answer.json as { employee: Record<string, unknown> };
    const answer = (status: number, json: unknown): Answer => {
      const text = JSON.stringify(json);
      return { status, headers: new Headers({ 'content-type': 'application/json' }), bytes: Buffer.from(text), text, json };
    };
    expect(check(op, answer(200, good))).toBeUndefined();
    expect(check(op, answer(200, { employee: { ...good.employee, firstName: 42 } }))).toMatch(/firstName must be string/);
    expect(check(op, answer(418, good))).toMatch(/not documented/);
    expect(check(op, answer(200, { employee: { ...good.employee, shoeSize: 9 } }))).toBe('invented fields: shoeSize');
  });
});
