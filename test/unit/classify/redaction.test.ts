import { classifyXeroError, classifyXeroErrorAsync } from '../../../src/classify';
import { CANARY, leaked } from './canaries';

const C = CANARY;

const INPUTS: [string, unknown][] = [
  [
    'token response echoed in a body',
    {
      statusCode: 400,
      url: 'https://identity.xero.com/connect/token',
      body: { error: 'invalid_grant', access_token: C.accessJwt, refresh_token: C.refreshHex, id_token: C.accessJwt },
    },
  ],
  [
    'Authorization headers, any case',
    {
      status: 401,
      headers: { AUTHORIZATION: `Bearer ${C.accessJwt}`, 'Proxy-Authorization': `Basic ${C.basic}` },
      body: { Detail: 'AuthenticationUnsuccessful' },
    },
  ],
  [
    'raw request headers in a string',
    `POST /connect/token HTTP/1.1\nAuthorization: Basic ${C.basic}\n\nrefresh_token=${C.refreshHex}&grant_type=refresh_token\n\nHTTP/1.1 400 Bad Request\n{"error":"invalid_grant"}`,
  ],
  [
    'nested JSON string in an n8n description',
    {
      error: {
        message: 'Bad request',
        description: `400 - ${JSON.stringify(JSON.stringify({ error: 'invalid_client', error_description: `client_secret ${C.clientSecret} is wrong`, client_secret: C.clientSecret }))}`,
        httpCode: '400',
      },
    },
  ],
  ['callback URL with the authorization code', `https://n8n.example.com/rest/oauth2-credential/callback?code=${C.authCode}&state=abc&error=access_denied`],
  ['URL-encoded form body with secrets', `grant_type=refresh_token&refresh_token=${C.refreshHex}&client_id=ABC&client_secret=${C.clientSecret}`],
  [
    'Detail that quotes the token',
    { status: 401, body: { Title: 'Unauthorized', Status: 401, Detail: `TokenExpired: token ${C.accessJwt} expired at 04/29/2020 09:22:02` } },
  ],
  [
    'error_description that quotes a refresh token',
    { status: 400, body: { error: 'invalid_grant', error_description: `refresh token ${C.refreshHex} was already used` } },
  ],
  [
    'OAuth1 advice quoting a session handle',
    `oauth_problem=token_rejected&oauth_problem_advice=Token ${C.sessionHandle} does not match an expected REQUEST token`,
  ],
  [
    'prose with a pasted JWT and secret',
    `Hi, we use access token ${C.accessJwt} and secret ${C.clientSecret} and Xero says "Detail":"AuthenticationUnsuccessful"`,
  ],
  [
    'n8n credential data in an Error Trigger item',
    {
      execution: { error: { message: 'The credential "Xero" needs to be reconnected.', description: `Refresh with ${C.refreshHex} failed` } },
      workflow: { id: '1' },
      credentials: { oauthTokenData: { access_token: C.accessJwt, refresh_token: C.refreshHex }, clientSecret: C.clientSecret, password: C.password },
    },
  ],
  [
    'validation message carrying a secret',
    { statusCode: 400, body: { Type: 'ValidationException', Elements: [{ ValidationErrors: [{ Message: `Reference ${C.clientSecret} is too long` }] }] } },
  ],
  [
    'a short password under a secret name, echoed in the detail',
    { status: 400, body: { password: C.password, Detail: `password ${C.password} is not valid` } },
  ],
  [
    'HTML page with a token in a hidden field',
    `<html><body><p>Error: unauthorized_client : Invalid redirect_uri</p><input type="hidden" name="code" value="${C.authCode}"><p>code=${C.authCode}</p></body></html>`,
  ],
  [
    'an Error with secrets in message and cause',
    Object.assign(new Error(`request with Bearer ${C.accessJwt} failed`), {
      cause: { config: { headers: { Authorization: `Bearer ${C.accessJwt}` }, data: `refresh_token=${C.refreshHex}` }, code: 'ECONNRESET' },
    }),
  ],
  ['correlation id header holding a secret', { status: 500, headers: { 'xero-correlation-id': C.clientSecret, 'x-rate-limit-problem': C.clientSecret } }],
];

describe('redaction: nothing secret-looking from the input appears in any output field', () => {
  it.each(INPUTS)('%s', async (_name, input) => {
    const sync = classifyXeroError(input);
    expect(leaked(sync)).toEqual([]);
    expect(leaked(await classifyXeroErrorAsync(input))).toEqual([]);
  });

  it('keeps the useful words around what it removes', () => {
    const r = classifyXeroError(INPUTS[6][1]);
    expect(r.category).toBe('access_token_expired');
    expect(r.xeroDetail).toBe('TokenExpired: token [redacted] expired at 04/29/2020 09:22:02');
  });

  it('still classifies what it redacts', () => {
    expect(classifyXeroError(INPUTS[0][1]).category).toBe('refresh_token_invalid');
    expect(classifyXeroError(INPUTS[3][1]).category).toBe('invalid_client');
    expect(classifyXeroError(INPUTS[13][1]).category).toBe('redirect_uri_mismatch');
  });

  it('does not take ordinary words and GUIDs for secrets', () => {
    const r = classifyXeroError({
      status: 401,
      headers: { 'xero-correlation-id': 'b4f6c2d0-1f2e-4c3b-9a8d-7e6f5a4b3c2d' },
      body: { Detail: 'AuthenticationUnsuccessful' },
    });
    expect(r.xeroDetail).toBe('AuthenticationUnsuccessful');
    expect(r.correlationId).toBe('b4f6c2d0-1f2e-4c3b-9a8d-7e6f5a4b3c2d');
  });
});
