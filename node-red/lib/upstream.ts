/**
 * The classification a Xero Guard node upstream already attached to a message: `xero api`'s
 * msg.error (second output), its msg.xeroGuard beside a Catch node's msg.error, `xero refresh
 * token`'s msg.xeroGuard, or a check's msg.payload.problem. That node knew more than the message
 * shows (the engine's state, Xero's status, header and body), so `xero classify error` keeps its
 * reading rather than guessing again from the text.
 */
import { ACTIONS, type Classification } from '../../src/classify';
import type { NodeMessage } from './red';

/** The fields of a classification an upstream node may carry, each taken only when well formed. */
type Carried = Partial<Classification> & Pick<Classification, 'category' | 'action' | 'summary' | 'advice'>;

const record = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** `value` when it is a classification (a category, one of the actions, a summary and advice), or null. */
export function classificationIn(value: unknown): Carried | null {
  const v = record(value);
  if (!v || !text(v.category) || !(ACTIONS as readonly unknown[]).includes(v.action) || !text(v.summary) || !text(v.advice)) return null;
  const carried: Record<string, unknown> = { category: v.category, action: v.action, summary: v.summary, advice: v.advice };
  for (const name of ['retryable'] as const) if (typeof v[name] === 'boolean') carried[name] = v[name];
  for (const name of ['severity', 'source', 'xeroDetail', 'correlationId', 'rateLimitProblem', 'oauthError'] as const)
    if (typeof v[name] === 'string' || v[name] === null) carried[name] = v[name];
  for (const name of ['httpStatus', 'retryAfterSeconds', 'suggestedWaitSeconds'] as const)
    if ((typeof v[name] === 'number' && Number.isFinite(v[name])) || v[name] === null) carried[name] = v[name];
  return carried as Carried;
}

/** Our nodes' types, as a Catch node names the source of an error. */
const OWN_TYPE = /^xero[ -]/;

/**
 * The upstream classification of a message as `xero classify error` reads it automatically: none
 * for an http request node's answer (the message is its response, however old its other
 * properties), else the failure's own (msg.error), its Xero Guard fields beside a Catch node's
 * msg.error from one of our nodes, or a check result's problem.
 */
export function upstreamOf(msg: NodeMessage): Carried | null {
  if (msg.statusCode !== undefined && msg.statusCode !== null) return null;
  const error = record(msg.error);
  if (error) {
    const source = record(error.source);
    return classificationIn(error) ?? (source && typeof source.type === 'string' && OWN_TYPE.test(source.type) ? classificationIn(msg.xeroGuard) : null);
  }
  const payload = record(msg.payload);
  return payload && record(payload.tokenHealth) ? classificationIn(payload.problem) : null;
}
