/**
 * What a xero-connection node's settings mean, read from Node-RED's config and credentials into
 * plain values, and the first thing wrong with them in the node's own words. Host details
 * (Node-RED's userDir, settings.js) are read here and nowhere else.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BudgetPolicy } from '../../src/check';
import type { Clock } from '../../src/clock';
import type { EnginePolicy } from '../../src/engine';
import { XeroGuardSetupError } from '../../src/errors';
import { requestedScopes } from '../../src/host';
import { resolveEndpoints, type XeroEndpoints } from '../../src/xero';
import type { RED } from './red';

export type LedgerKind = 'file' | 'postgres' | 'redis';
const LEDGER_KINDS: readonly LedgerKind[] = ['file', 'postgres', 'redis'];
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Node-RED's editor sends this in place of a password credential it already has. */
export const PASSWORD_PLACEHOLDER = '__PWRD__';

export interface ConnectionSettings {
  name: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  tenantId: string;
  ledger: { kind: LedgerKind; folder: string; postgresUrl: string; redisUrl: string };
  /** "Custom Xero endpoints" is ticked: every one of the three URLs must then be given. */
  customEndpoints: boolean;
  endpoints: Partial<XeroEndpoints>;
}

/** settings.js `xeroGuard: { ... }`: a clock and policy for rehearsals, the editor's public URL. */
export interface RuntimeOptions {
  clock?: Clock;
  policy?: Partial<EnginePolicy>;
  editorUrl?: string;
  /** The call budget's thresholds (dayLimit for the app's tier, warnFraction, reserveFraction); defaults learn the limit and warn under 10%. */
  budget?: BudgetPolicy;
  /** What a xero fleet node lists: "own" (its xero-connection's chain, the default) or "ledger" (every chain of that ledger). */
  fleetScope?: string;
}

const ENDPOINT_LABELS = { authorizeUrl: 'Authorize URL', tokenUrl: 'Token URL', apiUrl: 'API URL' } as const;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const optional = (v: unknown): string | undefined => str(v) || undefined;

/**
 * The settings of one xero-connection node from its config and credentials, as plain values.
 * `credentials` may hold the editor's password placeholder; `stored` (the deployed credentials) fills those in.
 */
export function readSettings(config: Record<string, unknown>, credentials?: Record<string, unknown>, stored?: Record<string, unknown>): ConnectionSettings {
  const creds = credentials ?? {};
  const kept = stored ?? {};
  const secret = (name: string): string => {
    const v = typeof creds[name] === 'string' ? (creds[name] as string) : '';
    return v === PASSWORD_PLACEHOLDER || v === '' ? (typeof kept[name] === 'string' ? (kept[name] as string) : '') : v;
  };
  const custom = config.useCustomEndpoints === true || config.useCustomEndpoints === 'true';
  const kind = LEDGER_KINDS.find((k) => k === config.ledger) ?? 'file';
  return {
    name: str(config.name),
    // A text credential: the editor always sends what is typed, so an empty field means none.
    clientId: typeof creds.clientId === 'string' ? str(creds.clientId) : str(kept.clientId),
    clientSecret: secret('clientSecret'),
    scopes: requestedScopes(config.scopes),
    tenantId: str(config.tenantId),
    ledger: { kind, folder: str(config.ledgerFolder), postgresUrl: str(secret('postgresUrl')), redisUrl: str(secret('redisUrl')) },
    customEndpoints: custom,
    endpoints: custom ? { authorizeUrl: optional(config.authorizeUrl), tokenUrl: optional(config.tokenUrl), apiUrl: optional(config.apiUrl) } : {},
  };
}

/** The secrets a xero-connection node holds, for redaction. */
export function secretsOf(settings: ConnectionSettings): string[] {
  return [settings.clientSecret, settings.ledger.postgresUrl, settings.ledger.redisUrl].filter(Boolean);
}

/** The first thing wrong with the settings, or null. Says what to fix, in the node's own words. */
export function settingsProblem(settings: ConnectionSettings): XeroGuardSetupError | null {
  if (!settings.clientId) {
    return new XeroGuardSetupError(
      'MISCONFIGURED',
      'The xero-connection node has no client id: copy the client id of your app at developer.xero.com/app/manage into the xero-connection node and deploy.',
      'no client id: add it in the xero-connection node',
    );
  }
  if (!settings.clientSecret) {
    return new XeroGuardSetupError(
      'MISCONFIGURED',
      'The xero-connection node has no client secret: generate one for your app at developer.xero.com/app/manage, paste it into the xero-connection node and deploy.',
      'no client secret: add it in the xero-connection node',
    );
  }
  if (settings.tenantId && !TENANT_ID.test(settings.tenantId)) {
    return new XeroGuardSetupError(
      'MISCONFIGURED',
      `The tenant "${settings.tenantId}" is not a Xero tenant id (a UUID such as a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e): pick one of the organisations listed under "Connect to Xero", or leave the tenant empty.`,
      'tenant id is not a UUID: pick one from the list',
    );
  }
  if (settings.ledger.kind === 'postgres' && !settings.ledger.postgresUrl) {
    return new XeroGuardSetupError(
      'LEDGER_CONFIG',
      'The xero-connection node keeps its tokens in PostgreSQL but has no connection string: enter postgres://user:password@host:5432/database, or choose the file ledger.',
      'no PostgreSQL URL: set it in the xero-connection node',
    );
  }
  if (settings.ledger.kind === 'redis' && !settings.ledger.redisUrl) {
    return new XeroGuardSetupError(
      'LEDGER_CONFIG',
      'The xero-connection node keeps its tokens in Redis but has no URL: enter redis://host:6379/0, or choose the file ledger.',
      'no Redis URL: set it in the xero-connection node',
    );
  }
  const empty = settings.customEndpoints
    ? (['authorizeUrl', 'tokenUrl', 'apiUrl'] as const).filter((k) => !settings.endpoints[k]).map((k) => ENDPOINT_LABELS[k])
    : [];
  if (empty.length > 0) {
    // Empty fields would fall back to Xero's own addresses: a rehearsal must never reach the real login.xero.com.
    return new XeroGuardSetupError(
      'MISCONFIGURED',
      `"Custom Xero endpoints" is ticked in the xero-connection node but its ${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty: fill in the simulator's addresses (npx -p n8n-nodes-xero-guard xero-guard-sim prints them), or untick "Custom Xero endpoints" to use Xero itself.`,
      'custom endpoints ticked but empty: fill them in or untick',
    );
  }
  try {
    resolveEndpoints(settings.endpoints);
  } catch (error) {
    return new XeroGuardSetupError(
      'MISCONFIGURED',
      `${(error as Error).message}: fix the Xero endpoints of the xero-connection node, or switch custom endpoints off.`,
      'bad Xero endpoint URL: fix it in the xero-connection',
    );
  }
  return null;
}

/** The error a node reports when it has no config node. */
export function noConnectionError(): XeroGuardSetupError {
  return new XeroGuardSetupError(
    'MISCONFIGURED',
    'This node has no xero-connection: open it, pick or add a xero-connection, and deploy.',
    'no xero-connection: pick or add one in this node',
  );
}

/** Node-RED's user directory, as Node-RED picks it when settings.js names none. */
export function userDirOf(red: RED): string {
  const dir = red.settings?.userDir;
  return typeof dir === 'string' && dir !== '' ? dir : join(homedir(), '.node-red');
}

export function runtimeOptions(red: RED): RuntimeOptions {
  const s = red.settings?.xeroGuard;
  return s && typeof s === 'object' ? (s as RuntimeOptions) : {};
}

/**
 * The editor URL a human opens to reconnect, for links in alerts: settings.xeroGuard.editorUrl;
 * else `learned`, the address the editor was opened at for the chain's last "Connect to Xero"
 * (reachable from where that person was); else Node-RED's own host and port, with a wildcard
 * bind address (0.0.0.0) as localhost, which works only on the machine itself.
 */
export function editorUrl(red: RED, learned?: string | null): string {
  const own = runtimeOptions(red).editorUrl;
  if (typeof own === 'string' && own) return own.replace(/\/+$/, '');
  if (learned) return learned.replace(/\/+$/, '');
  const s = red.settings ?? {};
  const host = !s.uiHost || s.uiHost === '0.0.0.0' || s.uiHost === '::' ? 'localhost' : s.uiHost;
  const protocol = s.https ? 'https' : 'http';
  const root = typeof s.httpAdminRoot === 'string' ? s.httpAdminRoot.replace(/\/+$/, '') : '';
  return `${protocol}://${host}${s.uiPort ? `:${s.uiPort}` : ''}${root}`;
}
