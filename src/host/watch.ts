/**
 * One watch step for every host: n8n's Connection Trigger and Node-RED's `xero connection watch`
 * both call it, so they report the same events with the same texts (from the one alert table, in
 * the host's words). One poll is the check, the organisations Xero refuses (the chosen one, and a
 * probe of the others when asked) and the call budgets; the step turns that, with what the watch
 * remembered, into events (the connection, each organisation, each budget) and what to remember
 * next. The memory is a plain JSON value passed in and out: the host keeps it (n8n: the workflow's
 * static data; Node-RED: the ledger, beside the chain, watch-memory.ts) through a WatchMemoryStore.
 */
import {
  connectedReason,
  detectBudgetChanges,
  detectStateChange,
  detectTenantChanges,
  isTenantWatchState,
  isWatchState,
  watchFilter,
  type BudgetEvent,
  type BudgetPolicy,
  type BudgetWatchState,
  type CheckResult,
  type DeniedTenant,
  type StateChangeEvent,
  type StateChangeKind,
  type TenantBudget,
  type TenantChangeEvent,
  type TenantChangeKind,
  type TenantWatchState,
  type WatchState,
  type CapWatchState,
  type ConnectionCapReport,
} from '../check';
import type { Classification } from '../classify';
import type { Clock } from '../clock';
import {
  alertText,
  budgetText,
  classificationInWords,
  organisationAddedText,
  recoveredText,
  scopesLostText,
  type AlertText,
  type AlertWords,
} from './alert-texts';
import { capWatchStep, observeCaps, type CapSession, type CapWatchEvent } from './connection-caps';
import { checkResultForError } from './failed-check';
import { detectScopeChange, isScopeWatchState, type ScopeChangeKind, type ScopeWatchState } from './scope-watch';
import type { ConnectionSession } from './session';

/** What a watch remembers between polls: plain JSON, no token. */
export interface WatchMemory {
  /** The connection's status (detectStateChange). */
  connection: WatchState | null;
  /** Each organisation's state (detectTenantChanges); kept while per-organisation events are on. */
  organisations: TenantWatchState | null;
  /** Each organisation's budget level (detectBudgetChanges); kept while budget events are on. */
  budget: BudgetWatchState | null;
  /** Each app's level against its connection cap (connection-caps.ts); absent in memory kept before caps were watched. */
  caps?: CapWatchState | null;
  /** The scopes the connection is expected to hold and those missing now (scope-watch.ts); absent in memory stored before. */
  scopes?: ScopeWatchState | null;
}

/** Where a host keeps a watch's memory: the small piece that changes when the memory moves (to the ledger, say). */
export interface WatchMemoryStore {
  load(): WatchMemory | Promise<WatchMemory>;
  save(memory: WatchMemory): void | Promise<void>;
}

/** Memory stored before (possibly by an older version): each part is taken only when well formed. */
export function readWatchMemory(parts: { connection?: unknown; organisations?: unknown; budget?: unknown; caps?: unknown; scopes?: unknown }): WatchMemory {
  return {
    connection: isWatchState(parts.connection) ? parts.connection : null,
    organisations: isTenantWatchState(parts.organisations) ? parts.organisations : null,
    budget: isBudgetWatchState(parts.budget) ? parts.budget : null,
    // The cap detector reads each entry itself, as the budget's does.
    ...(isBudgetWatchState(parts.caps) ? { caps: parts.caps as unknown as CapWatchState } : {}),
    ...(isScopeWatchState(parts.scopes) ? { scopes: parts.scopes } : {}),
  };
}

export interface WatchSettings {
  /** The organisation also read on every poll (GET Organisation), or ''. */
  tenantId: string;
  /** One event per organisation disconnected, refused, added or recovered. */
  organisations: boolean;
  /** Only these organisations (names or tenant ids, case-insensitive) are reported; empty: all. */
  only: string[];
  /** Read every watched organisation on each poll (one call each, never in its reserve) to find the ones Xero refuses. */
  probe: boolean;
  /** The budget's thresholds for its events; null: no budget events. */
  budget: BudgetPolicy | null;
  /** An event on every poll (kind first/poll when nothing changed). */
  emitEveryPoll: boolean;
}

/** Who the texts name and how: the host's words, the user's name for the connection, where to reconnect it. */
export interface WatchTexts {
  words: AlertWords;
  connectionName: string | null;
  /** The page that reconnects it (n8n: the credential's; Node-RED: the config node in the editor). */
  link: string | null;
  /** Never shown: redacted from every text. */
  secrets: readonly string[];
}

/** An alert as a host shows it. */
export interface WatchAlert {
  /** One line naming the connection (and the organisation). */
  title: string;
  /** What happened. */
  summary: string;
  /** What to do, this host's steps only; null for good news. */
  advice: string | null;
  /** The whole text: title, what happened, what to do, the link; fits one Slack message. */
  message: string;
}

interface EventBase {
  /**
   * The change, the same for every watch that saw it from the same memory (two nodes, two
   * processes): what a host claims before sending, so only one of them sends it.
   */
  id: string;
  /** Good news (works again, added, calls back): nothing to do. */
  good: boolean;
  alert: WatchAlert;
  /** Only a new connect (ticking the organisation) fixes it: the connection needs re-authorising, or an organisation was lost. */
  reconnect: boolean;
  /** Where to act (texts.link) when something is wrong; null for good news. */
  link: string | null;
}

export interface ConnectionWatchEvent extends EventBase {
  scope: 'connection';
  /** A change of status, or of the scopes a reconnect left (scopes_lost: it works, but without scopes it held). */
  kind: StateChangeKind | ScopeChangeKind;
  change: StateChangeEvent;
  /** The organisations it is about: those the connection reached when lost, those back when restored, else those listed now or last seen. */
  organisations: Array<{ tenantId: string; tenantName: string | null }>;
  /** The check's classified problem, its advice in the host's words. */
  problem: Classification | null;
}

export interface OrganisationWatchEvent extends EventBase {
  scope: 'organisation';
  kind: Exclude<TenantChangeKind, 'connection_lost' | 'connection_restored'>;
  change: TenantChangeEvent;
  organisation: { tenantId: string; tenantName: string | null };
  /** tenant_access_denied (refused), access_revoked (disconnected), null for good news. */
  category: string | null;
}

export interface BudgetWatchEvent extends EventBase {
  scope: 'budget';
  kind: BudgetEvent['kind'];
  change: BudgetEvent;
  organisation: { tenantId: string; tenantName: string | null };
}

export type WatchEvent = ConnectionWatchEvent | OrganisationWatchEvent | BudgetWatchEvent | CapWatchEvent;

/** What one poll saw, before the step reads it. */
export interface WatchObservation {
  result: CheckResult;
  /** Organisations a probe found refused (403), besides the chosen one (which the result tells). */
  denied: DeniedTenant[];
  budgets: TenantBudget[];
  /** The app's connections against its tier's cap (connection-caps.ts); absent when the session cannot count them. */
  caps?: ConnectionCapReport[];
  /** Why the connection could not be opened (a setting, the ledger), when that is what the result reports. */
  failure?: unknown;
  /** The scopes Xero granted the chain, when known. */
  scopes?: string[] | null;
}

export interface WatchStepResult {
  /** The check as the watch reads it (a refused chosen organisation is that organisation's event, not the connection's). */
  result: CheckResult;
  events: WatchEvent[];
  memory: WatchMemory;
}

/** What one poll needs of a session. */
export type WatchedSession = Pick<ConnectionSession, 'check' | 'probe' | 'refresh' | 'budgets'> &
  Partial<CapSession> &
  Partial<Pick<ConnectionSession, 'grantedScopes'>>;

/** A poll that found no connection to check (no credential connected, a setting to fix): the failure, in the check's shape. */
export function failedObservation(failure: unknown, options: { clock?: Clock } = {}): WatchObservation {
  return { result: checkResultForError(failure, options), denied: [], budgets: [], failure };
}

/**
 * One poll's Xero calls: the check (which also rotates the refresh token when due, so a watched
 * connection never idles out), and the probe of the watched organisations when asked.
 *
 * When Xero refuses every organisation, and that is new since the last poll, the grant itself is
 * most likely gone (revoked, its access token still inside its 30 minutes): one forced rotation
 * tells, so a revoked grant is one connection-wide event rather than one per organisation. Only on
 * the change: an organisation that stays refused costs no rotation per poll. Both hosts do this
 * (n8n's trigger did not, before the watch was one): the rotation is one token call on a rare
 * event, and without it a revoked grant would be reported as every organisation refused.
 */
export async function observeConnection(
  session: WatchedSession,
  memory: WatchMemory,
  settings: WatchSettings,
  options: { record?: boolean } = {},
): Promise<WatchObservation> {
  const look = async (): Promise<WatchObservation & { refused: DeniedTenant[] }> => {
    const checked = await session.check(settings.tenantId, options);
    const read = readCheck(checked.result, memory, settings);
    let denied: DeniedTenant[] = [];
    if (settings.organisations && settings.probe && read.result.status === 'connected' && read.result.tenants.length > 0) {
      const watched = watchFilter(settings.only);
      const names = namesOf(read.result);
      // The check already read the chosen organisation: no second call for it.
      const probed = await session
        .probe(read.result.tenants, (id) => id !== settings.tenantId && watched({ tenantId: id, tenantName: names[id] ?? null }))
        .catch(() => null);
      denied = probed?.denied ?? [];
    }
    const observation = { result: checked.result, denied, budgets: session.budgets(), ...(checked.failure !== undefined ? { failure: checked.failure } : {}) };
    return { ...observation, refused: [...read.denied, ...denied] };
  };
  let seen = await look();
  const everyOneRefused = seen.refused.length > 0 && seen.refused.length === seen.result.tenants.length;
  const newlyRefused = seen.refused.some((d) => memory.organisations?.tenants[d.tenantId]?.state !== 'unreachable');
  if (everyOneRefused && newlyRefused) {
    await session.refresh({ force: true }).catch(() => undefined);
    seen = await look();
  }
  const { refused: _refused, ...observation } = seen;
  const scopes = session.grantedScopes ? await session.grantedScopes().catch(() => null) : null;
  if (observation.result.status !== 'connected') return { ...observation, scopes };
  return {
    ...observation,
    scopes,
    caps: await observeCaps(
      session,
      observation.result.tenants.map((t) => t.tenantId),
    ),
  };
}

/**
 * Pure: what the watch remembered and what this poll saw give the events to report and what to
 * remember next. The connection: a first poll reports only a problem, then only changes of
 * status. Each organisation (when on): one event per change; a whole connection lost or back is
 * the connection's one event, not one per organisation. Each budget (when on): one event each way
 * across the warning threshold.
 */
export function watchStep(memory: WatchMemory, observation: WatchObservation, settings: WatchSettings, texts: WatchTexts): WatchStepResult {
  const read = readCheck(observation.result, memory, settings);
  const result = read.result;
  const next: WatchMemory = { ...memory };
  const events: WatchEvent[] = [];

  const stateChange = detectStateChange(memory.connection, result, { emitEveryPoll: settings.emitEveryPoll });
  next.connection = stateChange.state;

  let organisationChanges: TenantChangeEvent[] = [];
  if (settings.organisations) {
    const tenantCheck = { status: result.status, checkedAt: result.checkedAt, tenants: result.tenants, reason: result.reason };
    const detected = detectTenantChanges(memory.organisations, { ...tenantCheck, denied: [...read.denied, ...observation.denied] }, { only: settings.only });
    next.organisations = detected.state;
    organisationChanges = detected.events;
  }

  if (stateChange.event) {
    const wide = organisationChanges.find((e) => e.kind === 'connection_lost' || e.kind === 'connection_restored');
    const change = stateChange.event;
    // A change is known by what it left (the status and since when); a report of every poll by the poll.
    const from = change.kind === 'poll' || change.kind === 'first' ? result.checkedAt : (change.previousSince ?? 'first');
    const event = connectionEvent(result, change, wide?.organisations ?? organisationsOf(result, memory), texts);
    events.push({ ...event, id: `connection:${change.kind}:${change.from ?? '-'}:${from}:${change.to}` });
  }
  for (const change of organisationChanges) {
    if (change.kind === 'connection_lost' || change.kind === 'connection_restored') continue;
    const before = change.tenantId ? memory.organisations?.tenants[change.tenantId] : undefined;
    events.push({ ...organisationEvent(change, change.kind, texts), id: `organisation:${change.kind}:${change.tenantId}:${before?.since ?? '-'}` });
  }

  if (settings.budget) {
    const names = namesOf(result);
    const watched = watchFilter(settings.only);
    const budgets = detectBudgetChanges(memory.budget, observation.budgets, {
      now: Date.parse(result.checkedAt),
      policy: settings.budget,
      names,
      only: (id) => watched({ tenantId: id, tenantName: names[id] ?? null }),
    });
    next.budget = budgets.state;
    for (const change of budgets.events) {
      const before = memory.budget?.[change.tenantId];
      events.push({ ...budgetEvent(change, texts), id: `budget:${change.kind}:${change.tenantId}:${before?.since ?? '-'}` });
    }
  }
  if (observation.caps) {
    const caps = capWatchStep(memory.caps, observation.caps, Date.parse(result.checkedAt), texts);
    next.caps = caps.state;
    events.push(...caps.events);
  }
  watchScopes(memory, observation, result, events, next, texts);
  return { result, events, memory: next };
}

/**
 * The scopes a reconnect left (scope-watch.ts): while expected scopes are missing, the connection's
 * "works again" becomes the message naming them; scopes going missing with no change of status is
 * that message on its own, once; their return, "works again".
 */
function watchScopes(
  memory: WatchMemory,
  observation: WatchObservation,
  result: CheckResult,
  events: WatchEvent[],
  next: WatchMemory,
  texts: WatchTexts,
): void {
  const scoped = detectScopeChange(memory.scopes ?? null, result.status === 'connected' ? (observation.scopes ?? null) : null);
  next.scopes = scoped.state;
  const missing = scoped.state?.missing ?? [];
  const back = events.findIndex((e) => e.scope === 'connection' && e.good);
  const named = { connectionName: texts.connectionName, secrets: texts.secrets };
  const since = memory.connection?.since ?? result.checkedAt;
  const change: StateChangeEvent = { kind: 'changed', from: 'connected', to: 'connected', previousSince: since };
  if (missing.length > 0 && (back >= 0 || scoped.change?.kind === 'scopes_lost')) {
    const alert = shown(scopesLostText({ ...named, missing, link: texts.link }, texts.words), false);
    const lost = { kind: 'scopes_lost' as const, good: false, alert, reconnect: true, link: texts.link, problem: null };
    if (back >= 0) events[back] = { ...(events[back] as ConnectionWatchEvent), ...lost };
    else
      events.push({
        scope: 'connection',
        ...lost,
        change,
        organisations: organisationsOf(result, memory),
        id: `connection:scopes_lost:${missing.join(' ')}:${since}`,
      });
  } else if (scoped.change?.kind === 'scopes_restored' && back < 0) {
    const alert = shown(recoveredText({ ...named, detail: 'Every scope it held before is granted again.' }, texts.words), true);
    const restored = { kind: 'scopes_restored' as const, good: true, alert, reconnect: false, link: null, problem: null };
    events.push({ scope: 'connection', ...restored, change, organisations: organisationsOf(result, memory), id: `connection:scopes_restored:${since}` });
  }
}

/** One poll through a session: observeConnection, then watchStep. */
export async function watchPoll(
  session: WatchedSession,
  memory: WatchMemory,
  settings: WatchSettings,
  texts: WatchTexts,
  options: { record?: boolean } = {},
): Promise<WatchStepResult & { failure?: unknown }> {
  const observation = await observeConnection(session, memory, settings, options);
  return { ...watchStep(memory, observation, settings, texts), ...(observation.failure !== undefined ? { failure: observation.failure } : {}) };
}

/** The organisations a watch is limited to, from a host's setting: names or ids, separated by commas or lines. */
export function organisationList(value: unknown): string[] {
  const raw = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return raw
    .split(/[,\n]/)
    .map((w) => w.trim())
    .filter((w) => w !== '');
}

/**
 * The chosen organisation refused (a 403, or gone from a list that still has others) is that
 * organisation's trouble, not the connection's, when the watch reports organisations and knows
 * this one (listed now, or seen before: its going is organisation_disconnected). An organisation
 * the connection never reached (a wrong id) stays the connection's problem.
 */
function readCheck(result: CheckResult, memory: WatchMemory, settings: WatchSettings): { result: CheckResult; denied: DeniedTenant[] } {
  const chosen = settings.tenantId;
  if (
    !chosen ||
    !settings.organisations ||
    result.status === 'connected' ||
    result.problem?.category !== 'tenant_access_denied' ||
    result.tenants.length === 0
  ) {
    return { result, denied: [] };
  }
  const listed = result.tenants.some((t) => t.tenantId === chosen);
  if (!listed && !memory.organisations?.tenants[chosen]) return { result, denied: [] };
  const asConnected: CheckResult = { ...result, status: 'connected', reason: connectedReason(result.tenants) };
  delete asConnected.problem;
  return { result: asConnected, denied: listed ? [{ tenantId: chosen, reason: result.reason }] : [] };
}

function connectionEvent(
  result: CheckResult,
  change: StateChangeEvent,
  organisations: Array<{ tenantId: string; tenantName: string | null }>,
  texts: WatchTexts,
): Omit<ConnectionWatchEvent, 'id'> {
  const good = result.status === 'connected';
  const problem = result.problem ?? null;
  const named = { connectionName: texts.connectionName, secrets: texts.secrets };
  const alert = good
    ? recoveredText({ ...named, detail: result.reason }, texts.words)
    : alertText(
        {
          ...named,
          code: result.tokenHealth.chainState === 'needs_reauth' ? 'NEEDS_REAUTH' : null,
          category: problem?.category,
          summary: result.reason,
          link: texts.link,
        },
        texts.words,
      );
  return {
    scope: 'connection',
    kind: change.kind,
    change,
    good,
    alert: shown(alert, good),
    reconnect: problem?.action === 'reauthenticate',
    link: good ? null : texts.link,
    organisations,
    problem: problem ? classificationInWords(problem, texts.words) : null,
  };
}

function organisationEvent(change: TenantChangeEvent, kind: OrganisationWatchEvent['kind'], texts: WatchTexts): Omit<OrganisationWatchEvent, 'id'> {
  const organisation = { tenantId: change.tenantId ?? '', tenantName: change.tenantName };
  const good = kind === 'organisation_added' || kind === 'organisation_recovered';
  const category = good ? null : kind === 'organisation_unreachable' ? 'tenant_access_denied' : 'access_revoked';
  const named = { connectionName: texts.connectionName, organisation, secrets: texts.secrets };
  const alert =
    kind === 'organisation_added'
      ? organisationAddedText(named, texts.words)
      : good
        ? recoveredText({ ...named, detail: 'Xero answers for this organisation again.' }, texts.words)
        : alertText({ ...named, category, summary: change.reason, link: texts.link }, texts.words);
  return { scope: 'organisation', kind, change, good, alert: shown(alert, good), reconnect: !good, link: good ? null : texts.link, organisation, category };
}

function budgetEvent(change: BudgetEvent, texts: WatchTexts): Omit<BudgetWatchEvent, 'id'> {
  const low = change.kind === 'budget_low';
  const organisation = { tenantId: change.tenantId, tenantName: change.tenantName };
  const alert = budgetText(
    {
      connectionName: texts.connectionName,
      low,
      organisation,
      dayRemaining: change.dayRemaining,
      dayLimit: change.dayLimit,
      secrets: texts.secrets,
    },
    texts.words,
  );
  return { scope: 'budget', kind: change.kind, change, good: !low, alert: shown(alert, !low), reconnect: false, link: null, organisation };
}

function shown(alert: AlertText, good: boolean): WatchAlert {
  return { title: alert.title, summary: alert.summary, advice: good ? null : alert.advice, message: alert.text };
}

/** The organisations a connection-wide event is about when no organisation change says: those listed now, else those last seen. */
function organisationsOf(result: CheckResult, memory: WatchMemory): Array<{ tenantId: string; tenantName: string | null }> {
  if (result.tenants.length > 0) return result.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName }));
  return Object.values(memory.organisations?.tenants ?? {})
    .filter((t) => t.state !== 'disconnected')
    .map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName }));
}

function namesOf(result: CheckResult): Record<string, string | null> {
  return Object.fromEntries(result.tenants.map((t) => [t.tenantId, t.tenantName]));
}

/** The budget detector reads each entry itself (a malformed one counts as not low): the memory only has to be an object. */
function isBudgetWatchState(value: unknown): value is BudgetWatchState {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
