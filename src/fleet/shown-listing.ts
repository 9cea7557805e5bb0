import { CHAIN_KEY } from '../engine/connection-key';
import { XeroGuardSetupError } from '../errors';
import { keyedId } from '../secrets/keyed-id';
import type { FleetEntry, FleetListing } from './list-fleet';

/**
 * What a node or a command shows of a fleet listing (issue 24, item 2): never a chain key, never a
 * client id. A chain key names the chain in the ledger every credential of a host shares and holds
 * the app's client id; shown, it told anyone who could run a workflow which apps and chains the
 * instance holds. Each chain is named instead by `id`, a keyed name of its key: stable across the
 * processes and restarts of one host (a watchdog remembers chains by it), meaningless elsewhere.
 */

export type ShownFleetEntry = Omit<FleetEntry, 'key'> & { id: string };

export interface ShownFleetListing extends Omit<FleetListing, 'chains'> {
  chains: ShownFleetEntry[];
}

/**
 * Which chains a fleet view lists. `own`: the chain of the view's own credential or connection
 * node only (the default: n8n keeps each user to the credentials they own or were given). `ledger`:
 * every chain of the ledger, which only the operator may turn on (n8n: an environment variable;
 * Node-RED: settings.js), never a field of a credential or node.
 */
export type FleetScope = 'own' | 'ledger';

/** The operator's setting, read strictly: a typo must not widen the view, nor silently narrow it. */
export function fleetScopeOf(value: unknown, setting: string): FleetScope {
  if (value === undefined || value === null || value === '') return 'own';
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === 'own' || text === 'ledger') return text;
  throw new XeroGuardSetupError(
    'MISCONFIGURED',
    `${setting} must be "own" (each view lists only its own connection, the default) or "ledger" (every connection of the ledger); it is ${JSON.stringify(value)}.`,
  );
}

/** A chain's id in what is shown: 16 hex characters, keyed with the host's secret. */
export function fleetChainId(key: string, hostKey: string): string {
  return keyedId(hostKey, 'fleet chain id v1', key, 8);
}

/**
 * The listing without keys: each chain with its id; a chain known by nothing better than its key
 * named "Unnamed Xero connection <id>"; any chain key in a name or a reason replaced ("this
 * connection" for its own, "another Xero connection" for others), and every client id the
 * listing's keys hold replaced wherever it appears.
 */
export function shownListing(listing: FleetListing, hostKey: string): ShownFleetListing {
  const clientIds = new Set(listing.chains.flatMap((c) => (c.key.startsWith('xero:') ? [c.key.split(':')[1] ?? ''] : [])).filter((id) => id.length >= 8));
  const scrub = (text: string, own: string): string => {
    let out = text.replace(CHAIN_KEY, (found) => (found === own ? 'this connection' : 'another Xero connection'));
    for (const clientId of clientIds) out = out.split(clientId).join('[client id]');
    return out;
  };
  const chains = listing.chains.map(({ key, ...entry }): ShownFleetEntry => {
    const id = fleetChainId(key, hostKey);
    const name = entry.nameSource === 'key' ? `Unnamed Xero connection ${id.slice(0, 8)}` : scrub(entry.name, key);
    return { ...entry, id, name, reason: entry.reason === null ? null : scrub(entry.reason, key) };
  });
  return { ...listing, chains };
}
