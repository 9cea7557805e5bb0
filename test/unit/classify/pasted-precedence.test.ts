/**
 * The precedence rule for what people paste: an explicit status or code in the input wins over words,
 * an implied status is never reported as if Xero had sent it, and the new readings do not take
 * Xero's own fields for something else.
 */
import { classifyXeroError } from '../../../src/classify';

describe('an explicit status or code wins over words', () => {
  it('a status field beats the exception class and the reason phrase', () => {
    expect(classifyXeroError({ statusCode: 500, message: 'ForbiddenException: Forbidden' })).toMatchObject({ category: 'server_error', httpStatus: 500 });
  });

  it('a status written in the text beats an exception class elsewhere in it', () => {
    expect(classifyXeroError('XeroPHP\\Remote\\Exception\\NotFoundException: [403] Client error: resulted in a `403 Forbidden` response')).toMatchObject({
      category: 'forbidden',
      httpStatus: 403,
    });
  });

  it('a rate-limit header beats the status the words imply', () => {
    expect(classifyXeroError("ValidationException: HTTP response headers: HTTPHeaderDict({'X-Rate-Limit-Problem': 'concurrent'})")).toMatchObject({
      category: 'rate_limit_concurrent',
      action: 'wait_and_retry',
    });
  });

  it('a network code field beats a timeout word in the message', () => {
    expect(classifyXeroError({ code: 'ECONNREFUSED', message: 'TimeoutError while connecting' })).toMatchObject({ category: 'network_error', action: 'retry' });
  });
});

describe('implied statuses stay implied', () => {
  it('an exception class decides the category but is not reported as httpStatus', () => {
    expect(classifyXeroError('Uncaught XeroPHP\\Remote\\Exception\\ForbiddenException: You are not permitted to access this resource')).toMatchObject({
      category: 'forbidden',
      httpStatus: null,
    });
  });

  it('the reason phrase alone is read as HTTP writes it, not as an ordinary word', () => {
    expect(classifyXeroError('Forbidden - perhaps check your credentials?').category).toBe('forbidden');
    expect(classifyXeroError('this invoice is forbidden to edit, not found in the list').category).toBe('unknown');
  });
});

describe('what the new readings must not take for something else', () => {
  it('a TLS code under `code` is evidence, not an authorization code to redact', () => {
    const r = classifyXeroError({ code: 'CERT_HAS_EXPIRED', message: 'request to https://api.xero.com/api.xro/2.0/Invoices failed' });
    expect(r).toMatchObject({ category: 'tls_error', action: 'fix_configuration', source: 'network', severity: 'critical' });
  });

  it('OAuth 1.0a certificate_expired is still its own row', () => {
    expect(
      classifyXeroError('oauth_problem=signature_method_rejected&oauth_problem_advice=No certificates have been registered for the consumer').category,
    ).toBe('certificate_expired');
  });

  it('a TLS failure named after an HTTP response arrived is not the answer: the response is', () => {
    expect(classifyXeroError({ statusCode: 401, body: { Detail: 'TokenExpired' }, note: 'retried after certificate has expired warnings' }).category).toBe(
      'access_token_expired',
    );
  });

  it('clock times in prose are not read as key: value pairs', () => {
    expect(classifyXeroError('TokenExpired: token expired at 04/29/2020 09:22:02').category).toBe('access_token_expired');
  });
});
