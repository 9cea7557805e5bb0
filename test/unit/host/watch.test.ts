/**
 * The one watch step, in-process: the rules both hosts share (a refused chosen organisation, a
 * forced rotation only when every organisation is newly refused, memory from older versions), on
 * check results as the core's check gives them. The same events through both real wings, against
 * the simulator, are test/node-red/watch-parity.test.ts.
 */
import type { CheckResult, CheckedTenant, DeniedTenant } from '../../../src/check';
import { N8N_WORDS } from '../../../nodes/shared/node-support';
import { NODE_RED_WORDS } from '../../../node-red/lib/status';
import {
  failedObservation,
  observeConnection,
  organisationList,
  readWatchMemory,
  watchStep,
  type SessionCheck,
  type WatchMemory,
  type WatchSettings,
  type WatchTexts,
  type WatchedSession,
} from '../../../src/host';
import { classifyXeroError } from '../../../src/classify';
import { XeroGuardSetupError } from '../../../src/errors';

const A: CheckedTenant = {
  tenantId: 'a-1',
  tenantName: 'Acme Ltd',
  tenantType: 'ORGANISATION',
  connectionId: 'c-a',
  createdDateUtc: null,
  updatedDateUtc: null,
};
const B: CheckedTenant = {
  tenantId: 'b-2',
  tenantName: 'Beta Ltd',
  tenantType: 'ORGANISATION',
  connectionId: 'c-b',
  createdDateUtc: null,
  updatedDateUtc: null,
};
const HEALTH = { accessTokenExpiresAt: null, lastRotationAt: null, daysLeftBeforeIdleExpiry: 59, chainState: 'active' as const };
const EMPTY: WatchMemory = { connection: null, organisations: null, budget: null };
const SETTINGS: WatchSettings = { tenantId: '', organisations: true, only: [], probe: false, budget: null, emitEveryPoll: false };
const TEXTS: WatchTexts = { words: N8N_WORDS, connectionName: 'Acme books', link: 'http://localhost:5678/home/credentials/7', secrets: ['canary-secret-1234'] };

let minute = 0;
const at = () => new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString();
const connected = (tenants: CheckedTenant[]): CheckResult => ({ status: 'connected', reason: 'ok', checkedAt: at(), tenants, tokenHealth: HEALTH });
/** The check when the chosen organisation answered 403 (tenant_access_denied), as checkConnection reports it. */
const refusedChosen = (tenants: CheckedTenant[], chosen: string): CheckResult => ({
  status: 'disconnected',
  reason: `Xero's Organisation call for "${chosen}" failed: refused`,
  checkedAt: at(),
  tenants,
  tokenHealth: HEALTH,
  problem: classifyXeroError({ statusCode: 403, headers: {}, body: { Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' }, source: 'api' }),
});
const observed = (result: CheckResult, denied: DeniedTenant[] = []) => ({ result, denied, budgets: [] });

/** Polls a sequence of check results through the step, the memory carried as a host would; the events per poll. */
function run(results: CheckResult[], settings: WatchSettings, texts: WatchTexts = TEXTS) {
  let memory = EMPTY;
  return results.map((result) => {
    const step = watchStep(memory, observed(result), settings, texts);
    memory = JSON.parse(JSON.stringify(step.memory)) as WatchMemory;
    return step.events.map((e) => `${e.scope}:${e.kind}`);
  });
}

describe('the watch step', () => {
  it("a 403 for the chosen organisation still listed is that organisation's event, not the connection's; with organisation events off it is the connection's", () => {
    const chosen = { ...SETTINGS, tenantId: B.tenantId };
    expect(run([connected([A, B]), refusedChosen([A, B], B.tenantId), refusedChosen([A, B], B.tenantId), connected([A, B])], chosen)).toEqual([
      [],
      ['organisation:organisation_unreachable'],
      [],
      ['organisation:organisation_recovered'],
    ]);
    expect(run([connected([A, B]), refusedChosen([A, B], B.tenantId), connected([A, B])], { ...chosen, organisations: false })).toEqual([
      [],
      ['connection:problem'],
      ['connection:recovered'],
    ]);
  });

  it("the chosen organisation gone from the list once seen is organisation_disconnected alone; one the connection never reached is the connection's problem", () => {
    const chosen = { ...SETTINGS, tenantId: B.tenantId };
    expect(run([connected([A, B]), refusedChosen([A], B.tenantId)], chosen)).toEqual([[], ['organisation:organisation_disconnected']]);
    const wrongId = { ...SETTINGS, tenantId: 'never-listed' };
    expect(run([connected([A]), refusedChosen([A], 'never-listed')], wrongId)).toEqual([[], ['connection:problem']]);
  });

  it("texts come from the one alert table in the host's words, with the link, and never a secret", () => {
    const lost = watchStep(EMPTY, observed(connected([A, B])), SETTINGS, TEXTS).memory;
    for (const words of [N8N_WORDS, NODE_RED_WORDS]) {
      const texts = { ...TEXTS, words, connectionName: 'Acme books canary-secret-1234' };
      const [event] = watchStep(lost, observed(connected([A])), SETTINGS, texts).events;
      expect(event).toMatchObject({ scope: 'organisation', kind: 'organisation_disconnected', reconnect: true, link: TEXTS.link });
      expect(event.alert.title).toMatch(new RegExp(`^${words.connectionNoun} "Acme books .*" \\(organisation Beta Ltd\\) needs reconnecting$`));
      expect(event.alert.message).toContain(words.reconnectShort);
      expect(event.alert.message.endsWith(`Reconnect: ${TEXTS.link}`)).toBe(true);
      expect(JSON.stringify(event.alert)).not.toContain('canary-secret-1234');
    }
  });

  it("a poll that found no connection (a setting to fix) is the connection's problem, once", () => {
    const settingsProblem = new XeroGuardSetupError('MISCONFIGURED', 'no client secret');
    const first = watchStep(EMPTY, failedObservation(settingsProblem), SETTINGS, TEXTS);
    expect(first.events.map((e) => `${e.scope}:${e.kind}`)).toEqual(['connection:problem']);
    expect(watchStep(first.memory, failedObservation(settingsProblem), SETTINGS, TEXTS).events).toEqual([]);
  });

  it('memory from an older version or a damaged store: only the well-formed parts are kept', () => {
    const memory = readWatchMemory({
      connection: { status: 'connected', category: null, since: '2026-01-01T00:00:00.000Z' },
      organisations: { connection: 'ok', tenants: { x: { tenantId: 'x', state: 'nonsense' } } },
      budget: 'not an object',
    });
    expect(memory).toEqual({ connection: { status: 'connected', category: null, since: '2026-01-01T00:00:00.000Z' }, organisations: null, budget: null });
  });

  it('reads a limit list of names or ids, by commas or lines', () => {
    expect(organisationList(' Acme Ltd, b-2\nGamma ,, ')).toEqual(['Acme Ltd', 'b-2', 'Gamma']);
    expect(organisationList(['Acme Ltd', 'b-2'])).toEqual(['Acme Ltd', 'b-2']);
    expect(organisationList(undefined)).toEqual([]);
  });
});

describe('one poll through a session', () => {
  /** A session whose check and probe answer from a script: what the step asks of Xero, counted. */
  function scripted(listed: CheckedTenant[], refused: () => string[]) {
    const calls = { checks: 0, probes: 0, rotations: 0 };
    const session: WatchedSession = {
      async check(): Promise<SessionCheck> {
        calls.checks++;
        return { result: connected(listed), budget: [], skipped: [] };
      },
      async probe(tenants, only) {
        calls.probes++;
        const probed = tenants.filter((t) => !only || only(t.tenantId));
        return {
          denied: probed.filter((t) => refused().includes(t.tenantId)).map((t) => ({ tenantId: t.tenantId, reason: '403' })),
          skipped: [],
          inconclusive: [],
        };
      },
      async refresh() {
        calls.rotations++;
        return { refreshed: true, accessTokenExpiresAt: 0, lastRotationAt: 0, version: 2 };
      },
      budgets: () => [],
    };
    return { session, calls };
  }

  it('every organisation newly refused: one forced rotation and a second look; while they stay refused, none; some refused, none', async () => {
    let refused: string[] = [];
    const { session, calls } = scripted([A, B], () => refused);
    const probing = { ...SETTINGS, probe: true };
    let memory = EMPTY;
    const poll = async () => {
      const observation = await observeConnection(session, memory, probing);
      const step = watchStep(memory, observation, probing, TEXTS);
      memory = step.memory;
      return step.events.map((e) => e.kind);
    };
    expect(await poll()).toEqual([]);
    refused = [B.tenantId];
    expect(await poll()).toEqual(['organisation_unreachable']);
    expect(calls.rotations).toBe(0);
    refused = [A.tenantId, B.tenantId];
    expect(await poll()).toEqual(['organisation_unreachable']);
    expect(calls).toMatchObject({ rotations: 1, checks: 4 });
    await poll();
    await poll();
    expect(calls.rotations).toBe(1);
  });
});
