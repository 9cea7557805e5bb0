/**
 * Xero Guard Connections: the chains of a token ledger as a person reads them, from the ledger
 * alone (no call to Xero). By default only the chain of the node's own credential: n8n keeps each
 * user to the credentials they own or were given, and the ledger is shared by every credential of
 * the instance. The instance owner may widen it to every chain of the ledger with the environment
 * variable XERO_GUARD_FLEET_SCOPE=ledger (no credential or node field can). Either way no chain key
 * or client id is shown (issue 24, item 2). Also an AI tool: the same output, the same rule.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import {
  diffFleet,
  fleetScopeOf,
  fleetStateNeedsHuman,
  listFleet,
  shownListing,
  type FleetChangeEvent,
  type FleetWatchState,
  type ShownFleetEntry,
} from '../../src/fleet';
import { alertText, recoveredText } from '../../src/host';
import { appCapsOf } from '../shared/connection-caps';
import { CREDENTIAL_TYPE, openGuardedLedger } from '../shared/guarded-session';
import { N8N_WORDS, toNodeError } from '../shared/node-support';

/** The instance owner's setting: "own" (default) or "ledger". */
const FLEET_SCOPE_VARIABLE = 'XERO_GUARD_FLEET_SCOPE';
/**
 * Where the watchdog remembers the fleet, per scope: a state from another scope, or from before ids
 * replaced keys, is not compared with (the first run after a change reports only what needs a person).
 */
const fleetStateKey = (scope: string) => `xeroGuardFleet:${scope}:v2`;

export class XeroGuardConnections implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Connections',
    name: 'xeroGuardConnections',
    icon: { light: 'file:../../icons/xero-guard-connections.svg', dark: 'file:../../icons/xero-guard-connections.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["mode"] === "changes" ? "Fleet watchdog: changes only" : "List connections" }}',
    description: "Lists the credential's Xero connection (or, if the instance owner allows it, every one) with its state and the fix, without calling Xero",
    defaults: { name: 'Xero Connections' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: [
      {
        displayName:
          "Lists this credential's connection from its token ledger. The instance owner can list every connection of the ledger by setting XERO_GUARD_FLEET_SCOPE=ledger on n8n. Nothing is sent to Xero and nothing is changed.",
        name: 'fleetNotice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Mode',
        name: 'mode',
        type: 'options',
        noDataExpression: true,
        options: [
          {
            name: 'List Connections',
            value: 'list',
            description: "One item per connection listed: this credential's, or every one in the ledger if the instance owner allows it",
          },
          {
            name: 'Changes Only (Fleet Watchdog)',
            value: 'changes',
            description:
              'One item per connection whose state changed since the last run (put a Schedule Trigger before it); the first run reports the ones that need a person',
          },
        ],
        default: 'list',
      },
      {
        displayName: 'Only Those Needing a Person',
        name: 'needsAttention',
        type: 'boolean',
        default: false,
        displayOptions: { show: { mode: ['list'] } },
        description: 'Whether to list only connections that need a reconnect or a fix',
      },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    let credentials: ICredentialDataDecryptedObject | undefined;
    try {
      credentials = await this.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE);
      const scope = fleetScopeOf(process.env[FLEET_SCOPE_VARIABLE], `The environment variable ${FLEET_SCOPE_VARIABLE}`);
      const opened = await openGuardedLedger(credentials);
      const only = scope === 'own' ? (opened.ownKey ? [opened.ownKey] : []) : undefined;
      const raw = await listFleet(opened.ledger, { clock: opened.clock, policy: opened.policy, only });
      const listing = shownListing(raw, opened.hostKey);
      // Each chain's app against its tier's connection limit, counted from the ledger (issue 28).
      const caps = await appCapsOf(opened, credentials, scope);
      const mode = this.getNodeParameter('mode', 0, 'list');
      if (mode === 'changes') {
        const staticData = this.getWorkflowStaticData('node');
        const stateKey = fleetStateKey(scope);
        const { events, state } = diffFleet(staticData[stateKey] as FleetWatchState | undefined, listing);
        // A manual run shows what would fire and leaves the remembered fleet alone.
        if (this.getMode() !== 'manual') {
          staticData[stateKey] = state as unknown as IDataObject;
          // What earlier versions remembered was keyed by chain key: it goes.
          delete staticData.xeroGuardFleet;
        }
        return [events.map((event) => ({ json: changeItem(event, listing.ledger), pairedItem: { item: 0 } }))];
      }
      const onlyProblems = this.getNodeParameter('needsAttention', 0, false) === true;
      const chains = onlyProblems ? listing.chains.filter((c) => fleetStateNeedsHuman(c.state)) : listing.chains;
      const capOf = new Map(listing.chains.map((chain, i) => [chain, caps(raw.chains[i].key)]));
      return [chains.map((chain) => ({ json: { ...chainItem(chain, listing.ledger), connectionCap: capOf.get(chain) ?? null }, pairedItem: { item: 0 } }))];
    } catch (error) {
      throw toNodeError(this.getNode(), error, credentials);
    }
  }
}

/** One chain as the user reads it: their name for it, its state and, when it needs one, the fix in n8n's words. */
function chainItem(chain: ShownFleetEntry, ledger: string): IDataObject {
  const trouble = chain.state !== 'active' && chain.state !== 'refreshing';
  const alert = trouble
    ? alertText({ connectionName: chain.name, code: codeOf(chain), category: chain.lastErrorCategory, summary: chain.reason }, N8N_WORDS)
    : null;
  return {
    name: chain.name,
    nameSource: chain.nameSource,
    state: chain.state,
    needsPerson: fleetStateNeedsHuman(chain.state),
    reason: chain.reason,
    advice: alert?.advice ?? null,
    message: alert?.text ?? null,
    grant: chain.grant,
    organisations: (chain.organisations ?? []) as unknown as IDataObject[],
    organisationsSeenAt: chain.organisationsSeenAt,
    accessTokenExpiresAt: chain.accessTokenExpiresAt,
    accessTokenValid: chain.accessTokenValid,
    lastRotationAt: chain.lastRotationAt,
    refreshTokenIdleExpiresAt: chain.refreshTokenIdleExpiresAt,
    daysLeftBeforeIdleExpiry: chain.daysLeftBeforeIdleExpiry,
    pendingRefreshSince: chain.pendingRefreshSince,
    lastErrorCategory: chain.lastErrorCategory,
    lastErrorAt: chain.lastErrorAt,
    lastCheck: chain.lastCheck as unknown as IDataObject,
    problemCode: chain.problemCode,
    id: chain.id,
    ledger,
  };
}

function changeItem(event: FleetChangeEvent, ledger: string): IDataObject {
  const good = event.to === 'active';
  const alert =
    event.kind === 'removed'
      ? null
      : good
        ? recoveredText(
            { connectionName: event.name, detail: event.from ? `It was ${event.from.replace('_', ' ')}; it works again.` : 'A new connection in the ledger.' },
            N8N_WORDS,
          )
        : alertText(
            { connectionName: event.name, code: event.chain ? codeOf(event.chain) : null, category: event.chain?.lastErrorCategory, summary: event.reason },
            N8N_WORDS,
          );
  return {
    event: event.kind,
    name: event.name,
    from: event.from,
    to: event.to,
    reason: event.reason,
    advice: good ? null : (alert?.advice ?? null),
    message: alert?.text ?? `Xero connection "${event.name}" is no longer in the ledger.`,
    at: event.at,
    ...(event.chain ? { chain: chainItem(event.chain, ledger) } : {}),
  };
}

/** The engine's code for a chain's state, so the alert gives the precise fix. */
function codeOf(chain: ShownFleetEntry): string | null {
  if (chain.problemCode) return chain.problemCode;
  if (chain.state === 'needs_reauth') return 'NEEDS_REAUTH';
  if (chain.state === 'misconfigured') return 'MISCONFIGURED';
  if (chain.state === 'superseded') return 'SUPERSEDED';
  return null;
}
