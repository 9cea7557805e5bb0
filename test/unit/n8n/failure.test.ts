import { NodeOperationError } from 'n8n-workflow';
import { failureOfError } from '../../../nodes/shared/failure';
import { toNodeError } from '../../../nodes/shared/node-support';
import { ConnectionBusyError, ConnectionStateError, TokenEndpointRateLimitedError } from '../../../src/engine';
import { LedgerCorruptError, LedgerKeyError, LedgerUnavailableError } from '../../../src/errors';
import { NODE } from './n8n-fixture';

/** n8n's failure cause on every error our nodes throw, from the one mapping in nodes/shared/failure.ts. */
describe('n8n failure causes', () => {
  const KEY = 'xero:CLIENT:0123456789abcdef';

  it.each([
    [new ConnectionStateError(KEY, 'needs_reauth', 'invalid_grant.'), { cause: 'credential-invalid' }],
    [new ConnectionStateError(KEY, 'superseded', 'newer'), { cause: 'credential-invalid' }],
    [new ConnectionStateError(KEY, 'misconfigured', 'invalid_client.'), { cause: 'configuration-invalid' }],
    [new ConnectionBusyError(KEY, 1000), { cause: 'temporarily-unavailable' }],
    [new TokenEndpointRateLimitedError(KEY, 30), { cause: 'rate-limited', retryAfterMs: 30_000 }],
    [new LedgerKeyError('sealed elsewhere'), { cause: 'configuration-invalid' }],
    [new LedgerCorruptError('bad file'), { cause: 'configuration-invalid' }],
    [new LedgerUnavailableError('down', true), { cause: 'temporarily-unavailable' }],
  ])('%s', (error, failure) => {
    expect(failureOfError(error)).toEqual(failure);
    const nodeError = toNodeError({ ...NODE, credentials: { xeroGuardOAuth2Api: { id: '1', name: 'Acme books' } } }, error);
    expect(nodeError).toBeInstanceOf(NodeOperationError);
    expect(nodeError.failure).toEqual(failure);
    expect(nodeError.message).not.toContain(KEY);
  });

  it('classifies errors without a code: a Xero 429 for the day is quota-exhausted with its wait', () => {
    const error = { statusCode: 429, headers: { 'retry-after': '120', 'x-rate-limit-problem': 'day' }, body: '', source: 'api' };
    expect(failureOfError(error)).toEqual({ cause: 'quota-exhausted', retryAfterMs: 120_000 });
    expect(failureOfError(new Error('something nobody knows'))).toBeUndefined();
  });

  it('names the credential in the message of an engine error', () => {
    const error = toNodeError(
      { ...NODE, credentials: { xeroGuardOAuth2Api: { id: '1', name: 'Acme books' } } },
      new ConnectionStateError(KEY, 'needs_reauth', 'invalid_grant.'),
    );
    expect(error.message).toMatch(/^The Xero credential "Acme books" needs to be reconnected/);
    expect(error.description).toMatch(/"Switch account"/);
  });
});
