/**
 * What a failed call puts on a message (msg.error, or msg.xeroGuard beside a Catch node's own
 * msg.error): the classification in Node-RED's words (category, action, summary, advice), Xero's
 * detail and correlation id, the short status, never a secret. Every node of the wing that calls
 * Xero reports failures this way, so `xero classify error` downstream recognises the
 * classification and keeps it (upstream.ts).
 */
import type { Classification } from '../../src/classify';
import { XeroGuardError } from '../../src/errors';
import { adviceFor, checkResultForError, classificationInWords } from '../../src/host';
import { XeroApiError } from '../../src/xero/accounting';
import { NODE_RED_WORDS } from './status';

/** A mistake in the node's settings or the msg: named in the user's words, nothing sent to Xero. */
export class InputProblem extends Error {}

/** The fields a flow branches on, and the short status for the node's dot. */
export interface Failure {
  fields: Record<string, unknown>;
  status: string;
}

/** The classification fields every failure carries, in Node-RED's words. */
function classified(c: Classification): Record<string, unknown> {
  const worded = classificationInWords(c, NODE_RED_WORDS);
  return {
    category: worded.category,
    action: worded.action,
    retryable: worded.retryable,
    severity: worded.severity,
    summary: worded.summary,
    advice: worded.advice,
    httpStatus: worded.httpStatus,
    retryAfterSeconds: worded.retryAfterSeconds,
    suggestedWaitSeconds: worded.suggestedWaitSeconds,
    xeroDetail: worded.xeroDetail,
    correlationId: worded.correlationId,
    source: worded.source,
  };
}

/** A failure as msg fields, scrubbed with `scrub` (the connection's secrets). Never throws. */
export function failureOf(error: unknown, scrub: (text: string) => string, secrets: readonly string[] = []): Failure {
  if (error instanceof XeroApiError) {
    const c = classified(error.classification);
    // The client's own summary (too large, bad input) stays; the classifier's words become Node-RED's.
    const summary = error.summary === error.classification.summary ? String(c.summary) : error.summary;
    const reconnect = error.action === 'reauthenticate' ? ` ${NODE_RED_WORDS.reconnect}.` : '';
    const advice = `${String(c.advice)}${reconnect}`;
    const message = error.message.replace(error.summary, summary).replace(error.advice, advice);
    const json = error.toJSON();
    return {
      fields: { ...json, ...c, summary, advice, message: scrub(message) },
      status: scrub(`${error.httpStatus ?? ''} ${summary}`.trim()),
    };
  }
  if (error instanceof InputProblem) {
    return {
      fields: {
        name: 'XeroGuardError',
        code: 'BAD_INPUT',
        message: error.message,
        category: 'validation_error',
        action: 'fix_request',
        retryable: false,
        severity: 'warning',
        summary: error.message,
        advice: 'Fix the node or the message; nothing was sent to Xero.',
        httpStatus: null,
        retryAfterSeconds: null,
        suggestedWaitSeconds: null,
        xeroDetail: null,
        correlationId: null,
        source: 'unknown',
      },
      status: error.message,
    };
  }
  // The engine's and the ledger's own errors (a dead refresh token, a database down): the same classification a check gives.
  const advice = adviceFor(error, NODE_RED_WORDS, secrets);
  const problem = checkResultForError(error).problem;
  const message = scrub(error instanceof Error ? error.message : String(error));
  return {
    fields: {
      name: 'XeroGuardError',
      code: error instanceof XeroGuardError ? error.code : 'UNEXPECTED',
      message,
      ...(problem ? classified(problem) : { category: 'unknown', action: 'alert', retryable: false, summary: advice.status }),
      // The engine's code is the precise reading: its advice beats the category's.
      advice: advice.advice,
    },
    status: advice.status,
  };
}
