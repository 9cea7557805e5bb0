/**
 * Issue 28: the reader recognises kinds of pasted text, not the strings the issue quoted. Each kind
 * in more wordings than the corpus holds (test/fixtures/corpus/pasted.jsonl has the real ones, with
 * sources), and what each kind must not take for itself.
 */
import { classifyXeroError, type Classification } from '../../../src/classify';

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const read = (text: string): Classification => classifyXeroError(text, { now: NOW });
type Row = [text: string, expected: Partial<Classification>];

function table(rows: Row[]): void {
  it.each(rows)('%s', (text, expected) => {
    expect(read(text)).toMatchObject(expected);
  });
}

describe('TLS failures in any runtime’s words are tls_error (fix_configuration)', () => {
  const tls: Partial<Classification> = { category: 'tls_error', action: 'fix_configuration', source: 'network' };
  table([
    ['The remote certificate is invalid according to the validation procedure.', tls],
    ['The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot', tls],
    ['System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception.', tls],
    ['SslPolicyErrors: RemoteCertificateNameMismatch, RemoteCertificateChainErrors', tls],
    ['The certificate chain was issued by an authority that is not trusted.', tls],
    ['javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target', tls],
    ['java.security.cert.CertPathValidatorException: validity check failed', tls],
    ['javax.net.ssl.SSLPeerUnverifiedException: No subject alternative DNS name matching api.xero.com found.', tls],
    ['Post "https://identity.xero.com/connect/token": x509: certificate signed by unknown authority', tls],
    ['tls: failed to verify certificate: x509: certificate is valid for proxy.corp, not api.xero.com', tls],
    [
      "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'api.xero.com'",
      tls,
    ],
    ["CertificateError: hostname 'api.xero.com' doesn't match 'proxy.corp'", tls],
    ['curl: (60) SSL certificate problem: certificate has expired', tls],
    ["curl: (51) SSL: certificate subject name 'proxy.corp' does not match target host name 'api.xero.com'", tls],
    ['curl: (77) error setting certificate verify locations: CAfile: /etc/ssl/certs/ca-certificates.crt', tls],
    ['schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by an authority that is not trusted.', tls],
    ['NET::ERR_CERT_AUTHORITY_INVALID', tls],
    ['The server presented an untrusted certificate.', tls],
  ]);
});

describe('DNS: a name that does not exist is network_error with fix_configuration; one that cannot resolve now, retry', () => {
  const gone: Partial<Classification> = { category: 'network_error', action: 'fix_configuration', retryable: false };
  const now: Partial<Classification> = { category: 'network_error', action: 'retry', retryable: true };
  table([
    ['socket.gaierror: [Errno -2] Name or service not known', gone],
    ['getaddrinfo ENOTFOUND api.xero.com', gone],
    ['curl: (6) Could not resolve host: api.xero.com', gone],
    ["cURL error 6: Couldn't resolve host 'api.xero.com'", gone],
    ['System.Net.Sockets.SocketException (11001): No such host is known.', gone],
    ['dial tcp: lookup api.xero.com: no such host', gone],
    ['java.net.UnknownHostException: api.xero.com', gone],
    ['nodename nor servname provided, or not known', gone],
    ["The remote name could not be resolved: 'api.xero.com'", gone],
    ['status: NXDOMAIN for api.xero.com', gone],
    ['socket.gaierror: [Errno -3] Temporary failure in name resolution', now],
    ['getaddrinfo EAI_AGAIN api.xero.com', now],
    [
      'This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server.',
      now,
    ],
    ['dial tcp: lookup api.xero.com on 127.0.0.53:53: server misbehaving', now],
  ]);

  it('says which: the ENOTFOUND texts name DNS settings, the temporary ones a retry', () => {
    expect(read('Name or service not known').summary).toMatch(/host name did not resolve/);
    expect(read('Temporary failure in name resolution').advice).toMatch(/^Try again in a moment/);
  });
});

describe("other SDKs' names for a status are read as that status (implied, never reported as httpStatus)", () => {
  table([
    ["Operation returned an invalid status code 'NotFound'", { category: 'not_found', httpStatus: null }],
    ['Net::HTTPNotFound', { category: 'not_found' }],
    ['org.springframework.web.client.HttpClientErrorException$NotFound', { category: 'not_found' }],
    ['javax.ws.rs.NotFoundException: HTTP 404 Not Found', { category: 'not_found', httpStatus: 404 }],
    ['XeroGateway::ObjectNotFound', { category: 'not_found' }],
    ['google.api_core.exceptions.NotFound', { category: 'not_found' }],
    ['HttpStatus.NOT_FOUND', { category: 'not_found' }],
    ['Net::HTTPTooManyRequests', { category: 'rate_limited' }],
    ['HttpStatusCode.ServiceUnavailable', { category: 'service_unavailable' }],
    ["StatusCode: 'BadRequest'", { category: 'validation_error' }],
  ]);

  it('a local file or permission problem is not taken for Xero’s answer', () => {
    expect(read("FileNotFoundError: [Errno 2] No such file or directory: 'rules.json'").category).toBe('unknown');
    expect(read('System.UnauthorizedAccessException: Access to the path is denied.').category).toBe('unknown');
    expect(read('the invoice was not found in the list').category).toBe('unknown');
  });
});

describe('OAuth 1.0a problems outside oauth_problem=', () => {
  table([
    ['Xeroizer::OAuth::UnknownError: timestamp_refused', { category: 'clock_skew', source: 'oauth1', oauthProblem: 'timestamp_refused' }],
    ['com.xero.api.XeroApiException: consumer_key_unknown - Unknown Consumer', { category: 'invalid_client', oauthProblem: 'consumer_key_unknown' }],
    ['problem: signature_method_rejected', { category: 'certificate_expired' }],
    ['WARN oauth token_rejected for tenant 42', { category: 'access_revoked' }],
    ['The timestamp is too old, it must be at most 300 seconds before the server’s current date and time', { category: 'clock_skew', oauthProblem: null }],
    ['Expired timestamp, yours 1378850423, ours 1378878830 (threshold 300).', { category: 'clock_skew' }],
    ['OAuth Error: Failed to validate signature', { category: 'signature_invalid', action: 'fix_configuration' }],
    ['The nonce value "k2j3h4" has already been used', { category: 'nonce_reused', action: 'retry' }],
    ['Nonce has already been used. Make sure your nonces are reasonably random', { category: 'nonce_reused' }],
    ['Unknown Consumer (Realm: , Key: ABC)', { category: 'invalid_client' }],
  ]);

  it('the same words in other contexts are not OAuth 1.0a', () => {
    expect(read('JsonWebTokenError: invalid signature').category).toBe('unknown');
    expect(read('my_timestamp_refused_flag is set').oauthProblem).toBeNull();
  });
});

describe('the connection limit in people’s words, and the certification requirement before tiers', () => {
  const limit: Partial<Classification> = { category: 'connection_limit_reached', action: 'fix_configuration' };
  table([
    ['I had reached the limit of connections', limit],
    ['Connection limit reached', limit],
    ['too many connected organisations', limit],
    ['Too many Xero organizations are connected to this app: too many organizations', limit],
    ['The app hit its connection cap', limit],
    ['we are hitting Xero’s connection limit', limit],
    ['Redirected to https://authorize.xero.com/connectionLimit?appName=Acme', limit],
    ['your app has reached the max number of allowed organisation connections', limit],
    ['Maximum number of tenants already connected', limit],
    ['Acme needs to complete certification before they can connect to more Xero organisations', limit],
    ['Uncertified apps are limited to 25 connections', limit],
  ]);

  it("a database pool's limit is not Xero's", () => {
    expect(read('FATAL: sorry, too many clients already').category).toBe('unknown');
    expect(read('Too many connections').category).toBe('unknown');
    expect(read('HikariPool-1 - reached the maximum number of connections').category).toBe('unknown');
  });
});

describe('two statuses in prose', () => {
  it('the received status is reported, not the expected one, and a status field still wins over prose', () => {
    expect(read('expected status 200 but got 403')).toMatchObject({ category: 'forbidden', httpStatus: 403 });
    expect(classifyXeroError({ statusCode: 500, message: 'expected 200 but got 404' })).toMatchObject({ category: 'server_error', httpStatus: 500 });
  });

  it('numbers that are not statuses, and a lone expectation, are not read as two statuses', () => {
    expect(read('expected 3 invoices but got 2').category).toBe('unknown');
    expect(read('the total was 500 not 450').category).toBe('unknown');
    expect(read('I got 300 invoices back').httpStatus).toBeNull();
  });

  it('.NET’s EnsureSuccessStatusCode names the status in words', () => {
    expect(read('Response status code does not indicate success: 401 (Unauthorized).')).toMatchObject({ category: 'access_token_invalid', httpStatus: 401 });
  });
});

describe('headers printed as Ruby, PHP or Go print them', () => {
  it('a Ruby hash with a Retry-After date is measured against now', () => {
    expect(read('HTTP status code: 429\nResponse headers: {"retry-after"=>"Tue, 10 Mar 2026 12:01:30 GMT", "x-rate-limit-problem"=>"minute"}')).toMatchObject({
      category: 'rate_limit_minute',
      retryAfterSeconds: 90,
    });
  });

  it("a header's name without a value of its shape is not read as the header", () => {
    const r = read('status 429; "x-rate-limit-problem"=>"", "retry-after"=>"soon"');
    expect(r).toMatchObject({ category: 'rate_limited', retryAfterSeconds: null, rateLimitProblem: null });
  });

  it('a Ruby hash of a Problem Details body is read like the JSON', () => {
    expect(read('{"Type"=>nil, "Title"=>"Forbidden", "Status"=>403, "Detail"=>"AuthenticationUnsuccessful"}')).toMatchObject({
      category: 'tenant_access_denied',
      httpStatus: 403,
      xeroDetail: 'AuthenticationUnsuccessful',
    });
  });
});
