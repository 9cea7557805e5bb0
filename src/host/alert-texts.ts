/**
 * The one table of texts a person reads in an alert (a Slack message, an email, a node's error):
 * keyed by the engine's error code and the classifier's category, in the current host's words.
 * Every text names the connection by the user's own name for it (n8n: the credential's name;
 * Node-RED: the config node's name), never the internal chain key, gives only this host's steps,
 * carries no token and fits one Slack message.
 */

import { CATEGORIES, type Category, type Classification } from '../classify/types';
import { TEXTS } from '../classify/texts';
import { CHAIN_KEY } from '../engine/connection-key';
import { redactSecrets } from '../secrets';
import { adviceFor, type HostWords } from './advice';
import { scopeLabel, type ScopeReport } from './scopes';

/** A host's words for alerts: its advice words plus what it calls a connection. */
export interface AlertWords extends HostWords {
  /** The host, as its users call it: 'n8n', 'Node-RED'. */
  host: string;
  /** What the user named: 'Xero credential' (n8n), 'Xero connection' (Node-RED). */
  connectionNoun: string;
  /** Where the redirect address the Xero app must list is shown. */
  redirectUrlField: string;
  /** What a user's automation is called: 'workflow' (n8n), 'flow' (Node-RED). */
  flow: string;
  /** Where the whole of a failure is shown: 'the failed execution' (n8n). */
  failedRun: string;
}

/**
 * Slack cuts a message's text at 40,000 characters and a section block at 3,000; alerts stay
 * under the smaller, so a workflow or flow may put one in either without it being cut.
 */
export const SLACK_TEXT_LIMIT = 3000;

/**
 * Categories whose classifier advice names something of a host (the holder of the connection, its
 * button, the user's workflow): here in the host's words. The classifier's own texts stay the
 * answer for every other category (they name nothing of a host); a test runs every category
 * through each host and finds no other host's word.
 */
const CATEGORY_ADVICE: Partial<Record<Category, (w: AlertWords) => string>> = {
  access_token_invalid: (w) => `Run the request again; if it fails again, ${w.reconnectShort}.`,
  refresh_token_invalid: (w) => `${w.reconnect} (sign in to Xero and approve access again); ${w.flow}s using it fail until someone does.`,
  access_revoked: (w) => `Ask a Xero user who still has access to the organisation to reconnect: ${w.reconnectShort}, then approve access again.`,
  token_rotation_lost: (w) => `${w.reconnect}; if it happens again, make sure only one system refreshes this connection.`,
  not_connected: (w) => `${w.reconnect}, sign in to Xero and click Allow access for the right organisation.`,
  insufficient_scope: (w) => `Add the missing scope (for example accounting.invoices) to ${w.holder}, save, then ${w.reconnectShort} so Xero grants it.`,
  plan_restricted: (w) =>
    `Reconnecting will not help: find which tier or user role this endpoint needs (developer.xero.com), then move the app to that tier or have a user with that role reconnect; otherwise take this step out of the ${w.flow}.`,
  tenant_access_denied: (w) => `Check that the ${w.flow} uses the right Xero organisation, then ${w.reconnectShort} and tick that organisation.`,
  invalid_client: (w) => `Copy the Client ID and a fresh Client Secret from developer.xero.com (My Apps) into ${w.holder}, save, then ${w.reconnectShort}.`,
  redirect_uri_mismatch: (w) => `Copy ${w.redirectUrlField} into the app's Redirect URIs at developer.xero.com exactly, save, then ${w.reconnectShort}.`,
  connection_limit_reached: (w) =>
    `Disconnect an organisation you no longer use, or move the app to a higher tier at developer.xero.com, then ${w.reconnectShort}.`,
  rate_limit_minute: (w) => `Nothing to do now: it resumes automatically after the wait; if it happens often, slow the ${w.flow} down or batch requests.`,
  rate_limit_day: (w) => `Wait for the daily limit to reset, and reduce how many requests the ${w.flow}s make per day (batch, filter, or run less often).`,
  rate_limit_app: (w) => `Nothing to do now: it resumes after the wait; if it happens often, spread the ${w.flow}s across the minute.`,
  rate_limited: (w) => `Nothing to do now: it retries after the wait; if it happens often, slow the ${w.flow} down or batch requests.`,
  signature_invalid: (w) => `Check the app's consumer key, secret and certificate in ${w.holder}; old OAuth 1.0a apps must move to OAuth 2.0.`,
  tls_error: (w) =>
    `Ask whoever runs the server to trust the proxy's certificate (NODE_EXTRA_CA_CERTS=/path/to/ca.pem for ${w.host}, then restart), or to fix the system clock; do not turn certificate checks off.`,
  validation_error: (w) =>
    `Read Xero's message in the details, fix the field it names in the ${w.flow} (for example a missing contact or a bad date), and run it again.`,
  not_found: (w) => `Check the ID or URL used in the ${w.flow} (the record may have been deleted or belong to another organisation).`,
  precondition_failed: (w) => `Fetch the latest version of the record, check its status, and run the ${w.flow} again.`,
  unknown: (w) => `Look at the full error in ${w.failedRun}; if it names Xero, check status.xero.com or contact support with the details.`,
};

/** Summaries that name what holds the connection: here in the host's words. */
const CATEGORY_SUMMARY: Partial<Record<Category, (w: AlertWords) => string>> = {
  not_connected: (w) => `This ${w.connectionNoun} has never been connected, or the Xero sign-in was cancelled before access was granted.`,
  validation_error: (w) => `Xero rejected the data this ${w.flow} sent because something in it is not valid.`,
  not_found: (w) => `Xero could not find the record or address this ${w.flow} asked for.`,
};

/** What happened, for a classified failure, in the host's words. */
export function categorySummary(category: string, words: AlertWords, fallback?: string): string {
  const own = (CATEGORY_SUMMARY as Record<string, ((w: AlertWords) => string) | undefined>)[category];
  if (own) return own(words);
  return fallback ?? (TEXTS as Record<string, { summary: string } | undefined>)[category]?.summary ?? 'Xero Guard could not use this connection.';
}

/** What to do about a classified failure, in the host's words. Unknown (custom) categories keep the advice they came with. */
export function categoryAdvice(category: string, words: AlertWords, fallback?: string): string {
  const own = (CATEGORY_ADVICE as Record<string, ((w: AlertWords) => string) | undefined>)[category];
  if (own) return own(words);
  const known = (TEXTS as Record<string, { advice: string } | undefined>)[category];
  return fallback ?? known?.advice ?? adviceFor({ code: 'UNKNOWN' }, words).advice;
}

/** The fields of a classification that carry words a person reads. */
type Worded = Pick<Classification, 'category' | 'summary' | 'advice' | 'matchedRule'> & { missingScopes?: string[] | null };

/**
 * A classification as a host shows it: a built-in category's advice, and its summary where the
 * classifier's names a host thing, in the host's words (the scopes a request lacked named, when
 * known). A custom rule's words are the user's and stay; a summary the caller wrote itself stays.
 */
export function classificationInWords<C extends Worded>(classification: C, words: AlertWords): C {
  const { category } = classification;
  const known = (TEXTS as Record<string, { summary: string } | undefined>)[category];
  if (classification.matchedRule || !known) return classification;
  const summary = (CATEGORY_SUMMARY as Record<string, ((w: AlertWords) => string) | undefined>)[category];
  const missing = category === 'insufficient_scope' ? (classification.missingScopes ?? []) : [];
  const advice =
    missing.length > 0
      ? `Add ${missing.join(', ')} to the scopes of ${words.holder}, save, then ${words.reconnectShort} so Xero grants ${missing.length === 1 ? 'it' : 'them'}.`
      : categoryAdvice(category, words, classification.advice);
  return { ...classification, summary: summary && classification.summary === known.summary ? summary(words) : classification.summary, advice };
}

/** The user's name for the connection as it appears in a text: 'Xero credential "Acme books"'. */
export function connectionLabel(name: string | null | undefined, words: AlertWords): string {
  // A name that is (or holds) a chain key says nothing to a person: the key goes, "the credential" stands in.
  const clean =
    typeof name === 'string'
      ? name
          .replace(CHAIN_KEY, ' ')
          .replace(/[\s\p{Cc}]+/gu, ' ')
          .trim()
          .slice(0, 120)
      : '';
  return clean ? `${words.connectionNoun} "${clean}"` : `the ${words.connectionNoun}`;
}

export interface AlertInput {
  /** The user's name for the connection (credential / config node name). */
  connectionName: string | null | undefined;
  /** The engine's or setup's error code (NEEDS_REAUTH, LEDGER_WRONG_KEY, ...). */
  code?: string | null;
  /** The classifier's category, when the failure was classified. */
  category?: string | null;
  /** What happened, in one sentence (the classification's summary, the check's reason). */
  summary?: string | null;
  /** The organisation it is about, when it is about one. */
  organisation?: { tenantId: string; tenantName: string | null } | null;
  /** Where to reconnect (the credential's page in the editor). */
  link?: string | null;
  /** Values that must never appear (tokens, secrets): redacted from every part. */
  secrets?: readonly (string | null | undefined)[];
}

export interface AlertText {
  /** One line: 'Xero credential "Acme books" needs reconnecting'. */
  title: string;
  /** What happened. */
  summary: string;
  /** What to do, this host's steps only. */
  advice: string;
  /** The whole message: title, what happened, what to do, the link; at most SLACK_TEXT_LIMIT characters. */
  text: string;
}

const RECONNECT_CODES = new Set(['NOT_CONNECTED', 'NEEDS_REAUTH', 'SUPERSEDED']);

/** The alert for a problem, in the host's words. Never throws. */
export function alertText(input: AlertInput, words: AlertWords): AlertText {
  const label = connectionLabel(input.connectionName, words);
  const clean = (text: string) => scrub(text, input, label);
  const code = input.code ?? null;
  const category = input.category ?? null;
  const categoryKnown = category !== null && (CATEGORIES as readonly string[]).includes(category);
  // A code the advice table knows beats the category: it is the engine's precise reading.
  const byCode = code ? adviceFor({ code }, words) : null;
  const advice =
    byCode && byCode.code !== 'UNKNOWN' ? byCode.advice : category ? categoryAdvice(category, words) : adviceFor({ code: code ?? 'UNKNOWN' }, words).advice;
  const reconnect = (code !== null && RECONNECT_CODES.has(code)) || (categoryKnown && reconnectCategory(category));
  const about = input.organisation ? ` (organisation ${input.organisation.tenantName ?? input.organisation.tenantId})` : '';
  const title = `${capitalise(label)}${about} ${reconnect ? 'needs reconnecting' : 'has a problem'}`;
  const summary = input.summary?.trim() || categorySummary(category ?? 'unknown', words);
  const link = input.link ? `\n${reconnect ? 'Reconnect' : 'Open it'}: ${input.link}` : '';
  const parts = { title: clean(title), summary: clean(summary), advice: clean(advice) };
  return { ...parts, text: fit(`${parts.title}\n${parts.summary}\nWhat to do: ${parts.advice}`, clean(link)) };
}

/** The message when a connection (or one organisation) works again. */
export function recoveredText(
  input: Pick<AlertInput, 'connectionName' | 'organisation' | 'secrets'> & { detail?: string | null },
  words: AlertWords,
): AlertText {
  const label = connectionLabel(input.connectionName, words);
  const about = input.organisation ? `: organisation ${input.organisation.tenantName ?? input.organisation.tenantId}` : '';
  const title = `${capitalise(label)} works again${about}`;
  const summary = input.detail?.trim() || 'Xero answers again; nothing more to do.';
  const clean = (text: string) => scrub(text, input, label);
  const parts = { title: clean(title), summary: clean(summary), advice: 'Nothing to do.' };
  return { ...parts, text: fit(`${parts.title}\n${parts.summary}`, '') };
}

/**
 * A connection reconnected with fewer scopes than it held: it works, but what used the lost scopes
 * fails. Names each lost scope (value and words) and how to have Xero grant it again, in the host's words.
 */
export function scopesLostText(input: Pick<AlertInput, 'connectionName' | 'link' | 'secrets'> & { missing: readonly string[] }, words: AlertWords): AlertText {
  const label = connectionLabel(input.connectionName, words);
  const clean = (text: string) => scrub(text, input, label);
  const one = input.missing.length === 1;
  const named = input.missing.map((scope) => (scopeLabel(scope) === scope ? scope : `${scope} (${scopeLabel(scope)})`)).join(', ');
  const list = input.missing.join(' ');
  const parts = {
    title: clean(`${capitalise(label)} lost ${one ? 'a scope' : `${input.missing.length} scopes`}: ${input.missing.join(', ')}`),
    summary: clean(
      `Xero answers again, but the last sign-in granted less than before: ${named} ${one ? 'is' : 'are'} no longer granted, so ${words.flow}s that need ${one ? 'it' : 'them'} fail.`,
    ),
    advice: clean(
      `Make sure ${words.holder} still asks for ${list} (its scopes, or additional scopes), save, then ${words.reconnectShort} and allow every scope Xero shows.`,
    ),
  };
  const link = input.link ? `\nOpen it: ${input.link}` : '';
  return { ...parts, text: fit(`${parts.title}\n${parts.summary}\nWhat to do: ${parts.advice}`, clean(link)) };
}

/** What to do when a connection asks for scopes Xero did not grant its current sign-in (a check's report). */
export function scopesNotGrantedAdvice(missing: readonly string[], words: AlertWords): string {
  const one = missing.length === 1;
  return `${capitalise(words.holder)} asks for ${missing.join(', ')} but Xero did not grant ${one ? 'it' : 'them'} at the last sign-in: ${words.reconnectShort} and allow every scope Xero shows; if Xero still leaves ${one ? 'it' : 'them'} out, check the scopes the app may use at developer.xero.com.`;
}

/** A check's scope report (what is asked for against what Xero granted), with the fix in the host's words when a scope is missing. */
export function scopesChecked(report: ScopeReport, words: AlertWords): ScopeReport & { advice?: string } {
  return { ...report, ...(report.missing.length > 0 ? { advice: scopesNotGrantedAdvice(report.missing, words) } : {}) };
}

/** An organisation added to the connection. */
export function organisationAddedText(
  input: Pick<AlertInput, 'connectionName' | 'secrets'> & { organisation: { tenantId: string; tenantName: string | null } },
  words: AlertWords,
): AlertText {
  const label = connectionLabel(input.connectionName, words);
  const clean = (text: string) => scrub(text, input, label);
  const parts = {
    title: clean(`${capitalise(label)}: organisation ${input.organisation.tenantName ?? input.organisation.tenantId} added`),
    summary: `The organisation was added to this connection; ${words.flow}s can use it now.`,
    advice: 'Nothing to do.',
  };
  return { ...parts, text: fit(`${parts.title}\n${parts.summary}`, '') };
}

/** An organisation's daily Xero call budget crossing the warning threshold, either way. */
export function budgetText(
  input: Pick<AlertInput, 'connectionName' | 'secrets'> & {
    low: boolean;
    organisation: { tenantId: string; tenantName: string | null };
    dayRemaining: number | null;
    dayLimit: number | null;
  },
  words: AlertWords,
): AlertText {
  const label = connectionLabel(input.connectionName, words);
  const clean = (text: string) => scrub(text, input, label);
  const who = input.organisation.tenantName ?? input.organisation.tenantId;
  const left = input.dayRemaining === null ? 'Few' : String(input.dayRemaining);
  const limit = input.dayLimit === null ? '' : ` of ${input.dayLimit}`;
  const title = input.low
    ? `${capitalise(label)}: organisation ${who} is running out of Xero calls today`
    : `${capitalise(label)}: organisation ${who} has Xero calls to spare again`;
  const advice = input.low
    ? `Xero answers 429 once none are left. Spread the work over the day, or move the app to a higher tier at developer.xero.com. Xero Guard's own checks leave the last calls to your ${words.flow}s.`
    : 'Nothing to do.';
  const parts = { title: clean(title), summary: clean(`${left}${limit} calls left in Xero's rolling day.`), advice };
  return { ...parts, text: fit(`${parts.title}\n${parts.summary}${input.low ? `\nWhat to do: ${advice}` : ''}`, '') };
}

/**
 * A Xero app one connection short of its tier's cap, or at it (or past it: the tier setting is then
 * below the app's real tier). Named by the user's connection; the app itself only by a short id.
 */
export function capText(
  input: Pick<AlertInput, 'connectionName' | 'secrets'> & {
    reached: boolean;
    /** A short id of the app (never its client id). */
    app: string;
    tierName: string;
    connected: number;
    cap: number;
  },
  words: AlertWords,
): AlertText {
  const label = connectionLabel(input.connectionName, words);
  const clean = (text: string) => scrub(text, input, label);
  const { tierName, connected, cap } = input;
  const over = connected > cap;
  const title = input.reached
    ? `${capitalise(label)}: the Xero app has reached its connection limit (${connected} of ${cap} organisations, ${tierName} tier)`
    : `${capitalise(label)}: the Xero app has one connection left (${connected} of ${cap} organisations, ${tierName} tier)`;
  const summary = over
    ? `Xero Guard counts ${connected} organisations connected to this Xero app (${input.app}), more than the ${cap} its ${tierName} tier allows: the tier setting is probably lower than the app's real tier.`
    : input.reached
      ? `All ${cap} connections of this Xero app (${input.app}) on Xero's ${tierName} tier are in use: the next organisation's consent will end on Xero's "connection limit" page and connect nothing.`
      : `${connected} of the ${cap} connections of this Xero app (${input.app}) on Xero's ${tierName} tier are in use: one more organisation can be connected, then Xero's "connection limit" page stops the next.`;
  const advice = over
    ? `Set the tier in ${words.holder} to the app's tier at developer.xero.com, so counts and limits match Xero's.`
    : `Remove a connection you no longer use at Xero (Xero's Connected Apps page of that organisation, or DELETE /connections), or move the app to a higher tier at developer.xero.com (then set the tier in ${words.holder}).`;
  const parts = { title: clean(title), summary: clean(summary), advice };
  return { ...parts, text: fit(`${parts.title}\n${parts.summary}\nWhat to do: ${advice}`, '') };
}

function reconnectCategory(category: string | null): boolean {
  return category === 'refresh_token_invalid' || category === 'access_revoked' || category === 'token_rotation_lost' || category === 'not_connected';
}

/** No internal key (it becomes the user's name), no secret, no control characters. */
function scrub(text: string, input: Pick<AlertInput, 'secrets'>, label: string): string {
  const named = text.replace(CHAIN_KEY, label);
  return redactSecrets(named, input.secrets ?? []).replace(/(?!\n)\p{Cc}/gu, ' ');
}

/** Cuts the body, never the link, to fit one Slack message. */
function fit(body: string, tail: string): string {
  const room = SLACK_TEXT_LIMIT - tail.length;
  return (body.length > room ? `${body.slice(0, Math.max(0, room - 1))}…` : body) + tail;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
