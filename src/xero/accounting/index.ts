export {
  XeroAccountingClient,
  DEFAULT_MAX_WAIT_SECONDS,
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_BINARY_BYTES,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_DOCUMENT,
  MAX_WRITE_BODY_BYTES,
  RECOMMENDED_BATCH_SIZE,
  DEFAULT_ACCOUNTING_TIMEOUT_MS,
} from './client';
export type {
  XeroAccountingClientOptions,
  XeroApiBase,
  XeroFormUpload,
  XeroPaging,
  XeroScopeContext,
  XeroBinary,
  XeroDownloadOptions,
  XeroListOptions,
  XeroMethod,
  XeroPage,
  XeroQuery,
  XeroRequestOptions,
  XeroResponse,
  XeroUploadOptions,
} from './client';
export { convertXeroDates, convertXeroDatesInJson, fromXeroDate, fromXeroDateString, ifModifiedSinceHeader, toXeroDate, type DateMode } from './dates';
export { elementRefusal, XeroApiError, XeroRequestError, validationMessagesOf, type XeroApiErrorDetails, type XeroElementError } from './errors';
export { deriveIdempotencyKey, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency';
export { readRateLimits, type XeroLimits } from './limits';
export {
  ACCOUNTING_BASE_PATH,
  apiPath,
  decodeUrlPath,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  PAGED_ENDPOINTS,
  pathSegmentProblem,
  recordsOf,
  XERO_REPORTS,
  type XeroReportName,
} from './paths';
export { staticTokenSource, tokenSourceFor, type TokenEngineLike, type XeroTokenSource } from './token-source';
