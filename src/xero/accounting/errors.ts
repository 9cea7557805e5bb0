import { classifyXeroError } from '../../classify';
import { redact } from '../../secrets/redact';
import type { Action, Category, Classification } from '../../classify';
import { XeroGuardError } from '../../errors';
import type { XeroLimits } from './limits';

/** One element of a batch write that Xero refused, with its position in the request. */
export interface XeroElementError {
  index: number;
  messages: string[];
}

export interface XeroApiErrorDetails {
  classification: Classification;
  /** Method and path below api.xro/2.0 (never the query: a `where` may quote customer data). */
  method: string;
  path: string;
  httpStatus: number | null;
  validationMessages?: string[];
  elementErrors?: XeroElementError[];
  limits?: XeroLimits;
  /** Plain sentence that replaces the classifier's summary when the client itself decided (too large, bad input). */
  summary?: string;
}

/**
 * Every failure of an Accounting API call. The message reads as a sentence for a bookkeeper:
 * what happened, Xero's own validation words, what to do. Carries no token, header or body.
 */
export class XeroApiError extends XeroGuardError {
  readonly code = 'XERO_API_ERROR';
  readonly retryable: boolean;
  readonly classification: Classification;
  readonly category: Category | string;
  readonly action: Action;
  readonly summary: string;
  readonly advice: string;
  readonly httpStatus: number | null;
  readonly retryAfterSeconds: number | null;
  readonly correlationId: string | null;
  readonly validationMessages: string[];
  readonly elementErrors: XeroElementError[];
  readonly limits: XeroLimits | null;
  readonly method: string;
  readonly path: string;

  constructor(details: XeroApiErrorDetails) {
    const c = details.classification;
    // Paths and Xero's words echo what the caller sent; a pasted token must not ride along.
    const messages = (details.validationMessages ?? []).map((m) => redact(m, []));
    const summary = redact(details.summary ?? c.summary, []);
    const path = redact(details.path, []);
    const said = messages.length > 0 ? ` Xero said: ${messages.map((m) => `"${m}"`).join('; ')}.` : '';
    super(`${summary}${said} ${c.advice} (${details.method} ${path}${details.httpStatus !== null ? `, HTTP ${details.httpStatus}` : ''})`);
    this.classification = c;
    this.category = c.category;
    this.action = c.action;
    this.summary = summary;
    this.advice = c.advice;
    this.retryable = c.retryable;
    this.httpStatus = details.httpStatus;
    this.retryAfterSeconds = c.retryAfterSeconds;
    this.correlationId = c.correlationId;
    this.validationMessages = messages;
    this.elementErrors = details.elementErrors ?? [];
    this.limits = details.limits ?? null;
    this.method = details.method;
    this.path = path;
  }

  /** For n8n's NodeApiError / Node-RED's msg.error: the fields a workflow branches on. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      category: this.category,
      action: this.action,
      retryable: this.retryable,
      summary: this.summary,
      advice: this.advice,
      httpStatus: this.httpStatus,
      retryAfterSeconds: this.retryAfterSeconds,
      correlationId: this.correlationId,
      validationMessages: this.validationMessages,
      elementErrors: this.elementErrors,
      limits: this.limits,
      method: this.method,
      path: this.path,
    };
  }
}

/** Refused before anything was sent: the caller's input cannot make a valid Xero request. */
export class XeroRequestError extends XeroApiError {}

/** A classification for failures the client itself detects, in the classifier's vocabulary. */
export function localClassification(input: {
  summary: string;
  advice: string;
  category?: Category;
  action?: Action;
  httpStatus?: number | null;
}): Classification {
  const base = classifyXeroError({ message: input.summary }, { now: 0 });
  return {
    ...base,
    category: input.category ?? 'unknown',
    action: input.action ?? 'alert',
    retryable: false,
    retryAfterSeconds: null,
    suggestedWaitSeconds: null,
    severity: 'warning',
    summary: redact(input.summary, []),
    advice: input.advice,
    httpStatus: input.httpStatus ?? null,
    matchedRule: null,
    configurationError: null,
  };
}

/**
 * One element of a batch write that Xero refused (summarizeErrors=false answers 200 and marks it), as
 * the error a write of that element alone would have raised: a validation failure with Xero's words.
 */
export function elementRefusal(element: XeroElementError, request: { method: string; path: string }, limits?: XeroLimits): XeroApiError {
  return new XeroApiError({
    classification: localClassification({
      summary: 'Xero refused this record',
      advice: "Correct the record as Xero's words say, then send it again; the other records of the batch were written.",
      category: 'validation_error',
      action: 'fix_request',
      httpStatus: 400,
    }),
    method: request.method,
    path: request.path,
    httpStatus: 400,
    validationMessages: element.messages,
    ...(limits ? { limits } : {}),
  });
}

/**
 * Xero's validation words, from a ValidationException (`Elements[].ValidationErrors[].Message`),
 * a batch answer with `summarizeErrors=false` (per-element `ValidationErrors`), or a plain `Message`.
 */
export function validationMessagesOf(body: unknown): { messages: string[]; elementErrors: XeroElementError[] } {
  const messages: string[] = [];
  const elementErrors: XeroElementError[] = [];
  if (!body || typeof body !== 'object') return { messages, elementErrors };
  const record = body as Record<string, unknown>;
  const elements = Array.isArray(record.Elements) ? record.Elements : envelopeItems(record);
  elements.forEach((element, index) => {
    const fields = element && typeof element === 'object' ? (element as Record<string, unknown>) : {};
    const errors = Array.isArray(fields.ValidationErrors) ? fields.ValidationErrors : [];
    const own = errors
      .map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>).Message : undefined))
      .filter((m): m is string => typeof m === 'string' && m !== '');
    // An element of a batch answer says it was refused (HasErrors, StatusAttributeString ERROR) even when it gives no reason.
    const refused = own.length > 0 || fields.HasErrors === true || fields.StatusAttributeString === 'ERROR';
    if (!refused) return;
    elementErrors.push({ index, messages: own });
    for (const m of own) if (!messages.includes(m)) messages.push(m);
  });
  if (messages.length === 0 && typeof record.Message === 'string' && record.Type !== undefined && record.Message !== 'A validation exception occurred') {
    messages.push(record.Message);
  }
  return { messages, elementErrors };
}

function envelopeItems(record: Record<string, unknown>): unknown[] {
  for (const [key, value] of Object.entries(record)) if (key !== 'Warnings' && Array.isArray(value)) return value;
  return [];
}
