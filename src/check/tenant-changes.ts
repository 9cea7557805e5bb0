import type { CheckResult } from './types';

/** One organisation as a watcher last saw it. */
export interface TenantWatchEntry {
  tenantId: string;
  tenantName: string | null;
  /** reachable: listed and answering; unreachable: listed but Xero answered 403 for it; disconnected: no longer listed. */
  state: 'reachable' | 'unreachable' | 'disconnected';
  /** ISO time this state was first seen. */
  since: string;
  /** Why it is unreachable or disconnected, in plain words. */
  reason: string | null;
}

/** What a per-organisation watcher remembers between polls: small and JSON-safe (n8n static data). */
export interface TenantWatchState {
  /** lost: the whole connection failed (revoked, refresh token dead): per-organisation events are held back. */
  connection: 'ok' | 'lost';
  tenants: Record<string, TenantWatchEntry>;
}

export type TenantChangeKind =
  | 'organisation_added'
  | 'organisation_disconnected'
  | 'organisation_unreachable'
  | 'organisation_recovered'
  /** The whole connection failed: one event instead of one per organisation. */
  | 'connection_lost'
  /**
   * The connection works again, listing the organisations back (those reachable before the loss, or
   * every one listed when the watch knew none before it); organisations that did not come back get
   * their own organisation_disconnected, and one new beside those known before is organisation_added.
   */
  | 'connection_restored';

export interface TenantChangeEvent {
  kind: TenantChangeKind;
  /** The organisation; null for the connection-wide kinds. */
  tenantId: string | null;
  tenantName: string | null;
  from: TenantWatchEntry['state'] | null;
  to: TenantWatchEntry['state'] | null;
  reason: string | null;
  /** Connection-wide kinds: the organisations the connection reached (lost) or reaches again (restored). */
  organisations?: Array<{ tenantId: string; tenantName: string | null }>;
  at: string;
}

/** An organisation Xero refused for this token (403 on a call with its xero-tenant-id). */
export interface DeniedTenant {
  tenantId: string;
  reason?: string;
}

export interface TenantCheck extends Pick<CheckResult, 'status' | 'checkedAt' | 'tenants' | 'reason'> {
  /** Organisations that answered 403 on this poll (listed in /connections, but not reachable). */
  denied?: DeniedTenant[];
}

export interface TenantChangeOptions {
  /** Watch only these organisations (tenant ids, or names, case-insensitive). Default: all. */
  only?: string[];
}

/**
 * Pure: the previous per-organisation state and the current check give exactly one event per
 * change and the state to remember. The first poll reports only organisations already unreachable;
 * after that: one added, one disconnected (gone from /connections), one unreachable (a 403 for
 * that tenant), one recovered, and none while nothing changes. When the whole connection fails
 * (no organisation left, or no token) it is one connection_lost, not one event per organisation;
 * a check that could not tell (Xero down, rate limited) changes nothing.
 */
export function detectTenantChanges(
  previous: TenantWatchState | null | undefined,
  current: TenantCheck,
  options: TenantChangeOptions = {},
): { events: TenantChangeEvent[]; state: TenantWatchState } {
  const prev = isTenantWatchState(previous) ? previous : null;
  const at = current.checkedAt;
  const watched = watchFilter(options.only);
  const events: TenantChangeEvent[] = [];
  const prevTenants = prev?.tenants ?? {};

  if (current.tenants.length === 0) {
    // Degraded means "could not tell"; a human-level failure with nothing listed is the whole connection.
    if (current.status !== 'disconnected' || prev?.connection === 'lost') return { events, state: prev ?? { connection: 'ok', tenants: {} } };
    const reachable = Object.values(prevTenants).filter((t) => t.state !== 'disconnected' && watched(t));
    events.push({
      kind: 'connection_lost',
      tenantId: null,
      tenantName: null,
      from: null,
      to: null,
      reason: current.reason,
      at,
      organisations: reachable.map(({ tenantId, tenantName }) => ({ tenantId, tenantName })),
    });
    return { events, state: { connection: 'lost', tenants: prevTenants } };
  }

  const denied = new Map((current.denied ?? []).map((d) => [d.tenantId, d.reason ?? null]));
  const tenants: Record<string, TenantWatchEntry> = {};
  const restored = prev?.connection === 'lost';
  const backAfterLoss: Array<{ tenantId: string; tenantName: string | null }> = [];

  for (const listed of current.tenants) {
    const before = prevTenants[listed.tenantId];
    const isDenied = denied.has(listed.tenantId);
    const state: TenantWatchEntry['state'] = isDenied ? 'unreachable' : 'reachable';
    const reason = isDenied ? (denied.get(listed.tenantId) ?? 'Xero refused access to this organisation (403).') : null;
    const name = listed.tenantName ?? before?.tenantName ?? null;
    tenants[listed.tenantId] = { tenantId: listed.tenantId, tenantName: name, state, since: before?.state === state ? before.since : at, reason };
    if (!watched({ tenantId: listed.tenantId, tenantName: name })) continue;
    const event = (kind: TenantChangeKind): TenantChangeEvent => ({
      kind,
      tenantId: listed.tenantId,
      tenantName: name,
      from: before?.state ?? null,
      to: state,
      reason,
      at,
    });
    if (!before) {
      // On the first poll everything is "new": only a problem is worth saying then. Back from a loss
      // the watch knew no organisation of (it first saw the connection broken), every one listed
      // came back: the one recovery lists it, rather than an "added" per organisation.
      if (state === 'unreachable') events.push(event('organisation_unreachable'));
      else if (restored && Object.keys(prevTenants).length === 0) backAfterLoss.push({ tenantId: listed.tenantId, tenantName: name });
      else if (prev) events.push(event('organisation_added'));
    } else if (before.state !== state || (restored && state === 'reachable')) {
      if (state === 'unreachable') events.push(event('organisation_unreachable'));
      else if (restored && before.state !== 'disconnected') backAfterLoss.push({ tenantId: listed.tenantId, tenantName: name });
      else events.push(event('organisation_recovered'));
    }
  }

  for (const before of Object.values(prevTenants)) {
    if (before.tenantId in tenants) continue;
    const gone: TenantWatchEntry =
      before.state === 'disconnected'
        ? before
        : {
            ...before,
            state: 'disconnected',
            since: at,
            reason: 'No longer connected: the organisation was disconnected from the app in Xero, or access to it was removed.',
          };
    tenants[before.tenantId] = gone;
    if (before.state !== 'disconnected' && watched(before)) {
      events.push({
        kind: 'organisation_disconnected',
        tenantId: before.tenantId,
        tenantName: before.tenantName,
        from: before.state,
        to: 'disconnected',
        reason: gone.reason,
        at,
      });
    }
  }

  if (restored) {
    events.unshift({
      kind: 'connection_restored',
      tenantId: null,
      tenantName: null,
      from: null,
      to: null,
      reason: current.reason,
      at,
      organisations: backAfterLoss,
    });
  }
  return { events, state: { connection: 'ok', tenants } };
}

/** Static data is whatever was stored before (possibly by an older version): accept only a well-formed state. */
export function isTenantWatchState(value: unknown): value is TenantWatchState {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<TenantWatchState>;
  if ((v.connection !== 'ok' && v.connection !== 'lost') || !v.tenants || typeof v.tenants !== 'object') return false;
  return Object.values(v.tenants).every(
    (t) =>
      !!t &&
      typeof t.tenantId === 'string' &&
      (t.state === 'reachable' || t.state === 'unreachable' || t.state === 'disconnected') &&
      typeof t.since === 'string',
  );
}

/** The organisations a watch limited to some is about: tenant ids or names, case-insensitive; all when none are named. */
export function watchFilter(only: string[] | undefined): (tenant: { tenantId: string; tenantName: string | null }) => boolean {
  const wanted = (only ?? []).map((w) => w.trim().toLowerCase()).filter((w) => w !== '');
  if (wanted.length === 0) return () => true;
  const set = new Set(wanted);
  return (tenant) => set.has(tenant.tenantId.toLowerCase()) || (tenant.tenantName !== null && set.has(tenant.tenantName.trim().toLowerCase()));
}
