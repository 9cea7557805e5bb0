import type { Failure, IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { redact } from '../../src/secrets/redact';
import { adviceOf } from '../shared/node-support';
import { isXeroPortFailure, type XeroPortFailure } from './port';
import { MappingError } from './resources';

/** Errors the node itself raises about its configuration (organisation choice, a bad binary field). */
export class XeroGuardConfigError extends Error {
  constructor(
    message: string,
    readonly advice: string,
  ) {
    super(message);
    this.name = 'XeroGuardConfigError';
  }
}

const TEMPORARY = new Set(['service_unavailable', 'organisation_offline', 'server_error', 'network_error', 'timeout']);
const CONFIGURATION = new Set(['tenant_access_denied', 'insufficient_scope', 'connection_limit_reached', 'forbidden']);

/** n8n's `failure` cause for a classified Xero failure, so n8n's back-off reads it without knowing Xero. */
export function failureOf(f: Pick<XeroPortFailure, 'category' | 'action' | 'retryAfterSeconds'>): Failure | undefined {
  const retryAfterMs = typeof f.retryAfterSeconds === 'number' && f.retryAfterSeconds >= 0 ? Math.round(f.retryAfterSeconds * 1000) : undefined;
  const wait = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (f.action === 'reauthenticate') return { cause: 'credential-invalid' };
  if (f.category === 'rate_limit_day') return { cause: 'quota-exhausted', ...wait };
  if (f.category.startsWith('rate_limit')) return { cause: 'rate-limited', ...wait };
  if (TEMPORARY.has(f.category)) return { cause: 'temporarily-unavailable', ...wait };
  if (f.action === 'fix_configuration' || CONFIGURATION.has(f.category)) return { cause: 'configuration-invalid' };
  return undefined;
}

/** Engine error codes (the guarded credential's own states) as n8n causes. */
function failureOfCode(code: string): Failure | undefined {
  switch (code) {
    case 'NOT_CONNECTED':
    case 'NEEDS_REAUTH':
    case 'SUPERSEDED':
      return { cause: 'credential-invalid' };
    case 'MISCONFIGURED':
    case 'LEDGER_CONFIG':
    case 'LEDGER_WRONG_KEY':
    case 'N8nVersionError':
      return { cause: 'configuration-invalid' };
    case 'BUSY':
    case 'RATE_LIMITED':
    case 'REFRESH_OUTCOME_UNKNOWN':
    case 'LEDGER_UNAVAILABLE':
      return { cause: 'temporarily-unavailable' };
    case 'PORT_UNBOUND':
      return { cause: 'node-defect' };
    default:
      return undefined;
  }
}

const codeOf = (error: unknown): string => {
  if (!error || typeof error !== 'object') return '';
  const e = error as { code?: unknown; name?: unknown };
  return typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : '';
};

const clean = (text: string): string => redact(text, []);

/** Xero's validation messages in plain words after the summary: "Xero refused the invoice: Email address must be valid." */
function messageOf(f: XeroPortFailure): string {
  const base = clean(f.summary || f.message);
  const messages = (f.validationMessages ?? []).map(clean).filter(Boolean);
  return messages.length ? `${base}: ${messages.join('; ')}` : base;
}

/** The classification as plain fields, for the error's context and for continueOnFail items. */
export function classificationFields(f: XeroPortFailure): IDataObject {
  return {
    category: f.category,
    action: f.action,
    ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
    ...(f.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.retryAfterSeconds } : {}),
    validationMessages: (f.validationMessages ?? []).map(clean),
  };
}

export function toXeroNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (error instanceof MappingError || error instanceof XeroGuardConfigError) {
    return new NodeOperationError(node, clean(error.message), {
      itemIndex,
      description: error instanceof XeroGuardConfigError ? error.advice : 'Fix the field named above in the node.',
      failure: { cause: 'configuration-invalid' },
    });
  }
  if (isXeroPortFailure(error)) {
    const failure = failureOf(error);
    const fields = classificationFields(error);
    const apiError = new NodeApiError(node, { message: messageOf(error), ...fields } as JsonObject, {
      message: messageOf(error),
      description: clean(error.advice ?? adviceOf(error)),
      ...(typeof error.httpStatus === 'number' ? { httpCode: String(error.httpStatus) } : {}),
      itemIndex,
      ...(failure ? { failure } : {}),
    });
    apiError.context.xero = fields;
    return apiError;
  }
  const failure = failureOfCode(codeOf(error));
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
