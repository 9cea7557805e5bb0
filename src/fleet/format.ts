import { escapeControls } from '../terminal-text';
import type { FleetEntry, FleetListing, FleetState } from './list-fleet';

const STATE_WORDS: Record<FleetState, string> = {
  active: 'active',
  refreshing: 'refreshing',
  needs_reauth: 'needs reconnecting',
  misconfigured: 'misconfigured',
  superseded: 'replaced',
  not_connected: 'not connected',
  unreadable: 'unreadable',
};

/**
 * The listing as a fixed-width table for a terminal, with a one-line summary first. Names, organisations and
 * reasons come from the ledger (an organisation names itself in Xero): their control characters are shown escaped.
 */
export function formatFleetTable(listing: FleetListing, now: number): string {
  const lines = [`${escapeControls(listing.ledger)}: ${fleetSummary(listing)}`, ''];
  const rows = listing.chains.map((c) => [
    cut(c.name, 40),
    STATE_WORDS[c.state],
    organisationsOf(c),
    expiryOf(c, now),
    c.lastRotationAt ? c.lastRotationAt.slice(0, 16).replace('T', ' ') : '-',
    c.daysLeftBeforeIdleExpiry === null ? '-' : `${c.daysLeftBeforeIdleExpiry} d`,
    c.pendingRefreshSince ? `since ${c.pendingRefreshSince.slice(11, 19)}` : '-',
    c.lastErrorCategory === null ? '-' : escapeControls(c.lastErrorCategory),
    cut(c.reason ?? '', 90),
  ]);
  const header = ['NAME', 'STATE', 'ORGANISATIONS', 'ACCESS TOKEN', 'LAST ROTATION (UTC)', 'IDLE LIMIT IN', 'PENDING REFRESH', 'LAST ERROR', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(render(header), ...rows.map(render));
  // The table cuts reasons; a chain that cannot even be opened needs the whole of its reason to be fixed.
  const unreadable = listing.chains.filter((c) => c.state === 'unreadable');
  if (unreadable.length > 0)
    lines.push(
      '',
      'Unreadable:',
      ...unreadable.map((c) => `  ${escapeControls(c.name)}: ${c.reason === null ? 'no reason recorded' : escapeControls(c.reason)}`),
    );
  return lines.join('\n');
}

export function fleetSummary(listing: FleetListing): string {
  const total = listing.chains.length;
  if (total === 0) return 'no connections';
  const parts = (Object.entries(listing.counts) as Array<[FleetState, number]>)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([state, n]) => `${n} ${STATE_WORDS[state]}`);
  return `${total} connection${total === 1 ? '' : 's'} (${parts.join(', ')})`;
}

function organisationsOf(chain: FleetEntry): string {
  if (!chain.organisations) return 'not checked yet';
  if (chain.organisations.length === 0) return 'none';
  const first = chain.organisations[0].tenantName ?? chain.organisations[0].tenantId;
  const low = chain.organisations.filter((o) => o.budgetLevel === 'low' || o.budgetLevel === 'reserve').length;
  const more = chain.organisations.length > 1 ? ` +${chain.organisations.length - 1}` : '';
  return `${cut(first, 28)}${more}${low > 0 ? ` (${low} low on calls)` : ''}`;
}

function expiryOf(chain: FleetEntry, now: number): string {
  // A stopped chain's token is not handed out any more, whatever its expiry says.
  if (!chain.accessTokenExpiresAt || (chain.state !== 'active' && chain.state !== 'refreshing')) return '-';
  const minutes = Math.round((Date.parse(chain.accessTokenExpiresAt) - now) / 60_000);
  return minutes > 0 ? `expires in ${duration(minutes)}` : `expired ${duration(-minutes)} ago`;
}

function duration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

/** Escaped first, so the width counts what the terminal shows. */
function cut(text: string, max: number): string {
  const shown = escapeControls(text);
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}
