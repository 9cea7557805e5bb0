import { tokenExpiredAt } from './formats';
import { empty, html, json, text, type SimResponse } from './http-kit';

/**
 * Xero's error answers, shaped from its documents and recorded traffic (notes/xero-facts.md).
 * The correlation id goes in `Instance` as Xero does; the server sets the header to the same value.
 */

const problem = (status: number, title: string, detail: string, correlationId: string, headers: Record<string, string> = {}): SimResponse =>
  json(status, { Type: null, Title: title, Status: status, Detail: detail, Instance: correlationId, Extensions: {} }, headers);

const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer error=invalid_token' };

export const tokenExpired = (expiredAt: number, correlationId: string): SimResponse =>
  problem(401, 'Unauthorized', `TokenExpired: token expired at ${tokenExpiredAt(expiredAt)}`, correlationId, INVALID_TOKEN);

export const authenticationUnsuccessful = (correlationId: string): SimResponse =>
  problem(401, 'Unauthorized', 'AuthenticationUnsuccessful', correlationId, INVALID_TOKEN);

/** A valid token without the scope the endpoint needs. */
export const authorizationUnsuccessful = (correlationId: string): SimResponse => problem(401, 'Unauthorized', 'AuthorizationUnsuccessful', correlationId);

/** The xero-tenant-id is missing, wrong, or not connected for this token. */
export const forbiddenTenant = (correlationId: string): SimResponse => problem(403, 'Forbidden', 'AuthenticationUnsuccessful', correlationId);

export const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Xero | Page not found</title></head>
<body>
<h1>Page not found</h1>
<p>The resource you're looking for cannot be found</p>
</body>
</html>
`;

export const notFound = (): SimResponse => html(404, NOT_FOUND_PAGE);

export type RateLimitProblem = 'minute' | 'day' | 'concurrent' | 'appminute';
export const RATE_LIMIT_PROBLEMS: readonly RateLimitProblem[] = ['minute', 'day', 'concurrent', 'appminute'];

export interface RateLimitHeaders {
  'X-MinLimit-Remaining'?: string;
  'X-DayLimit-Remaining'?: string;
  'X-AppMinLimit-Remaining'?: string;
}

/** 429 has an empty body: everything is in the headers. */
export const tooManyRequests = (problemKind: RateLimitProblem, retryAfterSeconds: number, remaining: RateLimitHeaders): SimResponse =>
  empty(429, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))), 'X-Rate-Limit-Problem': problemKind, ...remaining });

export type OfflineKind = 'maintenance' | 'unavailable' | 'organisation-offline';

export const OFFLINE_TEXT: Record<OfflineKind, string> = {
  maintenance: 'The Xero API is currently offline for maintenance',
  unavailable: 'The Xero API is temporarily unavailable',
  'organisation-offline': 'The Organisation is offline',
};

export const serviceUnavailable = (kind: OfflineKind): SimResponse => text(503, OFFLINE_TEXT[kind]);

export const validationException = (message: string): SimResponse =>
  json(400, {
    ErrorNumber: 10,
    Type: 'ValidationException',
    Message: 'A validation exception occurred',
    Elements: [{ ValidationErrors: [{ Message: message }] }],
  });

/** Token-endpoint errors: a bare `{"error": ...}`, with a description only where Xero sends one. */
export const oauthError = (error: string, description?: string): SimResponse =>
  json(400, description ? { error, error_description: description } : { error }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
