import { systemClock, type Clock } from '../clock';
import { classifyXeroError } from '../classify/classify';
import type { Classification } from '../classify/types';
import type { ConnectionStatus, TokenEngine } from '../engine/token-engine';
import type { ApiResult, XeroApiClient, XeroTenant } from '../xero/api-client';
import type { CheckedTenant, CheckResult, CheckStatus, TokenHealth } from './types';

export type Classify = (input: unknown) => Classification;

export interface CheckConnectionOptions {
  engine: Pick<TokenEngine, 'getAccessToken' | 'refresh' | 'status' | 'reportRejected'>;
  key: string;
  api: Pick<XeroApiClient, 'getConnections' | 'getOrganisation'>;
  /** When given, the check also reads this organisation (GET Organisation with xero-tenant-id). */
  tenantId?: string;
  classify?: Classify;
  clock?: Clock;
}

/** What an engine or ledger error looks like from outside: XeroGuardError's stable code and message. */
interface CodedError {
  code: string;
  message: string;
  retryable?: boolean;
  retryAfterSeconds?: number;
}

/**
 * One health check of one Xero connection: a token through the engine (refreshing if due), the
 * tenants from /connections, optionally the Organisation of one tenant. Never throws for anything
 * Xero or the engine says; every problem comes back classified, with a status a workflow can route on.
 */
export async function checkConnection(options: CheckConnectionOptions): Promise<CheckResult> {
  const { engine, key, api } = options;
  const classify = options.classify ?? ((input: unknown) => classifyXeroError(input));
  const clock = options.clock ?? systemClock;
  const finish = async (partial: Omit<CheckResult, 'checkedAt' | 'tokenHealth'>): Promise<CheckResult> => ({
    ...partial,
    checkedAt: new Date(clock.now()).toISOString(),
    tokenHealth: await tokenHealthOf(engine, key),
  });
  const fromEngine = (error: unknown) => finish(engineProblem(error, classify));

  let accessToken: string;
  try {
    accessToken = await engine.getAccessToken(key).catch((error: unknown) => {
      // "Busy" (another process held the refresh lease too long, or this one lost it) heals by itself:
      // a watchdog that reported it would post a problem and a "works again" for nothing. Ask once more.
      if ((error as Partial<CodedError> | null)?.code === 'BUSY') return engine.getAccessToken(key);
      throw error;
    });
  } catch (error) {
    return fromEngine(error);
  }

  // Rotates once and lists again; a revoked grant then surfaces as invalid_grant, the precise answer.
  const rotateAndList = async () => {
    await engine.refresh(key, { force: true });
    accessToken = await engine.getAccessToken(key);
    return safeCall(() => api.getConnections(accessToken));
  };
  // Xero refused the token: the engine decides (one refresh across processes if its ledger still holds
  // that token, else only its stale cache is dropped), as every Xero call of our nodes does on a 401.
  const reportAndList = async () => {
    await engine.reportRejected(key, accessToken);
    accessToken = await engine.getAccessToken(key);
    return safeCall(() => api.getConnections(accessToken));
  };
  let connections = await safeCall(() => api.getConnections(accessToken));
  try {
    // Xero refused a token the engine thought fresh, or answered [] as it does for a token still
    // inside its 30 minutes after the grant was revoked or every organisation was disconnected.
    if (!connections.ok && isAccessTokenRejection(connections, classify)) connections = await reportAndList();
    else if (connections.ok && connections.data.length === 0) connections = await rotateAndList();
  } catch (error) {
    return fromEngine(error);
  }
  if (!connections.ok) {
    const problem = classify(connections.input);
    return finish({ status: statusFor(problem), reason: `Xero's /connections call failed: ${problem.summary}`, tenants: [], problem });
  }
  const tenants = connections.data.map(toTenant);
  if (tenants.length === 0) {
    const problem = classify(NO_TENANTS);
    return finish({
      status: 'disconnected',
      reason: 'The token works, but no Xero organisation is connected to it any more (someone disconnected the app in Xero, or the organisation is gone).',
      tenants,
      problem,
    });
  }
  if (!options.tenantId) return finish({ status: 'connected', reason: connectedReason(tenants), tenants });

  const tenant = tenants.find((t) => t.tenantId === options.tenantId);
  if (!tenant) {
    const problem = classify(TENANT_DENIED);
    return finish({
      status: 'disconnected',
      reason: `The organisation ${options.tenantId} is not among the ${tenants.length} organisation(s) this connection reaches.`,
      tenants,
      problem,
    });
  }
  let organisation = await safeCall(() => api.getOrganisation(accessToken, tenant.tenantId));
  if (!organisation.ok && isAccessTokenRejection(organisation, classify)) {
    try {
      await engine.reportRejected(key, accessToken);
      accessToken = await engine.getAccessToken(key);
    } catch (error) {
      return fromEngine(error);
    }
    organisation = await safeCall(() => api.getOrganisation(accessToken, tenant.tenantId));
  }
  if (!organisation.ok) {
    const problem = classify(organisation.input);
    return finish({
      status: statusFor(problem),
      reason: `Xero's Organisation call for "${tenant.tenantName ?? tenant.tenantId}" failed: ${problem.summary}`,
      tenants,
      problem,
    });
  }
  return finish({ status: 'connected', reason: connectedReason(tenants), tenants, organisation: organisation.data });
}

/** retryable trouble is degraded; anything a human must fix is disconnected. */
export function statusFor(problem: Classification): CheckStatus {
  return problem.retryable && problem.action !== 'refresh_and_retry' ? 'degraded' : 'disconnected';
}

/** A 403 AuthenticationUnsuccessful: the classifier's reading of "this tenant is not reachable". */
const TENANT_DENIED = { statusCode: 403, headers: {}, body: { Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' }, source: 'api' };
/** What an empty /connections means: access to every organisation was withdrawn. */
const NO_TENANTS = 'Access to this Xero organisation was revoked: no organisation is connected to this token.';

type Called<T> = { ok: true; data: T } | { ok: false; input: unknown };

/** The API client returns raw responses for errors; a network failure throws: both become classifier input. */
async function safeCall<T>(call: () => Promise<ApiResult<T>>): Promise<Called<T>> {
  try {
    const result = await call();
    if (result.ok) return { ok: true, data: result.data };
    const { status, headers, body } = result.response;
    return { ok: false, input: { statusCode: status, headers, body, source: 'api' } };
  } catch (error) {
    const coded = error as { code?: unknown; message?: unknown };
    return {
      ok: false,
      input: {
        code: typeof coded?.code === 'string' ? coded.code : undefined,
        message: typeof coded?.message === 'string' ? coded.message : 'The request to Xero failed',
      },
    };
  }
}

function isAccessTokenRejection(called: { ok: false; input: unknown }, classify: Classify): boolean {
  const category = classify(called.input).category;
  return category === 'access_token_expired' || category === 'access_token_invalid';
}

function toTenant(c: XeroTenant): CheckedTenant {
  return {
    tenantId: c.tenantId,
    tenantName: c.tenantName ?? null,
    tenantType: c.tenantType,
    connectionId: c.id,
    createdDateUtc: c.createdDateUtc ?? null,
    updatedDateUtc: c.updatedDateUtc ?? null,
  };
}

/** The reason a connected check gives: how many organisations it reaches, the first few by name. */
export function connectedReason(tenants: Array<Pick<CheckedTenant, 'tenantId' | 'tenantName'>>): string {
  const names = tenants.map((t) => t.tenantName ?? t.tenantId);
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `Connected to Xero: ${tenants.length} organisation(s) reachable (${shown}).`;
}

function asCoded(error: unknown): CodedError {
  if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string') {
    const e = error as CodedError;
    return { code: e.code, message: typeof e.message === 'string' ? e.message : e.code, retryable: e.retryable, retryAfterSeconds: e.retryAfterSeconds };
  }
  return { code: 'UNKNOWN', message: error instanceof Error ? error.message : 'The token engine failed' };
}

/**
 * Engine errors carry the precise reason; the classifier gives the category, action and advice.
 * Each engine code maps to the wire shape Xero (or n8n) would have produced for the same cause.
 */
export function engineProblem(error: unknown, classify: Classify): { status: CheckStatus; reason: string; tenants: CheckedTenant[]; problem: Classification } {
  const e = asCoded(error);
  const tokenEndpoint = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    statusCode: status,
    headers,
    body,
    source: 'token_endpoint',
  });
  let input: unknown;
  switch (e.code) {
    case 'NEEDS_REAUTH':
      input = tokenEndpoint(400, { error: 'invalid_grant' });
      break;
    case 'MISCONFIGURED':
      input = tokenEndpoint(400, { error: 'invalid_client' });
      break;
    case 'SUPERSEDED':
      input = 'Access to this Xero organisation was revoked: a newer connection of the same account replaced it.';
      break;
    case 'NOT_CONNECTED':
      input = 'OAuth credentials not connected';
      break;
    case 'RATE_LIMITED':
      input = tokenEndpoint(429, '', e.retryAfterSeconds ? { 'retry-after': String(e.retryAfterSeconds) } : {});
      break;
    case 'BUSY':
    case 'REFRESH_OUTCOME_UNKNOWN':
      input = { code: 'ETIMEDOUT', message: 'The token refresh did not finish in time' };
      break;
    default:
      input = { message: e.message };
  }
  const problem = classify(input);
  // Ledger trouble, a chain bound to other endpoints and unknown failures: retryable ones pass, others need a human.
  const status: CheckStatus =
    e.code.startsWith('LEDGER') || e.code === 'UNKNOWN' || e.code === 'ENDPOINTS_CHANGED' ? (e.retryable ? 'degraded' : 'disconnected') : statusFor(problem);
  return { status, reason: e.message, tenants: [], problem };
}

async function tokenHealthOf(engine: Pick<TokenEngine, 'status'>, key: string): Promise<TokenHealth> {
  let status: ConnectionStatus;
  try {
    status = await engine.status(key);
  } catch {
    return { accessTokenExpiresAt: null, lastRotationAt: null, daysLeftBeforeIdleExpiry: null, chainState: 'not_connected' };
  }
  return {
    accessTokenExpiresAt: iso(status.accessTokenExpiresAt),
    lastRotationAt: iso(status.lastRotationAt),
    daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
    chainState: status.state,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
