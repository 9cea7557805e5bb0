import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { checkConnection, detectStateChange, type CheckResult, type StateChangeEvent } from '../../src/check';
import { checkResultForError } from '../../src/host';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { n8nEditorBaseUrl } from '../shared/n8n-environment';
import { isConnectionStateError, openNodeSession, toNodeError } from '../shared/node-support';
import { loadTenantOptions } from '../shared/tenants';

const STATE_KEY = 'xeroGuardWatch';

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
    let credentials: ICredentialDataDecryptedObject | undefined;
    let result: CheckResult;
    try {
      const opened = await openNodeSession(this);
      credentials = opened.credentials;
      const { engine, key, api } = opened.session;
      result = await checkConnection({ engine, key, api, tenantId: tenantId || undefined });
    } catch (error) {
      if (!isConnectionStateError(error)) throw toNodeError(this.getNode(), error, credentials);
      result = checkResultForError(error);
    }

    // A manual test run shows the current state and leaves the remembered one alone.
    const staticData = this.getWorkflowStaticData('node');
    const { event, state } = detectStateChange(staticData[STATE_KEY] as never, result, { emitEveryPoll: emitEveryPoll || manual });
    if (!manual) staticData[STATE_KEY] = state as unknown as IDataObject;
    if (!event && !manual) return null;
    const shown: StateChangeEvent = event ?? { kind: 'poll', from: result.status, to: result.status, previousSince: null };
    return [[{ json: itemFor(this, result, shown) }]];
  }
}

function itemFor(context: IPollFunctions, result: CheckResult, event: StateChangeEvent): IDataObject {
  const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
  const link = reconnectUrl(context, reference?.id);
  const name = reference?.name ? `"${reference.name}"` : 'the Xero credential';
  const problem = result.problem;
  return {
    event: event.kind,
    status: result.status,
    previousStatus: event.from,
    previousSince: event.previousSince,
    reason: result.reason,
    category: problem?.category ?? null,
    action: problem?.action ?? null,
    severity: problem?.severity ?? (result.status === 'connected' ? 'info' : 'warning'),
    summary: problem?.summary ?? result.reason,
    advice: problem?.advice ?? null,
    reconnectUrl: result.status === 'connected' ? null : link,
    reconnectHint:
      result.status === 'connected'
        ? null
        : `Open the credential ${name} in n8n${link ? ` (${link})` : ' (Overview > Credentials)'} and click "Connect my account".`,
    credentialName: reference?.name ?? null,
    workflowName: context.getWorkflow().name ?? null,
    checkedAt: result.checkedAt,
    tenants: result.tenants as unknown as IDataObject[],
    tokenHealth: result.tokenHealth as unknown as IDataObject,
    ...(problem ? { problem: problem as unknown as IDataObject } : {}),
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
