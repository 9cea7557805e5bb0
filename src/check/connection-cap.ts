import { jwtClaims } from '../xero/token-set';
import { XERO_TIERS, type XeroTier } from '../xero-tiers';

/**
 * How close each Xero app is to its tier's connection cap, counted from what the ledger knows: the
 * organisations each chain's last check saw (the fleet's `tenants` note), distinct per app (client id),
 * since Xero counts organisations connected to the app, whoever connected them. The ledger knows only the
 * chains of this host, so the count is a floor: organisations connected to the same app elsewhere (another
 * host, another tool) are not in it. Pure: the fleet listing and the hosts feed it, a watcher compares reports.
 */

/** One chain as the count needs it. */
export interface ChainOrganisations {
  /** The app the chain belongs to (chainClientId); null when it cannot be told. */
  clientId: string | null;
  /** The organisations its last check saw connected; null when no check has recorded them. */
  tenantIds: readonly string[] | null;
}

/** Where an app stands: `cap_minus_one` one connection short, `at_cap` the next consent lands on Xero's connection-limit page. */
export type CapLevel = 'ok' | 'cap_minus_one' | 'at_cap' | 'over_cap';

export interface ConnectionCapReport {
  clientId: string;
  tier: XeroTier;
  /** The tier as Xero writes it (`Starter`). */
  tierName: string;
  /** Distinct organisations the app's chains last saw connected. */
  connected: number;
  /** The tier's cap; null: no cap (Enterprise). */
  cap: number | null;
  /** Connections left before the cap (0 at or over it); null without a cap. */
  remaining: number | null;
  /** `over_cap`: more than the tier allows are connected, so the tier setting is likely below the app's real tier. */
  level: CapLevel;
  /** Chains of this app whose organisations no check has recorded yet: the count may be low until they are checked. */
  chainsNotCounted: number;
  tenantIds: string[];
}

/** Pure: where `connected` organisations stand against `tier`'s cap. */
export function capLevel(tier: XeroTier, connected: number): { cap: number | null; remaining: number | null; level: CapLevel } {
  const cap = XERO_TIERS[tier].connectionCap;
  if (cap === null) return { cap, remaining: null, level: 'ok' };
  const level: CapLevel = connected > cap ? 'over_cap' : connected === cap ? 'at_cap' : connected === cap - 1 ? 'cap_minus_one' : 'ok';
  return { cap, remaining: Math.max(0, cap - connected), level };
}

/**
 * Pure: one report per app, apps in client-id order. `tierOf` gives each app's tier (the setting of the
 * credentials or config nodes that use it); chains whose app cannot be told are left out.
 */
export function connectionCapReport(chains: readonly ChainOrganisations[], tierOf: XeroTier | ((clientId: string) => XeroTier)): ConnectionCapReport[] {
  const apps = new Map<string, { tenants: Set<string>; notCounted: number }>();
  for (const chain of chains) {
    if (chain.clientId === null || chain.clientId === '') continue;
    const app = apps.get(chain.clientId) ?? { tenants: new Set<string>(), notCounted: 0 };
    apps.set(chain.clientId, app);
    if (chain.tenantIds === null) app.notCounted += 1;
    // Xero's tenant ids are GUIDs: one organisation however a record cased it.
    else for (const t of chain.tenantIds) app.tenants.add(t.toLowerCase());
  }
  return [...apps.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([clientId, app]) => {
      const tier = typeof tierOf === 'function' ? tierOf(clientId) : tierOf;
      const tenantIds = [...app.tenants].sort();
      return {
        clientId,
        tier,
        tierName: XERO_TIERS[tier].name,
        connected: tenantIds.length,
        ...capLevel(tier, tenantIds.length),
        chainsNotCounted: app.notCounted,
        tenantIds,
      };
    });
}

/**
 * The app a chain belongs to: the `xero:<client id>:` of an n8n chain key, else the `client_id` claim
 * of its access token (Node-RED names chains after its config nodes). The claim is read unverified:
 * it only groups chains for a count, it never grants anything.
 */
export function chainClientId(key: string, accessToken?: string | null): string | null {
  const fromKey = /^xero:([A-Za-z0-9_-]+):/.exec(key)?.[1];
  if (fromKey) return fromKey;
  const claim = jwtClaims(accessToken).client_id;
  return typeof claim === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(claim) ? claim : null;
}

export interface CapEvent {
  /** `connection_cap_near`: one connection left; `connection_cap_reached`: the next consent will land on Xero's connection-limit page. */
  kind: 'connection_cap_near' | 'connection_cap_reached';
  clientId: string;
  tierName: string;
  connected: number;
  cap: number;
  at: string;
}

/** What a watcher remembers between looks, per app (JSON-safe, for n8n static data). */
export type CapWatchState = Record<string, { level: CapLevel }>;

const RANK: Record<CapLevel, number> = { ok: 0, cap_minus_one: 1, at_cap: 2, over_cap: 2 };

/**
 * Pure: one event per app whose count climbed to cap minus one, one when it reached the cap, none while
 * nothing changes; a watcher that starts on an app already there reports it once. Falling back (a connection
 * removed) arms the event again, so the next climb is reported.
 */
export function detectCapChanges(
  previous: CapWatchState | null | undefined,
  reports: readonly ConnectionCapReport[],
  now: number,
): { events: CapEvent[]; state: CapWatchState } {
  const prev = previous && typeof previous === 'object' ? previous : {};
  const state: CapWatchState = {};
  const events: CapEvent[] = [];
  for (const report of reports) {
    state[report.clientId] = { level: report.level };
    const before = prev[report.clientId];
    const was = isCapEntry(before) ? RANK[before.level] : 0;
    const is = RANK[report.level];
    if (is <= was || report.cap === null) continue;
    const kind = is === 2 ? 'connection_cap_reached' : 'connection_cap_near';
    events.push({ kind, clientId: report.clientId, tierName: report.tierName, connected: report.connected, cap: report.cap, at: new Date(now).toISOString() });
  }
  // Apps no longer reported keep their memory, so a gap in the listing is not a fall below the cap.
  for (const [clientId, entry] of Object.entries(prev)) if (!(clientId in state) && isCapEntry(entry)) state[clientId] = entry;
  return { events, state };
}

function isCapEntry(value: unknown): value is { level: CapLevel } {
  const level = !!value && typeof value === 'object' ? (value as { level?: unknown }).level : undefined;
  return typeof level === 'string' && Object.prototype.hasOwnProperty.call(RANK, level);
}
