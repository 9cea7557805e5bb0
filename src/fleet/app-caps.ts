/**
 * Each Xero app's connections against its tier's cap, from the ledger alone (no call to Xero): the
 * organisations each chain's last check saw (the tenants note), counted per app by the rule in
 * src/check/connection-cap.ts, and shown without the client id (a short fingerprint names the app).
 * The tier comes from the user's setting (the n8n credential's or the Node-RED config node's "Xero App
 * Tier"), noted beside each chain by its session, so a command reading the ledger alone
 * (`xero-guard-ledger status`) counts each app against the tier its own users set.
 */
import { chainClientId, connectionCapReport, type ConnectionCapReport } from '../check';
import { hasChainNotes, type ChainNotes, type Ledger } from '../ledger';
import { fingerprint } from '../secrets';
import { parseXeroTier, tierAtLeast, XERO_TIER_DEFAULT, type XeroTier } from '../xero-tiers';
import { parseTenantsNote, TENANTS_NOTE } from './notes';

/** The note beside a chain naming the tier its credential or config node sets. */
export const TIER_NOTE = 'tier';

/** Writes the tier a chain's app is set to, beside the chain (notes only: no version, no lease). */
export async function noteTier(notes: ChainNotes, key: string, tier: XeroTier, now: number): Promise<void> {
  await notes.writeNotes(key, { [TIER_NOTE]: { tier, at: now } });
}

/** The tier a stored note names; null for none or anything malformed. */
export function parseTierNote(value: unknown): XeroTier | null {
  return value && typeof value === 'object' ? parseXeroTier((value as { tier?: unknown }).tier) : null;
}

/** A Xero app as a person may see it: a short fingerprint of its client id, never the id. */
export function appLabel(clientId: string): string {
  return `app ${fingerprint(`xero app:${clientId}`).slice(0, 8)}`;
}

export interface LedgerCapOptions {
  /** The viewer's own chain: its app is counted against `tier`, and `tenantIds` (a check just made) stand for its note. */
  own?: { key: string; clientId: string; tier: XeroTier; tenantIds?: readonly string[] };
  /** Only this app (the viewer's own); default every app of the ledger. */
  onlyClientId?: string;
  /** The tier of an app no chain names one for, and of every app when given as `force`. Default Starter. */
  defaultTier?: XeroTier;
  /** Every app counted against this tier, whatever its chains noted (a command's --tier). */
  force?: XeroTier;
  /** Chains read at once. Default 8. */
  concurrency?: number;
}

/**
 * Every app's report from the ledger alone (no call to Xero): each chain's app from its key or its
 * token's client_id claim, its organisations from its last check's note, its tier from its note (the
 * highest any of the app's chains names: a tier moved up shows at once), the viewer's own overriding.
 * A chain that cannot be read is left out of the count.
 */
export async function ledgerCapReports(ledger: Ledger, options: LedgerCapOptions = {}): Promise<ConnectionCapReport[]> {
  // A key that names its app (n8n's `xero:<client id>:`) and names another is not read: a watch polls this often.
  const keys = (await ledger.keys()).filter((key) => {
    const named = chainClientId(key);
    return options.onlyClientId === undefined || named === null || named === options.onlyClientId;
  });
  const chains: Array<{ clientId: string | null; tenantIds: string[] | null; tier: XeroTier | null }> = [];
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const chain = await readChain(ledger, key, options).catch(() => null);
      if (chain && (options.onlyClientId === undefined || chain.clientId === options.onlyClientId)) chains.push(chain);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, keys.length)) }, worker));
  const own = options.own;
  if (own && !keys.includes(own.key) && own.tenantIds) chains.push({ clientId: own.clientId, tenantIds: [...own.tenantIds], tier: own.tier });
  const noted = new Map<string, XeroTier>();
  for (const c of chains) {
    if (c.clientId === null || c.tier === null) continue;
    const before = noted.get(c.clientId);
    if (before === undefined || tierAtLeast(c.tier, before)) noted.set(c.clientId, c.tier);
  }
  const tierOf = (clientId: string): XeroTier =>
    options.force ?? (own && clientId === own.clientId ? own.tier : (noted.get(clientId) ?? options.defaultTier ?? XERO_TIER_DEFAULT));
  return connectionCapReport(chains, tierOf);
}

async function readChain(
  ledger: Ledger,
  key: string,
  options: LedgerCapOptions,
): Promise<{ clientId: string | null; tenantIds: string[] | null; tier: XeroTier | null }> {
  const own = options.own?.key === key ? options.own : undefined;
  const notes = hasChainNotes(ledger) ? await ledger.readNotes(key) : {};
  // An n8n chain key names its app; a Node-RED one (a node id) does not, its token does.
  let clientId = own?.clientId ?? chainClientId(key);
  if (clientId === null) clientId = chainClientId(key, (await ledger.read(key))?.tokenSet.accessToken ?? null);
  const seen = parseTenantsNote(notes[TENANTS_NOTE]);
  const tenantIds = own?.tenantIds ? [...own.tenantIds] : seen ? seen.tenants.map((t) => t.tenantId) : null;
  return { clientId, tenantIds, tier: own?.tier ?? parseTierNote(notes[TIER_NOTE]) };
}

/** A report as a node, a command or an alert shows it: the app by its fingerprint, never its client id or organisations. */
export type ShownCapReport = Omit<ConnectionCapReport, 'clientId' | 'tenantIds'> & {
  /** `app <8 hex>`: a fingerprint of the client id. */
  app: string;
  /** One sentence: where the app stands and, near or at the cap, what happens next. */
  summary: string;
};

export function shownCapReport(report: ConnectionCapReport): ShownCapReport {
  const { clientId, tenantIds: _tenantIds, ...rest } = report;
  return { app: appLabel(clientId), ...rest, summary: capSummary(report) };
}

/** Where an app stands, in one sentence. */
export function capSummary(report: Pick<ConnectionCapReport, 'tierName' | 'connected' | 'cap' | 'level' | 'chainsNotCounted'>): string {
  const { tierName, connected, cap } = report;
  const organisations = `${connected} organisation${connected === 1 ? '' : 's'}`;
  const uncounted = report.chainsNotCounted > 0 ? ` (${report.chainsNotCounted} connection(s) not checked yet, so possibly more)` : '';
  if (cap === null) return `${organisations} connected${uncounted}; Xero's ${tierName} tier has no connection limit.`;
  const head = `${connected} of ${cap} connections in use on Xero's ${tierName} tier${uncounted}`;
  switch (report.level) {
    case 'over_cap':
      return `${head}: more than the tier allows, so the tier setting is probably lower than the app's real tier.`;
    case 'at_cap':
      return `${head}: the next organisation's consent will end on Xero's "connection limit" page.`;
    case 'cap_minus_one':
      return `${head}: one more organisation can be connected.`;
    default:
      return `${head}: ${cap - connected} more can be connected.`;
  }
}

/** The shown report of the app a chain belongs to (its key, or the token's client_id claim), or null when it is not counted. */
export function chainCapReport(reports: readonly ConnectionCapReport[], key: string, accessToken?: string | null): ShownCapReport | null {
  const clientId = chainClientId(key, accessToken);
  const report = clientId === null ? undefined : reports.find((r) => r.clientId === clientId);
  return report ? shownCapReport(report) : null;
}

/** The reports under a terminal table: one line per app, its fingerprint and where it stands. */
export function formatCapLines(apps: readonly ShownCapReport[]): string[] {
  if (apps.length === 0) return [];
  return [
    '',
    "Xero apps against their tier's connection limit (counted from the organisations each connection last saw):",
    ...apps.map((a) => `  ${a.app}: ${a.summary}`),
  ];
}
