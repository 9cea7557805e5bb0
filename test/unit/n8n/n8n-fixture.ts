import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { OffsetClock } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator, type SimulatorTokenResponse } from '../../../src/simulator';
import { resetEnginesForTests } from '../../../nodes/shared/guarded-session';

export interface N8nFixture {
  sim: Simulator;
  clock: OffsetClock;
  userFolder: string;
  /** Credential data as n8n hands it to a node or the preAuthentication hook. */
  credentials(grant?: SimulatorTokenResponse, extra?: Record<string, unknown>): Record<string, unknown>;
  seed(input?: Parameters<Simulator['seedGrant']>[0]): SimulatorTokenResponse;
  ledgerText(): string;
  tokenCalls(): number;
  close(): Promise<void>;
}

const ENV_KEYS = [
  'N8N_USER_FOLDER',
  'N8N_ENCRYPTION_KEY',
  'XERO_GUARD_N8N_VERSION',
  'EXECUTIONS_MODE',
  'DB_TYPE',
  'N8N_EDITOR_BASE_URL',
  'WEBHOOK_URL',
  'N8N_HOST',
];

export async function makeN8nFixture(): Promise<N8nFixture> {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  const clock = new OffsetClock();
  const sim = await startSimulator({ clock });
  const userFolder = mkdtempSync(join(tmpdir(), 'xg-n8n-'));
  process.env.N8N_USER_FOLDER = userFolder;
  process.env.N8N_ENCRYPTION_KEY = 'n8n-test-encryption-key-0123456789';
  await resetEnginesForTests({ clock, policy: { retryBaseMs: 10, retryMaxMs: 20, leaseWaitMs: 2000 } });
  return {
    sim,
    clock,
    userFolder,
    seed: (input) => sim.seedGrant(input),
    credentials(grant, extra = {}) {
      return {
        grantType: 'pkce',
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        xeroScopes: ['accounting.settings', 'accounting.contacts'],
        additionalScopes: '',
        ledger: 'auto',
        useCustomEndpoints: true,
        customAuthUrl: sim.authorizeUrl,
        customAccessTokenUrl: sim.tokenUrl,
        apiBaseUrl: sim.apiUrl,
        tokenExpiredStatusCode: 0,
        authentication: 'header',
        ...(grant ? { oauthTokenData: { ...grant } } : {}),
        ...extra,
      };
    },
    ledgerText: () => readTree(join(userFolder, '.n8n')),
    tokenCalls: () => sim.stats().tokenCalls,
    async close() {
      await resetEnginesForTests();
      await sim.close();
      rmSync(userFolder, { recursive: true, force: true });
      for (const k of ENV_KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    },
  };
}

function readTree(dir: string): string {
  let out = '';
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  for (const name of names) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? readTree(path) : readFileSync(path, 'utf8');
  }
  return out;
}

export const NODE: INode = { id: 'node-1', name: 'Xero Guard', type: 'n8n-nodes-xero-guard.test', typeVersion: 1, position: [0, 0], parameters: {} };

export interface FakeOptions {
  credentials?: Record<string, unknown> | null;
  parameters?: Record<string, unknown>;
  items?: INodeExecutionData[];
  continueOnFail?: boolean;
  mode?: string;
  staticData?: Record<string, unknown>;
}

/** The subset of IExecuteFunctions / IPollFunctions / ILoadOptionsFunctions our nodes use. */
export function fakeContext(options: FakeOptions) {
  const staticData = options.staticData ?? {};
  return {
    getInputData: () => options.items ?? [{ json: {} }],
    getNodeParameter: (name: string, itemIndexOrFallback?: unknown, fallback?: unknown) => {
      const params = options.parameters ?? {};
      if (name in params) return params[name];
      // Poll functions take (name, fallback); execute functions take (name, itemIndex, fallback).
      return typeof itemIndexOrFallback === 'number' ? fallback : itemIndexOrFallback;
    },
    getCredentials: async () => {
      if (!options.credentials) throw new Error('Node does not have any credentials set');
      return options.credentials;
    },
    continueOnFail: () => options.continueOnFail === true,
    // n8n's node names its credential (by id) once one is chosen; the name stays empty so texts read "the Xero credential".
    getNode: (): INode => (options.credentials ? { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'credential-1', name: '' } } } : NODE),
    getMode: () => options.mode ?? 'trigger',
    getActivationMode: () => 'activate',
    getWorkflowStaticData: () => staticData,
    getWorkflow: () => ({ id: 'wf-1', name: 'Watchdog', active: true }),
    getTimezone: () => 'UTC',
    helpers: { returnJsonArray: (data: unknown) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })) },
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    staticData,
  };
}
