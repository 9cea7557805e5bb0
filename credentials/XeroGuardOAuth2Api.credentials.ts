import type {
  ICredentialDataDecryptedObject,
  ICredentialTestRequest,
  ICredentialType,
  IDataObject,
  IHttpRequestHelper,
  Icon,
  INodeProperties,
} from 'n8n-workflow';
import { BASE_SCOPES, DEFAULT_XERO_SCOPES, N8N_CREDENTIAL_TYPE, XERO_SCOPES } from '../src/host';
import { XERO_ENDPOINTS } from '../src/xero';
import { TIER_CHOICES, TIER_SETTING } from '../src/host/tier-setting';
import { accessTokenFor } from '../nodes/shared/guarded-session';
import { adviceOf } from '../nodes/shared/node-support';
import { safeErrorMessage } from '../nodes/shared/safe-error';

const XERO_AUTHORIZE_URL = XERO_ENDPOINTS.authorizeUrl;
const XERO_TOKEN_URL = XERO_ENDPOINTS.tokenUrl;
const XERO_API_URL = XERO_ENDPOINTS.apiUrl;

/**
 * Xero OAuth2 with the token chain owned by Xero Guard's engine. n8n's own "Connect my account"
 * flow stores the first token set; from then on every request asks the engine (preAuthentication)
 * and n8n's reactive refresh is switched off (tokenExpiredStatusCode 0), so one serialized,
 * write-ahead chain exists per connection. Needs n8n 2.20 or newer.
 */
export class XeroGuardOAuth2Api implements ICredentialType {
  name = N8N_CREDENTIAL_TYPE;

  extends = ['oAuth2Api'];

  displayName = 'Xero OAuth2 (Guarded) API';

  icon: Icon = { light: 'file:../icons/xero-guard-credential.svg', dark: 'file:../icons/xero-guard-credential.dark.svg' };

  documentationUrl = 'https://github.com/xero-guard/n8n-nodes-xero-guard/blob/main/docs/n8n.md#the-credential-xero-oauth2-guarded-api-xeroguardoauth2api';

  httpRequestNode = {
    name: 'Xero (Guarded)',
    docsUrl: 'https://developer.xero.com/documentation/api/accounting/overview',
    apiBaseUrl: 'https://api.xero.com/',
  };

  properties: INodeProperties[] = [
    {
      displayName: 'Grant Type',
      name: 'grantType',
      type: 'options',
      options: [
        { name: 'Authorization Code with PKCE (Web App)', value: 'pkce' },
        { name: 'Client Credentials (Custom Connection)', value: 'clientCredentials' },
      ],
      default: 'pkce',
      description:
        'Web App: a Xero user signs in with the "Connect" button of the credential. Custom Connection: a paid Xero app tied to one organisation, with no sign-in and no refresh token.',
    },
    {
      displayName:
        'Create the app at developer.xero.com/app/manage and add the OAuth Redirect URL shown here as its redirect URI. Xero Guard keeps the refresh token alive and rotates it safely; n8n 2.20 or newer is required.',
      name: 'xeroGuardNotice',
      type: 'notice',
      default: '',
      displayOptions: { show: { grantType: ['pkce'] } },
    },
    {
      displayName: 'Scopes',
      name: 'xeroScopes',
      type: 'multiOptions',
      options: XERO_SCOPES.map((scope) => ({ name: scope.label, value: scope.value })),
      default: [...DEFAULT_XERO_SCOPES],
      description:
        'What the connection may do. Left empty, a Web App asks for the default set (invoices, payments, bank transactions, manual journals, attachments, settings, contacts) and a Custom Connection for what its app was given. Apps created from March 2026 must use the granular accounting scopes. offline_access, openid, profile and email are always added for Web Apps.',
    },
    {
      displayName:
        'After changing the scopes, save, then click "Switch account" (or "Connect") so Xero grants them: the connection keeps the scopes of its last sign-in until then.',
      name: 'xeroGuardScopesNotice',
      type: 'notice',
      default: '',
      displayOptions: { show: { grantType: ['pkce'] } },
    },
    {
      displayName: 'Additional Scopes',
      name: 'additionalScopes',
      type: 'string',
      default: '',
      placeholder: 'e.g. accounting.budgets.read',
      description: 'Space-separated scopes not in the list above',
    },
    {
      // Issue 28: the app's Xero tier (src/host/tier-setting.ts says what an empty value means).
      displayName: 'Xero App Tier',
      name: TIER_SETTING,
      type: 'options',
      options: TIER_CHOICES.map((c) => ({ ...c })),
      default: 'starter',
      description:
        "The app's tier at developer.xero.com (new apps start on Starter). Sets the calls per organisation a day Xero Guard budgets for and the connection limit it counts against, and is named when Xero keeps an endpoint (Journals) for a higher tier.",
    },
    {
      displayName: 'Scope',
      name: 'scope',
      type: 'hidden',
      // What Connect and Switch account ask Xero for: requestedScopes (src/host/scopes.ts) in n8n's
      // expression language, an emptied Scopes field meaning the default set with a sign-in (a unit test keeps them in step).
      default: `={{ (($self["grantType"] === "clientCredentials" ? "" : "${BASE_SCOPES.join(' ')} ") + (($self["xeroScopes"] || []).length ? $self["xeroScopes"].join(" ") : $self["grantType"] === "clientCredentials" ? "" : "${DEFAULT_XERO_SCOPES.join(' ')}") + " " + ($self["additionalScopes"] || "")).replace(/[\\s,]+/g, " ").trim() }}`,
    },
    {
      displayName: 'Authorization URL',
      name: 'authUrl',
      type: 'hidden',
      default: `={{ $self["useCustomEndpoints"] && $self["customAuthUrl"] ? $self["customAuthUrl"] : "${XERO_AUTHORIZE_URL}" }}`,
    },
    {
      displayName: 'Access Token URL',
      name: 'accessTokenUrl',
      type: 'hidden',
      default: `={{ $self["useCustomEndpoints"] && $self["customAccessTokenUrl"] ? $self["customAccessTokenUrl"] : "${XERO_TOKEN_URL}" }}`,
    },
    {
      displayName: 'Auth URI Query Parameters',
      name: 'authQueryParameters',
      type: 'hidden',
      default: '',
    },
    {
      displayName: 'Authentication',
      name: 'authentication',
      type: 'hidden',
      default: 'header',
    },
    {
      // Re-declared (the parent's is doNotInherit). 0 is a status no server sends, so n8n never
      // refreshes this credential itself: the engine is the only one rotating the Xero chain.
      displayName: 'Token Expired Status Code',
      name: 'tokenExpiredStatusCode',
      type: 'hidden',
      default: 0,
    },
    {
      displayName: 'Token Ledger',
      name: 'ledger',
      type: 'options',
      options: [
        {
          name: 'Automatic',
          value: 'auto',
          description: "n8n's PostgreSQL database in queue mode or when n8n stores its data there; otherwise a file ledger in n8n's folder",
        },
        { name: 'File Folder', value: 'file', description: 'A folder every n8n process on this host can write' },
        { name: 'PostgreSQL', value: 'postgres', description: "A PostgreSQL database shared by every n8n process (default: n8n's own)" },
        { name: 'Redis', value: 'redis', description: "A persistent Redis shared by every n8n process (default: n8n's queue Redis)" },
        { name: 'Redis Leases + PostgreSQL Data', value: 'redis+postgres', description: 'Leases in Redis, tokens in PostgreSQL' },
      ],
      default: 'auto',
      description:
        "Where Xero Guard keeps the rotating tokens, sealed with n8n's encryption key. Every n8n process using this credential must use the same ledger.",
    },
    {
      displayName: 'Ledger Folder',
      name: 'ledgerFolder',
      type: 'string',
      default: '',
      placeholder: '/home/node/.n8n/xero-guard',
      description: "Leave empty for n8n's folder (<N8N_USER_FOLDER>/.n8n/xero-guard)",
      displayOptions: { show: { ledger: ['file'] } },
    },
    {
      displayName: 'PostgreSQL Connection String',
      name: 'ledgerPostgresUrl',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'postgres://user:password@host:5432/database',
      description: "Leave empty to use n8n's own database (DB_POSTGRESDB_*)",
      displayOptions: { show: { ledger: ['postgres', 'redis+postgres'] } },
    },
    {
      displayName: 'Redis URL',
      name: 'ledgerRedisUrl',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'redis://host:6379/0',
      description: "Leave empty to use n8n's queue Redis (QUEUE_BULL_REDIS_*)",
      displayOptions: { show: { ledger: ['redis', 'redis+postgres'] } },
    },
    {
      displayName: 'Use Custom Xero Endpoints',
      name: 'useCustomEndpoints',
      type: 'boolean',
      default: false,
      description: 'Whether to talk to another Xero-compatible server (a local Xero simulator for testing) instead of Xero. Leave off for real Xero.',
    },
    {
      displayName: 'Custom Authorization URL',
      name: 'customAuthUrl',
      type: 'string',
      default: '',
      placeholder: 'http://127.0.0.1:4010/identity/connect/authorize',
      displayOptions: { show: { useCustomEndpoints: [true] } },
    },
    {
      displayName: 'Custom Access Token URL',
      name: 'customAccessTokenUrl',
      type: 'string',
      default: '',
      placeholder: 'http://127.0.0.1:4010/connect/token',
      displayOptions: { show: { useCustomEndpoints: [true] } },
    },
    {
      displayName: 'Custom API Base URL',
      name: 'apiBaseUrl',
      type: 'string',
      default: '',
      placeholder: 'http://127.0.0.1:4010',
      description: 'Stands for https://api.xero.com: /connections and /api.xro/2.0/... are appended',
      displayOptions: { show: { useCustomEndpoints: [true] } },
    },
    // Xero Guard Trigger (webhook mode): the app's webhook key checks every delivery's signature and names the app's inbox.
    {
      displayName: 'Webhook Key',
      name: 'webhookSecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Only for the Xero Guard Trigger in webhook mode: the "Webhooks key" of your app at developer.xero.com (My Apps, your app, Webhooks). Every delivery is checked against it.',
    },
  ];

  /**
   * Runs before every OAuth2 request n8n makes with this credential (n8n >= 2.20): the engine
   * answers from memory while the access token is fresh, otherwise rotates it under the lease and
   * writes the new set to the ledger before it is used. Nothing returned here is saved by n8n.
   */
  async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
    let accessToken: string;
    try {
      accessToken = await accessTokenFor(credentials);
    } catch (error) {
      // Only the engine's own sentence travels (no token, no stack), then n8n's step to fix it:
      // the HTTP Request node shows only the message.
      throw new Error(`${safeErrorMessage(error, credentials)} ${adviceOf(error)}`);
    }
    const stored = credentials.oauthTokenData && typeof credentials.oauthTokenData === 'object' ? (credentials.oauthTokenData as IDataObject) : {};
    return { oauthTokenData: { ...stored, access_token: accessToken } };
  }

  test: ICredentialTestRequest = {
    request: {
      baseURL: `={{ $credentials.useCustomEndpoints && $credentials.apiBaseUrl ? $credentials.apiBaseUrl.replace(/\\/+$/, "") : "${XERO_API_URL}" }}`,
      url: '/connections',
      method: 'GET',
    },
  };
}
