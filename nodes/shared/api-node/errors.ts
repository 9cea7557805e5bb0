/**
 * Every failure of the Xero Guard node as the n8n error it becomes: a classified Xero failure (the core
 * client's XeroApiError) as a NodeApiError with Xero's words and n8n's failure cause, a wrong field as a
 * NodeOperationError naming it, anything else with the advice the connection's state calls for. Secret-free.
 */
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { redact } from '../../../src/secrets/redact';
import { XeroApiError } from '../../../src/xero/accounting';
import { failureOf, failureOfError } from '../failure';
import { adviceOf } from '../node-support';
import { MappingError } from './types';

/** Errors the node itself raises about its configuration (organisation choice, an unknown resource or operation). */
export class XeroGuardConfigError extends Error {
  constructor(
    message: string,
    readonly advice: string,
    /** The classifier's category when the node already knows it (insufficient_scope, from the scope check). */
    readonly category?: string,
  ) {
    super(message);
    this.name = 'XeroGuardConfigError';
  }
}

export { failureOf } from '../failure';

const clean = (text: string): string => redact(text, []);

/** Xero's validation messages in plain words after the summary: "Xero refused the invoice: Email address must be valid." */
function messageOf(f: XeroApiError): string {
  const base = clean(f.summary || f.message);
  const messages = f.validationMessages.map(clean).filter(Boolean);
  // "…is not valid: The contact…", never "…is not valid.: The contact…".
  return messages.length ? `${base.replace(/[.\s]+$/, '')}: ${messages.join('; ')}` : base;
}

/** The classification as plain fields, for the error's context and for continueOnFail items. */
export function classificationFields(f: XeroApiError): IDataObject {
  return {
    category: f.category,
    action: f.action,
    httpStatus: f.httpStatus,
    retryAfterSeconds: f.retryAfterSeconds,
    validationMessages: f.validationMessages.map(clean),
  };
}

export function toXeroNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (error instanceof MappingError || error instanceof XeroGuardConfigError) {
    const refused = new NodeOperationError(node, clean(error.message), {
      itemIndex,
      description: error instanceof XeroGuardConfigError ? error.advice : 'Fix the field named above in the node.',
      failure: { cause: 'configuration-invalid' },
    });
    // A scope the chain lacks is the classifier's insufficient_scope, told before any call: items and Classify read it alike.
    if (error instanceof XeroGuardConfigError && error.category) refused.context.xero = { category: error.category, action: 'fix_configuration' };
    return refused;
  }
  if (error instanceof XeroApiError) {
    const failure = failureOf(error);
    const fields = classificationFields(error);
    const apiError = new NodeApiError(node, { message: messageOf(error), ...fields } as JsonObject, {
      message: messageOf(error),
      description: clean(error.advice || adviceOf(error)),
      ...(typeof error.httpStatus === 'number' ? { httpCode: String(error.httpStatus) } : {}),
      itemIndex,
      ...(failure ? { failure } : {}),
    });
    apiError.context.xero = fields;
    return apiError;
  }
  const failure = failureOfError(error);
  const message = clean(error instanceof Error ? error.message : typeof error === 'string' ? error : 'Xero Guard failed');
  return new NodeOperationError(node, message, { itemIndex, description: adviceOf(error), ...(failure ? { failure } : {}) });
}

/** For continueOnFail and the error output: the failure as the item's json, secret-free. */
export function errorItemJson(error: NodeApiError | NodeOperationError): IDataObject {
  const xero = error.context.xero as IDataObject | undefined;
  return {
    error: error.message,
    ...(error.description ? { advice: error.description } : {}),
    ...(error.failure ? { failure: error.failure as unknown as IDataObject } : {}),
    ...(xero ?? {}),
  };
}

/**
 * The failure as an item for the node's error output ("On Error: Continue (using error output)"). n8n moves
 * an item there only when its json holds nothing but `error`, `message` and `details` (or the item carries
 * `error`, and then n8n keeps only the message): so the classification rides in `details`.
 */
export function errorOutputJson(error: NodeApiError | NodeOperationError): IDataObject {
  const { error: message, ...details } = errorItemJson(error);
  return { error: message, details };
}
