import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import {
  checkConnection,
  detectBudgetChanges,
  detectStateChange,
  detectTenantChanges,
  probeTenants,
  type BudgetEvent,
  type BudgetWatchState,
  type CheckResult,
  type DeniedTenant,
  type StateChangeEvent,
  type TenantChangeEvent,
  type TenantWatchState,
} from '../../src/check';
import { recordCheck } from '../../src/fleet';
import { hasChainNotes } from '../../src/ledger';
import { alertText, budgetText, categoryAdvice, checkResultForError, organisationAddedText, recoveredText } from '../../src/host';
import { CREDENTIAL_TYPE, type GuardedSession } from '../shared/guarded-session';
import { n8nEditorBaseUrl } from '../shared/n8n-environment';
import { credentialNameOf, isConnectionStateError, N8N_WORDS, openNodeSession, toNodeError } from '../shared/node-support';
import { budgetedApi } from '../shared/call-budget';
import { secretsOf } from '../shared/safe-error';
import { loadTenantOptions } from '../shared/tenants';

const STATE_KEY = 'xeroGuardWatch';
const TENANTS_KEY = 'xeroGuardTenants';
const BUDGET_KEY = 'xeroGuardBudget';

export class XeroGuardConnectionTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Connection Trigger',
    name: 'xeroGuardConnectionTrigger',
    icon: { light: 'file:../../icons/xeroGuard.svg', dark: 'file:../../icons/xeroGuard.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["emitEveryPoll"] ? "Every poll" : "On state change" }}',
    description: 'Starts the workflow when a Xero connection breaks or recovers, and keeps its refresh token alive',
    defaults: { name: 'Xero Connection Watchdog' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: [
      {
        displayName:
          "Each poll checks the connection (token, organisations) and rotates the refresh token when it is due, so an idle connection never reaches Xero's 60-day limit. It fires only when the state changes.",
        name: 'triggerNotice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Organisation Name or ID',
        name: 'tenantId',
        type: 'options',
        typeOptions: { loadOptionsMethod: 'getTenants' },
        default: '',
        description:
          'Also read this organisation on every poll. Leave empty to check only the token and the list of organisations. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Watch Each Organisation',
        name: 'watchOrganisations',
        type: 'boolean',
        default: true,
        description:
          'Whether to start the workflow once for each organisation that is disconnected, added or recovered, besides the events for the whole connection',
      },
      {
        displayName: 'Limit to Organisations',
        name: 'onlyOrganisations',
        type: 'string',
        default: '',
        placeholder: 'Acme Ltd, 3f1c…',
        displayOptions: { show: { watchOrganisations: [true] } },
        description: 'Organisation names or IDs, separated by commas. Leave empty to watch every organisation the connection reaches.',
      },
      {
        displayName: 'Detect Refused Organisations (403)',
        name: 'probeOrganisations',
        type: 'boolean',
        default: false,
        displayOptions: { show: { watchOrganisations: [true] } },
        description:
          "Whether each poll also reads every watched organisation (one Xero call each, never from an organisation's last calls of the day), to find organisations Xero still lists but refuses (403)",
      },
      {
        displayName: 'Warn Below (% of Day Budget)',
        name: 'budgetWarnPercent',
        type: 'number',
        typeOptions: { minValue: 0, maxValue: 99 },
        default: 10,
        description:
          'Start the workflow once when an organisation has less than this share of its daily Xero calls left, and once when it recovers. 0 turns it off.',
      },
      {
        displayName: 'Calls per Organisation per Day',
        name: 'dayLimit',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 0,
        description: "Your Xero app tier's daily limit (Starter: 1,000). 0: learned from Xero's answers.",
      },
      {
        displayName: 'Emit Every Poll',
        name: 'emitEveryPoll',
        type: 'boolean',
        default: false,
        description: 'Whether to start the workflow on every poll with the current state, not only when it changes',
      },
    ],
  };

  methods = {
    loadOptions: { getTenants: loadTenantOptions },
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const manual = this.getMode() === 'manual';
    const emitEveryPoll = this.getNodeParameter('emitEveryPoll', false) === true;
    const tenantId = String(this.getNodeParameter('tenantId', '') ?? '').trim();
    const watchOrganisations = this.getNodeParameter('watchOrganisations', true) !== false;
    const only = String(this.getNodeParameter('onlyOrganisations', '') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const probe = watchOrganisations && this.getNodeParameter('probeOrganisations', false) === true;
    const warnPercent = numberOr(this.getNodeParameter('budgetWarnPercent', 10), 10);
    const dayLimit = numberOr(this.getNodeParameter('dayLimit', 0), 0);
    let credentials: ICredentialDataDecryptedObject | undefined;
    let session: GuardedSession | undefined;
    let result: CheckResult;
    let denied: DeniedTenant[] = [];
    try {
      const opened = await openNodeSession(this);
      credentials = opened.credentials;
      session = opened.session;
      const checked = await watchCheck(session, { tenantId, probe, only });
      ({ denied, ...result } = checked);
    } catch (error) {
      if (!isConnectionStateError(error)) throw toNodeError(this.getNode(), error, credentials);
      result = checkResultForError(error);
    }

    // A manual test run shows the current state and leaves the remembered one alone.
    const staticData = this.getWorkflowStaticData('node');
    const { event, state } = detectStateChange(staticData[STATE_KEY] as never, result, { emitEveryPoll: emitEveryPoll || manual });
    const tenantWatch = watchOrganisations
      ? detectTenantChanges(staticData[TENANTS_KEY] as TenantWatchState | undefined, { ...result, denied }, { only })
      : null;
    const budgetWatch =
      session?.budget && warnPercent > 0
        ? detectBudgetChanges(staticData[BUDGET_KEY] as BudgetWatchState | undefined, session.budget.all(), {
            now: Date.parse(result.checkedAt),
            policy: { warnFraction: Math.min(0.99, warnPercent / 100), ...(dayLimit >= 1 ? { dayLimit: Math.floor(dayLimit) } : {}) },
            names: Object.fromEntries(result.tenants.map((t) => [t.tenantId, t.tenantName])),
            only: only.length ? (id) => wanted(only, id, result.tenants) : undefined,
          })
        : null;
    if (!manual) {
      staticData[STATE_KEY] = state as unknown as IDataObject;
      if (tenantWatch) staticData[TENANTS_KEY] = tenantWatch.state as unknown as IDataObject;
      if (budgetWatch) staticData[BUDGET_KEY] = budgetWatch.state as unknown as IDataObject;
    }
    if (session && !manual) await recordCheckIfKept(session, result).catch(() => undefined);

    const items: INodeExecutionData[] = [];
    const context = eventContext(this, credentials);
    // The whole connection failing or coming back is the connection-wide event alone, not one per organisation.
    const connectionEvent = tenantWatch?.events.find((e) => e.kind === 'connection_lost' || e.kind === 'connection_restored');
    if (event) items.push({ json: connectionItem(context, result, event, connectionEvent) });
    for (const change of tenantWatch?.events ?? []) {
      if (change.kind === 'connection_lost' || change.kind === 'connection_restored') continue;
      items.push({ json: organisationItem(context, result, change) });
    }
    for (const change of budgetWatch?.events ?? []) items.push({ json: budgetItem(context, change) });
    if (items.length === 0 && !manual) return null;
    if (items.length === 0)
      items.push({ json: connectionItem(context, result, { kind: 'poll', from: result.status, to: result.status, previousSince: null }, undefined) });
    return [items];
  }
}

/** The check's organisations and outcome, beside the chain, for the fleet view (a ledger without notes keeps none). */
async function recordCheckIfKept(session: GuardedSession, result: CheckResult): Promise<void> {
  if (hasChainNotes(session.ledger)) await recordCheck(session.ledger, session.key, result);
}

function numberOr(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  return value === undefined || value === null || value === '' || !Number.isFinite(n) ? fallback : n;
}

function wanted(only: string[], tenantId: string, tenants: Array<{ tenantId: string; tenantName: string | null }>): boolean {
  const name = tenants.find((t) => t.tenantId === tenantId)?.tenantName?.toLowerCase();
  return only.some((w) => w.toLowerCase() === tenantId.toLowerCase() || (name !== undefined && w.toLowerCase() === name));
}

/**
 * The check of one poll: the connection, the chosen organisation (only while its budget allows a
 * housekeeping call) and, when asked, every watched organisation's 403s. Every Xero answer with a
 * tenant feeds the chain's call budget.
 */
async function watchCheck(
  session: GuardedSession,
  options: { tenantId: string; probe: boolean; only: string[] },
): Promise<CheckResult & { denied: DeniedTenant[] }> {
  const { engine, key, budget } = session;
  await budget?.load().catch(() => undefined);
  const budgeted = budgetedApi(session);
  const tenantId = options.tenantId && (budget?.mayUseForHousekeeping(options.tenantId) ?? true) ? options.tenantId : undefined;
  const result = await checkConnection({ engine, key, api: budgeted, tenantId });
  let denied: DeniedTenant[] = [];
  // A 403 for the chosen organisation while others answer is that organisation's trouble, not the connection's.
  if (tenantId && result.status !== 'connected' && result.problem?.category === 'tenant_access_denied' && result.tenants.length > 0) {
    denied.push({ tenantId, reason: result.reason });
    Object.assign(result, { status: 'connected', problem: undefined });
  }
  if (options.probe && result.status === 'connected' && result.tenants.length > 0) {
    const accessToken = await engine.getAccessToken(key);
    const probed = await probeTenants({
      api: budgeted,
      accessToken,
      tenants: result.tenants.filter((t) => t.tenantId !== tenantId),
      only: options.only.length ? (id) => wanted(options.only, id, result.tenants) : undefined,
      budget: budget ?? undefined,
    });
    denied = [...denied, ...probed.denied];
  }
  await budget?.flush().catch(() => undefined);
  return { ...result, denied };
}

interface EventContext {
  credentialName: string | null;
  link: string | null;
  workflowName: string | null;
  secrets: string[];
}

function eventContext(context: IPollFunctions, credentials: ICredentialDataDecryptedObject | undefined): EventContext {
  const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
  return {
    credentialName: credentialNameOf(context.getNode()),
    link: reconnectUrl(context, reference?.id),
    workflowName: context.getWorkflow().name ?? null,
    secrets: secretsOf(credentials),
  };
}

function connectionItem(context: EventContext, result: CheckResult, event: StateChangeEvent, wide: TenantChangeEvent | undefined): IDataObject {
  const problem = result.problem;
  const connected = result.status === 'connected';
  const alert = connected
    ? recoveredText({ connectionName: context.credentialName, secrets: context.secrets, detail: result.reason }, N8N_WORDS)
    : alertText(
        {
          connectionName: context.credentialName,
          code: result.tokenHealth.chainState === 'needs_reauth' ? 'NEEDS_REAUTH' : null,
          category: problem?.category,
          summary: result.reason,
          link: context.link,
          secrets: context.secrets,
        },
        N8N_WORDS,
      );
  return {
    event: event.kind,
    scope: 'connection',
    status: result.status,
    previousStatus: event.from,
    previousSince: event.previousSince,
    reason: result.reason,
    category: problem?.category ?? null,
    action: problem?.action ?? null,
    severity: problem?.severity ?? (connected ? 'info' : 'warning'),
    summary: problem?.summary ?? result.reason,
    advice: connected ? null : alert.advice,
    title: alert.title,
    message: alert.text,
    reconnectUrl: connected ? null : context.link,
    credentialName: context.credentialName,
    workflowName: context.workflowName,
    organisation: null,
    organisations: (wide?.organisations ?? result.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName }))) as unknown as IDataObject[],
    checkedAt: result.checkedAt,
    tenants: result.tenants as unknown as IDataObject[],
    tokenHealth: result.tokenHealth as unknown as IDataObject,
    ...(problem ? { problem: { ...problem, advice: categoryAdvice(problem.category, N8N_WORDS, problem.advice) } as unknown as IDataObject } : {}),
  };
}

function organisationItem(context: EventContext, result: CheckResult, change: TenantChangeEvent): IDataObject {
  const organisation = { tenantId: change.tenantId ?? '', tenantName: change.tenantName };
  const good = change.kind === 'organisation_added' || change.kind === 'organisation_recovered';
  const category = change.kind === 'organisation_unreachable' ? 'tenant_access_denied' : 'access_revoked';
  const named = { connectionName: context.credentialName, organisation, secrets: context.secrets };
  const alert =
    change.kind === 'organisation_added'
      ? organisationAddedText(named, N8N_WORDS)
      : good
        ? recoveredText({ ...named, detail: 'Xero answers for this organisation again.' }, N8N_WORDS)
        : alertText({ ...named, category, summary: change.reason, link: context.link }, N8N_WORDS);
  return {
    event: change.kind,
    scope: 'organisation',
    status: result.status,
    organisation: organisation as unknown as IDataObject,
    tenantId: change.tenantId,
    tenantName: change.tenantName,
    previousState: change.from,
    state: change.to,
    reason: change.reason,
    category: good ? null : category,
    severity: good ? 'info' : 'warning',
    advice: good ? null : alert.advice,
    title: alert.title,
    message: alert.text,
    reconnectUrl: good ? null : context.link,
    credentialName: context.credentialName,
    workflowName: context.workflowName,
    checkedAt: change.at,
  };
}

function budgetItem(context: EventContext, change: BudgetEvent): IDataObject {
  const low = change.kind === 'budget_low';
  const organisation = { tenantId: change.tenantId, tenantName: change.tenantName };
  const alert = budgetText(
    { connectionName: context.credentialName, low, organisation, dayRemaining: change.dayRemaining, dayLimit: change.dayLimit, secrets: context.secrets },
    N8N_WORDS,
  );
  return {
    event: change.kind,
    scope: 'budget',
    organisation,
    tenantId: change.tenantId,
    tenantName: change.tenantName,
    dayRemaining: change.dayRemaining,
    dayLimit: change.dayLimit,
    threshold: change.threshold,
    reason: alert.summary,
    severity: low ? 'warning' : 'info',
    advice: low ? alert.advice : null,
    title: alert.title,
    message: alert.text,
    credentialName: context.credentialName,
    workflowName: context.workflowName,
    checkedAt: change.at,
  };
}

/** The credential's page in the editor, when the editor's address is known. */
function reconnectUrl(context: IPollFunctions, credentialId: string | null | undefined): string | null {
  if (!credentialId) return null;
  let base = process.env.N8N_EDITOR_BASE_URL?.trim().replace(/\/+$/, '') || null;
  if (!base) {
    try {
      base = context.getInstanceBaseUrl()?.replace(/\/+$/, '') || null;
    } catch {
      base = null;
    }
  }
  base ??= n8nEditorBaseUrl();
  return base ? `${base}/home/credentials/${encodeURIComponent(credentialId)}` : null;
}
