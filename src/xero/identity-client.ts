import { systemClock, type Clock } from '../clock';
import { resolveEndpoints, type XeroEndpoints } from './endpoints';
import { createPkcePair, createState } from './pkce';
import { parseTokenResponse, type TokenResult } from './token-response';
import { fetchTransport, RedirectRefusedError, ResponseTooLargeError, TransportError, type HttpResponse, type HttpTransport } from './transport';

/** Failures before a connection existed: the request cannot have reached Xero, so nothing was spent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Xero accepts both; Basic is what its docs show first. */
export type ClientAuthStyle = 'basic' | 'body';

export interface IdentityClientOptions {
  endpoints?: Partial<XeroEndpoints>;
  transport?: HttpTransport;
  clock?: Clock;
  clientAuth?: ClientAuthStyle;
  timeoutMs?: number;
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  codeVerifier: string;
}

export type RevokeResult = { ok: true } | { ok: false; message: string; httpStatus?: number };

/** The wire client for Xero's identity service: the only code that knows its URLs and form fields. */
export class XeroIdentityClient {
  readonly endpoints: XeroEndpoints;
  private readonly transport: HttpTransport;
  private readonly clock: Clock;
  private readonly clientAuth: ClientAuthStyle;
  private readonly timeoutMs?: number;

  constructor(options: IdentityClientOptions = {}) {
    this.endpoints = resolveEndpoints(options.endpoints);
    this.transport = options.transport ?? fetchTransport;
    this.clock = options.clock ?? systemClock;
    this.clientAuth = options.clientAuth ?? 'basic';
    this.timeoutMs = options.timeoutMs;
  }

  createAuthorizationRequest(params: { clientId: string; redirectUri: string; scopes: string[]; state?: string }): AuthorizationRequest {
    if (!params.clientId) throw new Error('Cannot build the Xero authorize URL: the client id is empty (copy it from the Xero app settings)');
    const { codeVerifier, codeChallenge } = createPkcePair();
    const state = params.state ?? createState();
    const url = new URL(this.endpoints.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', params.clientId);
    url.searchParams.set('redirect_uri', params.redirectUri);
    url.searchParams.set('scope', params.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return { url: url.toString(), state, codeVerifier };
  }

  exchangeCode(client: ClientCredentials, params: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenResult> {
    const form: Record<string, string> = { grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri };
    if (params.codeVerifier) form.code_verifier = params.codeVerifier;
    return this.tokenCall(client, form, true);
  }

  refresh(client: ClientCredentials, refreshToken: string): Promise<TokenResult> {
    return this.tokenCall(client, { grant_type: 'refresh_token', refresh_token: refreshToken }, true);
  }

  clientCredentials(client: ClientCredentials, scopes: string[] = []): Promise<TokenResult> {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (scopes.length > 0) form.scope = scopes.join(' ');
    return this.tokenCall(client, form, false);
  }

  async revoke(client: ClientCredentials, refreshToken: string): Promise<RevokeResult> {
    let response: HttpResponse;
    try {
      response = await this.post(this.endpoints.revocationUrl, client, { token: refreshToken });
    } catch (error) {
      return { ok: false, message: error instanceof TransportError ? error.message : 'Revocation request failed' };
    }
    if (response.status === 200) return { ok: true };
    return { ok: false, httpStatus: response.status, message: `Xero's revocation endpoint answered HTTP ${response.status}` };
  }

  private async tokenCall(client: ClientCredentials, form: Record<string, string>, requireRefreshToken: boolean): Promise<TokenResult> {
    let response: HttpResponse;
    try {
      response = await this.post(this.endpoints.tokenUrl, client, form);
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      if (error instanceof RedirectRefusedError) {
        // Xero's token endpoint answers a token request itself, never with a redirect: whatever redirected
        // was not Xero, so nothing Xero issued was spent, and the chain is left as it is for when the URL is fixed.
        return { ok: false, error: { kind: 'network', outcomeUnknown: false, networkCode: error.code, httpStatus: error.status, message: error.message } };
      }
      if (NEVER_CONNECTED.has(error.code)) {
        return {
          ok: false,
          error: {
            kind: 'network',
            outcomeUnknown: false,
            networkCode: error.code,
            message: `Xero's token endpoint could not be reached (${error.code}), so the refresh token was not used; check the network, DNS and the token URL.`,
          },
        };
      }
      if (error instanceof ResponseTooLargeError) {
        return {
          ok: false,
          error: { kind: 'network', outcomeUnknown: true, networkCode: error.code, message: `${error.message} The refresh may or may not have happened.` },
        };
      }
      const timeout = error.code === 'ETIMEDOUT';
      return {
        ok: false,
        error: {
          kind: timeout ? 'timeout' : 'network',
          outcomeUnknown: true,
          networkCode: error.code,
          message: timeout
            ? `Xero's token endpoint did not answer in time; the refresh may or may not have happened.`
            : `The connection to Xero's token endpoint failed (${error.code}); the refresh may or may not have happened.`,
        },
      };
    }
    return parseTokenResponse(response, { now: this.clock.now(), requireRefreshToken });
  }

  private post(url: string, client: ClientCredentials, form: Record<string, string>): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const body = new URLSearchParams(form);
    if (this.clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    } else {
      body.set('client_id', client.clientId);
      body.set('client_secret', client.clientSecret);
    }
    return this.transport({ method: 'POST', url, headers, body: body.toString(), timeoutMs: this.timeoutMs });
  }
}
