import { asObject, BadInput, oneOf, onlyFields, optionalInteger, optionalNumber, optionalString } from './bad-input';
import { newId } from './formats';
import { seededRandom } from './random';
import type { Endpoint } from './types';
import { RATE_LIMIT_PROBLEMS, type RateLimitProblem } from './xero-errors';

export const FAULT_KINDS = [
  'drop-response',
  'reset',
  'delay',
  'server-error',
  'rate-limit',
  'maintenance',
  'unavailable',
  'organisation-offline',
  'validation-error',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_ENDPOINTS = [
  'token',
  'revocation',
  'authorize',
  'connections',
  'organisation',
  'accounting',
  'payroll',
  'projects',
  'files',
  'assets',
  'finance',
  'api',
  'any',
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Which calls it hits; `api` is connections, organisation and every Xero API (Accounting, Payroll, Projects, Files, Assets, Finance), `any` is everything but the admin API. Default `any`. */
  endpoint?: FaultEndpoint;
  /** Fire on the next N matching calls (default 1), or at most N times with `probability`. */
  times?: number;
  /** Fire on each matching call with this chance; without `times` it stays until removed. */
  probability?: number;
  /** delay: how long, on the simulator's clock. */
  ms?: number;
  /**
   * delay: `before` the request is handled (default: nothing has happened yet when a client gives up)
   * or `after` (the token is issued or the rate-limit slot taken, and the answer is late).
   */
  when?: 'before' | 'after';
  /** server-error: the 5xx status (default 500). */
  status?: number;
  /** rate-limit: which limit was hit (default minute). */
  problem?: RateLimitProblem;
  /** rate-limit: the Retry-After seconds (default 60, or 1 for concurrent). */
  retryAfter?: number;
  /** validation-error: the ValidationErrors message. */
  message?: string;
}

export interface Fault extends FaultSpec {
  id: string;
  endpoint: FaultEndpoint;
  fired: number;
}

const FIELDS = ['kind', 'endpoint', 'times', 'probability', 'ms', 'when', 'status', 'problem', 'retryAfter', 'message'];

/** Checks a fault from code or from the admin API alike, naming the bad field. */
export function parseFaultSpec(input: unknown): FaultSpec {
  const obj = asObject(input);
  onlyFields(obj, FIELDS);
  const kind = oneOf(obj, 'kind', FAULT_KINDS);
  if (!kind) throw new BadInput('kind', `is required (one of ${FAULT_KINDS.join(', ')})`);
  const spec: FaultSpec = { kind };
  const endpoint = oneOf(obj, 'endpoint', FAULT_ENDPOINTS);
  if (endpoint) spec.endpoint = endpoint;
  const times = optionalInteger(obj, 'times', 1);
  if (times !== undefined) spec.times = times;
  const probability = optionalNumber(obj, 'probability', 0, 1);
  if (probability !== undefined) spec.probability = probability;
  const ms = optionalNumber(obj, 'ms', 0);
  if (kind === 'delay' && ms === undefined) throw new BadInput('ms', 'is required for a delay fault');
  if (ms !== undefined) spec.ms = ms;
  const when = oneOf(obj, 'when', ['before', 'after'] as const);
  if (when) spec.when = when;
  const status = optionalInteger(obj, 'status', 500, 599);
  if (status !== undefined) spec.status = status;
  const problem = oneOf(obj, 'problem', RATE_LIMIT_PROBLEMS);
  if (problem) spec.problem = problem;
  const retryAfter = optionalNumber(obj, 'retryAfter', 0);
  if (retryAfter !== undefined) spec.retryAfter = retryAfter;
  const message = optionalString(obj, 'message');
  if (message !== undefined) spec.message = message;
  return spec;
}

const API_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['connections', 'organisation', 'accounting', 'payroll', 'projects', 'files', 'assets', 'finance']);

const matches = (target: FaultEndpoint, endpoint: Endpoint): boolean =>
  target === 'any' || target === endpoint || (target === 'api' && API_ENDPOINTS.has(endpoint));

export class FaultSet {
  private faults: Fault[] = [];
  private readonly random: () => number;

  constructor(seed: number = Date.now()) {
    this.random = seededRandom(seed);
  }

  add(spec: FaultSpec): Fault {
    const checked = parseFaultSpec(spec);
    const fault: Fault = { ...checked, id: newId(), endpoint: checked.endpoint ?? 'any', fired: 0 };
    if (fault.times === undefined && fault.probability === undefined) fault.times = 1;
    this.faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * The faults that fire on this call. Before the handler: every matching delay, then at most one
   * fault that answers instead of the handler. After it: delays marked `after`, and drop-response.
   */
  take(endpoint: Endpoint, phase: 'before' | 'after'): Fault[] {
    const fired: Fault[] = [];
    let answered = false;
    for (const f of this.faults) {
      if (!matches(f.endpoint, endpoint)) continue;
      const isAfter = f.kind === 'drop-response' || (f.kind === 'delay' && f.when === 'after');
      if (isAfter !== (phase === 'after')) continue;
      const answers = f.kind !== 'delay' && f.kind !== 'drop-response';
      if (answers && answered) continue;
      if (f.probability !== undefined && this.random() >= f.probability) continue;
      f.fired++;
      fired.push({ ...f });
      if (answers) answered = true;
    }
    this.faults = this.faults.filter((f) => f.times === undefined || f.fired < f.times);
    return fired;
  }
}
