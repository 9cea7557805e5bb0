/**
 * One table from an error's code to what a person should do about it, for every host: the long
 * advice (n8n shows it under the message) and the short status a node's dot carries (Node-RED).
 * The words that differ between hosts (where the reconnect button is, which settings hold the
 * ledger) come from the host as `HostWords`; the knowledge of what each code means lives here.
 */

import { redactSecrets } from '../secrets';

/** The colour of a node's status: red needs a person, yellow passes by itself. */
export type StatusFill = 'red' | 'yellow';

/** What a host calls its own things, in its own words. */
export interface HostWords {
  /** The button that connects: '"Connect"' (n8n 2.41), '"Connect to Xero"' (Node-RED). */
  connectButton: string;
  /** What holds the app's settings and the connection: 'the credential'. */
  holder: string;
  /** The step that reconnects, as an instruction: 'Open the Xero credential in n8n and click "Switch account" ...'. */
  reconnect: string;
  /** The same, short, for a status line: 'click Connect to Xero in the xero-connection node'. */
  reconnectShort: string;
  /** What a person fixes when the ledger settings are wrong, or where they are. */
  ledgerSettings: string;
  /** The same, short, for a status line. */
  ledgerSettingsShort: string;
  /** How every process gets the same ledger key: 'give every n8n process the same N8N_ENCRYPTION_KEY'. */
  sameKey: string;
  /** The same, short, for a status line. */
  sameKeyShort: string;
  /** Who must reach the ledger: 'every n8n process'. */
  processes: string;
  /** How a workflow retries by itself: 'turn on "Retry On Fail" in the node settings'. */
  retry: string;
  /** Where every message is listed: 'docs/n8n.md'. */
  docs: string;
  /** Where the host logs: 'the Node-RED log'. */
  log: string;
}

export interface ErrorAdvice {
  /** The error's code, or UNKNOWN. */
  code: string;
  /** What to do, in a sentence or two. */
  advice: string;
  /** The same, cut to a status line (at most STATUS_LENGTH characters). */
  status: string;
  fill: StatusFill;
  /** True when only a new "Connect" fixes it. */
  reconnect: boolean;
}

/** Node-RED cuts a status near here; n8n has none, so one length serves both. */
export const STATUS_LENGTH = 110;

interface Entry {
  advice(words: HostWords): string;
  status(words: HostWords, error: CodedError): string;
  fill?: StatusFill;
  reconnect?: boolean;
}

interface CodedError {
  code: string;
  message: string;
  retryable: boolean;
  fix?: string;
}

const RETRY_LATER: Entry = {
  advice: (w) => `Nothing is broken: retry in a minute (${w.retry} to do it automatically).`,
  status: () => 'degraded: Xero did not answer; will retry',
  fill: 'yellow',
};

const TABLE: Record<string, Entry> = {
  NOT_CONNECTED: {
    advice: (w) => `${w.reconnect}.`,
    status: (w) => `needs reconnect: never connected; ${w.reconnectShort}`,
    reconnect: true,
  },
  NEEDS_REAUTH: {
    advice: (w) => `${w.reconnect} to reconnect; nothing will be retried until then.`,
    status: (w) => `needs reconnect: ${w.reconnectShort}`,
    reconnect: true,
  },
  SUPERSEDED: {
    advice: (w) => `This connection was replaced by a newer ${w.connectButton} of the same Xero user: use ${w.holder} that was reconnected.`,
    status: (w) => `needs reconnect: ${w.reconnectShort}`,
    reconnect: true,
  },
  MISCONFIGURED: {
    advice: (w) => `Check the client id, client secret and scopes against the app at developer.xero.com/app/manage, then reconnect ${w.holder}.`,
    status: (_w, e) => `fix: ${e.message}`,
  },
  ENDPOINTS_CHANGED: {
    advice: (w) =>
      `Set the Xero endpoints of ${w.holder} back to the ones it was connected with, or connect again (${w.reconnectShort}) to make a connection with the new ones: a connection's tokens only ever go back where they came from.`,
    status: () => 'fix: endpoints changed since connect; set them back or reconnect',
    reconnect: true,
  },
  BUSY: { ...RETRY_LATER, status: () => 'degraded: another process is refreshing' },
  REFRESH_OUTCOME_UNKNOWN: RETRY_LATER,
  RATE_LIMITED: RETRY_LATER,
  LEDGER_CONFIG: {
    advice: (w) => `Fix ${w.ledgerSettings}.`,
    status: (w) => `ledger unreachable: check ${w.ledgerSettingsShort}`,
  },
  LEDGER_UNAVAILABLE: {
    advice: (w) => `Make sure the ledger (folder or database) is reachable and writable by ${w.processes}, then retry.`,
    status: (w) => `ledger unreachable: check ${w.ledgerSettingsShort}`,
  },
  LEDGER_WRONG_KEY: {
    advice: (w) => `The ledger was written with another encryption key: ${w.sameKey}.`,
    status: (w) => `ledger sealed with another key: ${w.sameKeyShort}`,
  },
  LEDGER_CORRUPT: {
    advice: (w) => `The ledger file is damaged and was left untouched (${w.log} names it): restore it from a backup, or delete it and reconnect.`,
    status: (w) => `ledger file damaged: see ${w.log}, restore or delete it`,
  },
};

/** Every code the table knows, for tests that go over every text. */
export const ADVICE_CODES: readonly string[] = Object.keys(TABLE);

const UNKNOWN: Entry = {
  advice: (w) => `See the message above; if it names Xero, check status.xero.com. The Xero Guard docs (${w.docs}) list every message.`,
  status: (_w, e) => `fix: ${e.message || 'unknown error'}`,
};

/**
 * What to do about `error`, in the host's words. Never throws; anything without a known code is
 * UNKNOWN. A status that quotes the error's message is redacted against `secrets`.
 */
export function adviceFor(error: unknown, words: HostWords, secrets: readonly string[] = []): ErrorAdvice {
  const e = coded(error);
  const known = TABLE[e.code] ?? (e.code.startsWith('LEDGER') ? TABLE.LEDGER_UNAVAILABLE : undefined);
  const entry = known ?? (e.retryable ? RETRY_LATER : UNKNOWN);
  // A setup error says exactly what to change; its own short words beat the table's.
  const status = redactSecrets(e.fix ?? entry.status(words, e), secrets);
  return {
    code: e.code,
    advice: entry.advice(words),
    status: shortStatus(status),
    fill: e.fix ? 'red' : (entry.fill ?? 'red'),
    reconnect: entry.reconnect === true,
  };
}

/** One line of at most STATUS_LENGTH characters. */
export function shortStatus(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > STATUS_LENGTH ? `${t.slice(0, STATUS_LENGTH - 1)}…` : t;
}

function coded(error: unknown): CodedError {
  const e = error && typeof error === 'object' ? (error as Record<string, unknown>) : {};
  return {
    code: typeof e.code === 'string' && e.code !== '' ? e.code : 'UNKNOWN',
    message: typeof e.message === 'string' ? e.message : typeof error === 'string' ? error : '',
    retryable: e.retryable === true,
    fix: typeof e.fix === 'string' && e.fix !== '' ? e.fix : undefined,
  };
}
