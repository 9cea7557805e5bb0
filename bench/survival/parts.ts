/**
 * What every survival run needs, written once: the moved clock, the two credentials, the workload
 * workflow, the Watchdog as it ships, and reading back what n8n recorded.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OffsetClock } from '../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type Simulator, type SimulatorTokenResponse } from '../../src/simulator';
import type { N8nHandle } from '../../tools/n8n/n8n';
import { REPO_ROOT } from '../../tools/n8n/pack';
import { webhookInto } from '../../tools/n8n/workflows';
import { CREDENTIAL_TYPE, credentialFor, randomCredentialId } from '../../tools/n8n/xero';

export const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
/** The scopes n8n's own Xero credential asks for (its xeroOAuth2Api), as a user's generic copy would. */
export const XERO_SCOPES = 'offline_access openid profile email accounting.settings accounting.contacts';
/** The Watchdog example's name; each lane's copy adds its own tag. */
export const WATCHDOG_NAME = 'Xero Guard: connection watchdog';

export type Side = 'n8n' | 'ours';

export function requireFaketime(): void {
  if (!existsSync(FAKETIME_LIB)) throw new Error(`${FAKETIME_LIB} is missing: apt-get install -y faketime (the benchmark moves n8n's clock with it)`);
}

/** The environment that puts an n8n process on the shared clock file. */
export function faketimeEnv(file: string): Record<string, string> {
  return { LD_PRELOAD: FAKETIME_LIB, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

/**
 * Moves the n8n processes' clock (libfaketime offset file) and every simulator's clock together.
 * Clocks made later start at the offset already reached, so a scenario opened after another agrees
 * with n8n from its first request.
 */
export class SharedTime {
  offsetMs = 0;
  private readonly clocks: OffsetClock[] = [];
  constructor(readonly file: string) {
    writeFileSync(file, '+0\n');
  }
  newClock(): OffsetClock {
    const clock = new OffsetClock();
    clock.advance(this.offsetMs);
    this.clocks.push(clock);
    return clock;
  }
  forget(clock: OffsetClock): void {
    const i = this.clocks.indexOf(clock);
    if (i >= 0) this.clocks.splice(i, 1);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
    writeFileSync(this.file, `+${Math.round(this.offsetMs / 1000)}\n`);
    for (const c of this.clocks) c.advance(ms);
  }
}

/** n8n's own side: the generic oAuth2Api credential set up as n8n's built-in Xero credential is. */
export function genericCredential(sim: Simulator, tokens: SimulatorTokenResponse, name: string, id = randomCredentialId()): Record<string, unknown> {
  return {
    id,
    name,
    type: 'oAuth2Api',
    data: {
      grantType: 'authorizationCode',
      authUrl: sim.authorizeUrl,
      accessTokenUrl: sim.tokenUrl,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      scope: XERO_SCOPES,
      authQueryParameters: '',
      authentication: 'header',
      oauthTokenData: { ...tokens },
    },
  };
}

/** The credential of a side, as "Connect my account" (or a reconnect) leaves it. */
export function credentialOf(side: Side, sim: Simulator, tokens: SimulatorTokenResponse, name: string, id?: string): Record<string, unknown> {
  return side === 'ours' ? credentialFor(sim, tokens, { name, ...(id ? { id } : {}) }) : genericCredential(sim, tokens, name, id);
}

/** A webhook that runs one HTTP Request node on the side's credential (GET `url`). */
export function workloadWorkflow(side: Side, name: string, path: string, url: string, credential: { id: string; name: string }): Record<string, unknown> {
  const auth =
    side === 'ours'
      ? { authentication: 'predefinedCredentialType', nodeCredentialType: CREDENTIAL_TYPE }
      : { authentication: 'genericCredentialType', genericAuthType: 'oAuth2Api' };
  return webhookInto(name, path, {
    name: 'Xero',
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    parameters: { method: 'GET', url, ...auth, options: {} },
    credentials: { [side === 'ours' ? CREDENTIAL_TYPE : 'oAuth2Api']: credential },
  });
}

/**
 * The Watchdog example as shipped, on `credential`, posting to `slackUrl`, polling every minute
 * (n8n's shortest; the example's 15 minutes would make a run wait that long in real time).
 */
export function watchdogWorkflow(slackUrl: string, credential: { id: string; name: string }, name: string): Record<string, unknown> {
  let text = readFileSync(join(REPO_ROOT, 'examples', 'watchdog-slack.json'), 'utf8');
  text = text.split('https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK').join(slackUrl);
  const watchdog = JSON.parse(text) as { name: string; nodes: Array<{ credentials?: Record<string, unknown>; parameters: Record<string, unknown> }> };
  for (const node of watchdog.nodes) if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = credential;
  watchdog.nodes[0]!.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
  watchdog.name = name;
  return watchdog;
}

export interface Answer {
  status: number;
  text: string;
  /** Simulated time of the request, as an offset from the run's start. */
  atMs: number;
}

export async function post(url: string): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(120_000) });
    return { status: res.status, text: await res.text() };
  } catch (error) {
    return { status: 0, text: error instanceof Error ? error.message : String(error) };
  }
}

/** n8n's error texts that mean the credential failed (either side's wording). */
export const AUTH_FAILURE = /reconnect|Authorization failed|401|invalid_grant|refresh token|Xero Guard|access token|OAuth|credential/i;

/** Executions n8n recorded for a workflow, all pages, with the failed ones' messages. */
export async function executionErrors(main: N8nHandle, workflowId: string): Promise<{ total: number; failed: string[] }> {
  const failed: string[] = [];
  let total = 0;
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ workflowId, includeData: 'true', limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await main.api('GET', `/executions?${q.toString()}`);
    if (answer.status !== 200) throw new Error(`GET /executions answered ${answer.status}`);
    const page = answer.json as {
      data: Array<{ status: string; data?: { resultData?: { error?: { message?: string; description?: string } } } }>;
      nextCursor?: string | null;
    };
    for (const e of page.data) {
      total++;
      if (e.status !== 'success') {
        const err = e.data?.resultData?.error;
        failed.push(`${e.status}: ${err?.message ?? ''} ${err?.description ?? ''}`.trim());
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { total, failed };
}

/** How many polls n8n has logged for workflows named `name` since the process started. */
export function pollsLogged(main: N8nHandle, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (main.currentLog().match(new RegExp(`Poll trigger initiated for workflow "${escaped}`, 'g')) ?? []).length;
}
