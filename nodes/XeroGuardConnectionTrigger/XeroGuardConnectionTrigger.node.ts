/**
 * The Connection Trigger: n8n's side of the core's one watch step (src/host/watch.ts). n8n's poll
 * runs the step through the credential's session; what the watch remembers lives in the
 * workflow's static data (under the keys older versions used, so an upgrade keeps it); each event
 * becomes one item in n8n's words.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { CheckResult } from '../../src/check';
import {
  failedObservation,
  organisationList,
  readWatchMemory,
  watchPoll,
  watchStep,
  type ConnectionWatchEvent,
  type OrganisationWatchEvent,
  type BudgetWatchEvent,
  type CapWatchEvent,
  type WatchEvent,
  type WatchMemoryStore,
  type WatchSettings,
  type WatchStepResult,
  type WatchTexts,
} from '../../src/host';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { n8nEditorBaseUrl } from '../shared/n8n-environment';
import { credentialNameOf, isConnectionStateError, N8N_WORDS, openNodeSession, toNodeError } from '../shared/node-support';
import { secretsOf } from '../shared/safe-error';
import { loadTenantOptions } from '../shared/tenants';

/** The static data keys of the watch's memory: the connection, each organisation, each budget, the scopes. */
const STATE_KEY = 'xeroGuardWatch';
const TENANTS_KEY = 'xeroGuardTenants';
const BUDGET_KEY = 'xeroGuardBudget';
const CAPS_KEY = 'xeroGuardCaps';
const SCOPES_KEY = 'xeroGuardScopes';

export class XeroGuardConnectionTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Connection Trigger',
    name: 'xeroGuardConnectionTrigger',
    icon: { light: 'file:../../icons/xero-guard-watch.svg', dark: 'file:../../icons/xero-guard-watch.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["emitEveryPoll"] ? "Report every check" : "Report changes" }}',
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
    const watchOrganisations = this.getNodeParameter('watchOrganisations', true) !== false;
    const warnPercent = numberOr(this.getNodeParameter('budgetWarnPercent', 10), 10);
    const dayLimit = numberOr(this.getNodeParameter('dayLimit', 0), 0);
    const settings: WatchSettings = {
      tenantId: String(this.getNodeParameter('tenantId', '') ?? '').trim(),
      organisations: watchOrganisations,
      only: organisationList(this.getNodeParameter('onlyOrganisations', '')),
      probe: watchOrganisations && this.getNodeParameter('probeOrganisations', false) === true,
      budget: warnPercent > 0 ? { warnFraction: Math.min(0.99, warnPercent / 100), ...(dayLimit >= 1 ? { dayLimit: Math.floor(dayLimit) } : {}) } : null,
      // A manual test run shows the current state and leaves the remembered one alone.
      emitEveryPoll: this.getNodeParameter('emitEveryPoll', false) === true || manual,
    };
    const store = staticDataMemory(this.getWorkflowStaticData('node'));
    const memory = await store.load();
    let credentials: ICredentialDataDecryptedObject | undefined;
    let polled: WatchStepResult;
    try {
      const opened = await openNodeSession(this);
      credentials = opened.credentials;
      polled = await watchPoll(opened.session, memory, settings, textsOf(this, credentials), { record: !manual });
    } catch (error) {
      if (!isConnectionStateError(error)) throw toNodeError(this.getNode(), error, credentials);
      polled = watchStep(memory, failedObservation(error), settings, textsOf(this, credentials));
    }
    if (!manual) await store.save(polled.memory);
    const context = { credentialName: credentialNameOf(this.getNode()), workflowName: this.getWorkflow().name ?? null };
    const items = polled.events.map((event) => ({ json: itemOf(event, polled.result, context) }));
    return items.length > 0 ? [items] : null;
  }
}

/** The watch's memory in the workflow's static data, one key per part. */
function staticDataMemory(staticData: IDataObject): WatchMemoryStore {
  return {
    load: () =>
      readWatchMemory({
        connection: staticData[STATE_KEY],
        organisations: staticData[TENANTS_KEY],
        budget: staticData[BUDGET_KEY],
        caps: staticData[CAPS_KEY],
        scopes: staticData[SCOPES_KEY],
      }),
    save(memory) {
      if (memory.connection) staticData[STATE_KEY] = memory.connection as unknown as IDataObject;
      if (memory.organisations) staticData[TENANTS_KEY] = memory.organisations as unknown as IDataObject;
      if (memory.budget) staticData[BUDGET_KEY] = memory.budget as unknown as IDataObject;
      if (memory.caps) staticData[CAPS_KEY] = memory.caps as unknown as IDataObject;
      if (memory.scopes) staticData[SCOPES_KEY] = memory.scopes as unknown as IDataObject;
    },
  };
}

function numberOr(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  return value === undefined || value === null || value === '' || !Number.isFinite(n) ? fallback : n;
}

/** n8n's words, the credential's name and its page in the editor, and what must never show. */
function textsOf(context: IPollFunctions, credentials: ICredentialDataDecryptedObject | undefined): WatchTexts {
  const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
  return {
    words: N8N_WORDS,
    connectionName: credentialNameOf(context.getNode()),
    link: reconnectUrl(context, reference?.id),
    secrets: secretsOf(credentials),
  };
}

interface ItemContext {
  credentialName: string | null;
  workflowName: string | null;
}

function itemOf(event: WatchEvent, result: CheckResult, context: ItemContext): IDataObject {
  if (event.scope === 'connection') return connectionItem(event, result, context);
  if (event.scope === 'organisation') return organisationItem(event, result, context);
  if (event.scope === 'app') return capItem(event, context);
  return budgetItem(event, context);
}

function connectionItem(event: ConnectionWatchEvent, result: CheckResult, context: ItemContext): IDataObject {
  const { problem, good, alert } = event;
  return {
    event: event.kind,
    scope: 'connection',
    status: result.status,
    previousStatus: event.change.from,
    previousSince: event.change.previousSince,
    // Scopes a reconnect lost: the connection answers, so the check's reason ("Connected...") would hide what is wrong.
    reason: event.kind === 'scopes_lost' ? alert.summary : result.reason,
    category: problem?.category ?? null,
    action: problem?.action ?? null,
    severity: problem?.severity ?? (good ? 'info' : 'warning'),
    summary: problem?.summary ?? result.reason,
    advice: alert.advice,
    title: alert.title,
    message: alert.message,
    reconnectUrl: good ? null : event.link,
    credentialName: context.credentialName,
    workflowName: context.workflowName,
    organisation: null,
    organisations: event.organisations as unknown as IDataObject[],
    checkedAt: result.checkedAt,
    tenants: result.tenants as unknown as IDataObject[],
    tokenHealth: result.tokenHealth as unknown as IDataObject,
    ...(problem ? { problem: problem as unknown as IDataObject } : {}),
  };
}

function organisationItem(event: OrganisationWatchEvent, result: CheckResult, context: ItemContext): IDataObject {
  const { change, good, alert } = event;
  return {
    event: event.kind,
    scope: 'organisation',
    status: result.status,
    organisation: event.organisation as unknown as IDataObject,
    tenantId: change.tenantId,
    tenantName: change.tenantName,
    previousState: change.from,
    state: change.to,
    reason: change.reason,
    category: event.category,
    severity: good ? 'info' : 'warning',
    advice: alert.advice,
    title: alert.title,
    message: alert.message,
    reconnectUrl: good ? null : event.link,
    credentialName: context.credentialName,
    workflowName: context.workflowName,
    checkedAt: change.at,
  };
}

function budgetItem(event: BudgetWatchEvent, context: ItemContext): IDataObject {
  const { change, good, alert } = event;
  return {
    event: event.kind,
    scope: 'budget',
    organisation: event.organisation as unknown as IDataObject,
    tenantId: change.tenantId,
    tenantName: change.tenantName,
    dayRemaining: change.dayRemaining,
    dayLimit: change.dayLimit,
    threshold: change.threshold,
    reason: alert.summary,
    severity: good ? 'info' : 'warning',
    advice: alert.advice,
    title: alert.title,
    message: alert.message,
    credentialName: context.credentialName,
    workflowName: context.workflowName,
    checkedAt: change.at,
  };
}

/** The Xero app one connection short of its tier's cap, or at it: the app by its fingerprint, the fix. */
function capItem(event: CapWatchEvent, context: ItemContext): IDataObject {
  const { change, alert } = event;
  return {
    event: event.kind,
    scope: 'app',
    app: change.app,
    tier: change.tierName,
    connected: change.connected,
    cap: change.cap,
    reason: alert.summary,
    severity: 'warning',
    advice: alert.advice,
    title: alert.title,
    message: alert.message,
    reconnectUrl: null,
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
