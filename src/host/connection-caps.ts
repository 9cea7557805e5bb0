/**
 * The watch's side of each Xero app's connections against its tier's cap: one event at cap minus one
 * and one at the cap, with the fix, in the host's words (the count itself is the fleet's,
 * src/fleet/app-caps.ts, read from the ledger; the rule is src/check/connection-cap.ts).
 */
import { detectCapChanges, type CapWatchState, type ConnectionCapReport } from '../check';
import { appLabel } from '../fleet/app-caps';
import { capText, type AlertWords } from './alert-texts';

/** What an app's cap report needs of a connection session. */
export interface CapSession {
  capReport(tenantIds?: readonly string[]): Promise<ConnectionCapReport | null>;
}

/** An app one connection short of its cap, or at it: one watch event each way up. */
export interface CapWatchEvent {
  /** Claimed before sending (src/host/watch-memory.ts): the same for every watch that saw it. */
  id: string;
  scope: 'app';
  kind: 'connection_cap_near' | 'connection_cap_reached';
  good: false;
  alert: { title: string; summary: string; advice: string | null; message: string };
  reconnect: false;
  link: string | null;
  /** What changed, with the app by its fingerprint. */
  change: { app: string; tierName: string; connected: number; cap: number; at: string };
}

/** Pure: the reports a poll saw against what the watch remembered, as events in the host's words and what to remember next. */
export function capWatchStep(
  memory: CapWatchState | null | undefined,
  reports: readonly ConnectionCapReport[],
  now: number,
  texts: { words: AlertWords; connectionName: string | null; link: string | null; secrets: readonly string[] },
): { events: CapWatchEvent[]; state: CapWatchState } {
  // Remembered by the app's fingerprint: static data and notes never hold a client id.
  const detected = detectCapChanges(
    memory,
    reports.map((r) => ({ ...r, clientId: appLabel(r.clientId) })),
    now,
  );
  const events = detected.events.map((e): CapWatchEvent => {
    const app = e.clientId;
    const alert = capText(
      {
        connectionName: texts.connectionName,
        secrets: texts.secrets,
        reached: e.kind === 'connection_cap_reached',
        app,
        tierName: e.tierName,
        connected: e.connected,
        cap: e.cap,
      },
      texts.words,
    );
    return {
      id: `cap:${e.kind}:${app}:${e.connected}`,
      scope: 'app',
      kind: e.kind,
      good: false,
      alert: { title: alert.title, summary: alert.summary, advice: alert.advice, message: alert.text },
      reconnect: false,
      link: texts.link,
      change: { app, tierName: e.tierName, connected: e.connected, cap: e.cap, at: e.at },
    };
  });
  return { events, state: detected.state };
}

/** The cap report of a session's own app, or none when the session cannot give one (never throws). */
export async function observeCaps(session: Partial<CapSession>, tenantIds: readonly string[] | null): Promise<ConnectionCapReport[]> {
  if (!session.capReport) return [];
  const report = await session.capReport(tenantIds ?? undefined).catch(() => null);
  return report ? [report] : [];
}
