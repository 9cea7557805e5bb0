/**
 * The local Xero for e2e tests, and the credential and workflow shapes that point real n8n at it.
 * Field names follow credentials/XeroGuardOAuth2Api.credentials.ts (read by nodes/shared/guarded-session.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { OffsetClock, MINUTE } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator, type SimulatorTokenResponse } from '../../src/simulator';
import { N8N_CREDENTIAL_TYPE } from '../../src/host/credential-type';
import type { ChangeItem, EventItem, XeroEvent } from '../../src/events';
import { webhookInto } from './workflows';

export const CREDENTIAL_TYPE = N8N_CREDENTIAL_TYPE;
export const PACKAGE = 'n8n-nodes-xero-guard';

export async function startE2eSimulator(): Promise<{ sim: Simulator; clock: OffsetClock }> {
  const clock = new OffsetClock();
  const sim = await startSimulator({ host: '127.0.0.1', clock });
  return { sim, clock };
}

/**
 * n8n's engine inside the n8n process reads the real clock; the simulator's clock can be jumped.
 * To get a connect-time token that is expired for both, the grant is issued while the simulator's
 * clock stands 31 minutes in the past, and the clock then jumps forward 31 minutes to real time:
 * the simulator and the engine then agree that the access token expired a minute ago.
 */
export function seedExpiredGrant(sim: Simulator, clock: OffsetClock, email?: string): SimulatorTokenResponse {
  clock.advance(-31 * MINUTE);
  try {
    return sim.seedGrant(email ? { email } : {});
  } finally {
    clock.advance(31 * MINUTE);
  }
}

export function randomCredentialId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The credential as "Connect my account" would have left it, with the simulator's endpoints.
 * `scopes`: what its Scopes field shows (the scopes picked before connecting; the grant should hold them).
 */
export function credentialFor(
  sim: Simulator,
  tokens: SimulatorTokenResponse,
  opts: { id?: string; name?: string; scopes?: readonly string[] } = {},
): { id: string; name: string; type: string; data: Record<string, unknown> } {
  return {
    id: opts.id ?? randomCredentialId(),
    name: opts.name ?? `Xero simulator ${randomBytes(3).toString('hex')}`,
    type: CREDENTIAL_TYPE,
    data: {
      grantType: 'pkce',
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      useCustomEndpoints: true,
      customAuthUrl: sim.authorizeUrl,
      customAccessTokenUrl: sim.tokenUrl,
      apiBaseUrl: sim.apiUrl,
      ledger: 'auto',
      ...(opts.scopes ? { xeroScopes: [...opts.scopes] } : {}),
      oauthTokenData: { ...tokens },
    },
  };
}

/**
 * n8n's own Xero credential (`xeroOAuth2Api`) as "Connect my account" leaves it: its token URL stays
 * Xero's, so nothing refreshes it; its api.xero.com calls reach the simulator through the host proxy.
 */
export function nativeXeroCredentialFor(
  tokens: SimulatorTokenResponse,
  name = 'Xero (n8n)',
): { id: string; name: string; type: string; data: Record<string, unknown> } {
  return {
    id: randomCredentialId(),
    name,
    type: 'xeroOAuth2Api',
    data: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, oauthTokenData: { ...tokens } },
  };
}

/** Token endpoint calls the simulator has seen. */
export const tokenCalls = (sim: Simulator): number => sim.stats().tokenCalls;

/** Every token the simulator ever issued for the grant of this connect-time token set (to prove none leaks). */
export function tokensOfGrant(sim: Simulator, initial: SimulatorTokenResponse): string[] {
  const tokens = new Set<string>([initial.access_token, initial.refresh_token ?? '', initial.id_token ?? ''].filter(Boolean));
  let grantId: string | undefined;
  for (const e of sim.log()) {
    if (e.type === 'token-issued' && (e.accessToken === initial.access_token || e.refreshToken === initial.refresh_token)) grantId = e.grantId;
  }
  for (const e of sim.log()) {
    if (e.type === 'token-issued' && e.grantId === grantId) {
      tokens.add(e.accessToken);
      if (e.refreshToken) tokens.add(e.refreshToken);
    }
  }
  return [...tokens];
}

/** A production-webhook workflow: Webhook -> HTTP Request (predefined credential type xeroGuardOAuth2Api) -> response. */
export function httpRequestWorkflow(opts: {
  name: string;
  path: string;
  url: string;
  credential: { id: string; name: string };
  tenantId?: string;
}): Record<string, unknown> {
  return webhookInto(opts.name, opts.path, {
    name: 'Xero',
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    parameters: {
      method: 'GET',
      url: opts.url,
      authentication: 'predefinedCredentialType',
      nodeCredentialType: CREDENTIAL_TYPE,
      sendHeaders: opts.tenantId !== undefined,
      headerParameters: {
        parameters:
          opts.tenantId !== undefined
            ? [
                { name: 'xero-tenant-id', value: opts.tenantId },
                { name: 'Accept', value: 'application/json' },
              ]
            : [],
      },
      options: {},
    },
    credentials: { [CREDENTIAL_TYPE]: opts.credential },
  });
}

/** A workflow of one Xero Guard Trigger (the name the tests look its executions up by) on the given credential. */
export function xeroTriggerWorkflow(
  name: string,
  credential: { id: string; name: string },
  parameters: Record<string, unknown>,
): { workflow: Record<string, unknown>; webhookId: string } {
  const webhookId = randomUUID();
  return {
    webhookId,
    workflow: {
      name,
      nodes: [
        {
          id: randomUUID(),
          name: XERO_TRIGGER_NODE,
          type: `${PACKAGE}.xeroGuardTrigger`,
          typeVersion: 1,
          position: [0, 0],
          webhookId,
          parameters,
          credentials: { [CREDENTIAL_TYPE]: credential },
        },
      ],
      connections: {},
      settings: { executionOrder: 'v1' },
    },
  };
}

/** A Xero Guard Trigger's production URL on an n8n (the node's webhook path, WEBHOOK_PATH, is `xero-guard`). */
export function xeroTriggerUrl(n8nUrl: string, webhookId: string): string {
  return `${n8nUrl}/webhook/${webhookId}/xero-guard`;
}

/** The trigger node's name in `xeroTriggerWorkflow`. */
export const XERO_TRIGGER_NODE = 'Xero Guard Trigger';

/** What a Xero Guard Trigger puts out for a webhook or catch-up event (nodes/XeroGuardTrigger/items.ts, eventItem). */
export interface XeroTriggerEventItem {
  eventId: string;
  source: EventItem['source'];
  tenantId: string;
  eventCategory: string;
  eventType: string;
  resourceId: string;
  eventDateUtc: string;
  redelivered: boolean;
  record: Record<string, unknown> | null;
  recordError: EventItem['recordError'];
  event: XeroEvent;
  events: XeroEvent[];
}

/** What a Xero Guard Trigger puts out for a polled change or named event (nodes/XeroGuardTrigger/items.ts, changeItem). */
export interface XeroTriggerChangeItem {
  eventId: string;
  source: 'poll';
  kind: ChangeItem['kind'];
  watch: ChangeItem['watch'];
  tenantId: string;
  recordId: string;
  updatedDateUtc: string;
  redelivered: boolean;
  record: Record<string, unknown>;
}
