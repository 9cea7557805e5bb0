/**
 * What the person who gets the alert reads: one plain sentence of what happened and one of what to do.
 * Written for someone who runs the workflow, not for the developer who built it.
 */
import { tierGateOf, tierAtLeast, XERO_TIERS, type XeroTier } from '../xero-tiers';
import type { Gate } from './gated-endpoints';
import type { Category } from './types';

export interface CategoryText {
  summary: string;
  advice: string;
}

export const TEXTS: Readonly<Record<Category, CategoryText>> = {
  access_token_expired: {
    summary: 'The short-lived Xero access token had expired, which is normal every 30 minutes.',
    advice: 'Nothing to do: get a fresh access token and run the request again; if this keeps happening, check that token refresh is working.',
  },
  access_token_invalid: {
    summary: 'Xero did not accept the access token that was sent with this request.',
    advice: 'Get a fresh access token and run the request again; if it fails again, open the Xero credential and click "Switch account" (or "Connect").',
  },
  refresh_token_invalid: {
    summary: "Xero stopped accepting this connection's refresh token, so the connection is broken.",
    advice:
      'Open the Xero credential in n8n and click "Switch account" (or "Connect") (sign in to Xero and approve access again); workflows will fail until someone does.',
  },
  access_revoked: {
    summary: 'Access to Xero was withdrawn: someone disconnected the app in Xero, or the user who connected it lost access.',
    advice:
      'Ask a Xero user who still has access to the organisation to open the Xero credential and click "Switch account" (or "Connect"), then approve access again.',
  },
  token_rotation_lost: {
    summary: 'A new Xero token was issued but never saved, so the connection lost track of its current token.',
    advice: 'Open the Xero credential and click "Switch account" (or "Connect"); if it happens again, make sure only one system refreshes this connection.',
  },
  not_connected: {
    summary: 'This Xero credential has never been connected, or the Xero sign-in was cancelled before access was granted.',
    advice: 'Open the Xero credential, click Connect, sign in to Xero and click Allow access for the right organisation.',
  },
  insufficient_scope: {
    summary: 'The Xero connection does not have permission (scope) for what this request tried to do.',
    advice: 'Add the missing scope to the credential (for example accounting.invoices), save, and click "Switch account" (or "Connect") so Xero grants it.',
  },
  plan_restricted: {
    summary:
      "Xero refused this request although the connection has every scope it needs: this part of Xero is closed to the app's Xero tier or to the role of the user who connected the organisation.",
    advice:
      'Reconnecting will not help: find which tier or user role this endpoint needs (developer.xero.com), then move the app to that tier or have a user with that role reconnect; otherwise take this step out of the workflow.',
  },
  tenant_access_denied: {
    summary: 'Xero refused access to this organisation: it is not connected to this app any more, the organisation ID is wrong, or the organisation is gone.',
    advice:
      'Check that the workflow uses the right Xero organisation, then open the credential, click "Switch account" (or "Connect") and tick that organisation.',
  },
  forbidden: {
    summary: 'Xero refused this request because the connected user or app is not allowed to do it.',
    advice: "Check the Xero user's role and the organisation's subscription for this feature, or ask your Xero adviser.",
  },
  invalid_client: {
    summary: "Xero does not recognise the app's Client ID or Client Secret, or the app is disabled.",
    advice:
      'Copy the Client ID and a fresh Client Secret from developer.xero.com (My Apps) into the credential, save, and click "Switch account" (or "Connect").',
  },
  redirect_uri_mismatch: {
    summary: "The app's redirect address is not one Xero has on file, so Xero blocked the sign-in.",
    advice:
      'Copy the OAuth Redirect URL shown in the credential into the app\'s Redirect URIs at developer.xero.com exactly, save, and click "Switch account" (or "Connect").',
  },
  connection_limit_reached: {
    summary: 'The Xero app has reached the number of organisations its plan allows, so no more can be connected.',
    advice: 'Disconnect an organisation you no longer use, or move the app to a higher tier at developer.xero.com, then connect again.',
  },
  rate_limit_minute: {
    summary: 'Xero paused this connection because more than 60 requests were sent to the organisation within a minute.',
    advice: 'Nothing to do now: it resumes automatically after the wait; if it happens often, slow the workflow down or batch requests.',
  },
  rate_limit_day: {
    summary: "This organisation has used up today's Xero request allowance, so Xero refuses requests until the daily limit resets.",
    advice: 'Wait for the daily limit to reset, and reduce how many requests the workflows make per day (batch, filter, or run less often).',
  },
  rate_limit_concurrent: {
    summary: 'Too many requests to this Xero organisation were running at the same time.',
    advice: 'Nothing to do now: it retries after a few seconds; if it keeps happening, run fewer requests in parallel (Xero allows 5).',
  },
  rate_limit_app: {
    summary: 'The Xero app as a whole sent too many requests this minute across all its organisations.',
    advice: 'Nothing to do now: it resumes after the wait; if it happens often, spread the workflows across the minute.',
  },
  rate_limited: {
    summary: 'Xero asked for requests to slow down because too many were sent.',
    advice: 'Nothing to do now: it retries after the wait; if it happens often, slow the workflow down or batch requests.',
  },
  clock_skew: {
    summary: "The server's clock is too far from the real time, so Xero rejected the signed request.",
    advice: "Fix the server's clock (turn on automatic time sync, NTP) and run the request again.",
  },
  signature_invalid: {
    summary: "Xero could not verify the request's signature, so it rejected it.",
    advice: "Check the app's consumer key, secret and certificate in the credential; old OAuth 1.0a apps must move to OAuth 2.0.",
  },
  certificate_expired: {
    summary: 'Xero has no valid certificate for this app, so it rejected the signed request.',
    advice: "Upload the app's current public certificate at developer.xero.com, or move the app to OAuth 2.0.",
  },
  nonce_reused: {
    summary: 'A one-time value in the request had already been used, so Xero rejected it as a possible replay.',
    advice: 'Nothing to do: send the request again; it gets a new one-time value.',
  },
  organisation_offline: {
    summary: 'This Xero organisation is offline for a short time (Xero is updating it).',
    advice: 'Nothing to do: wait about 5 minutes and the request is tried again.',
  },
  service_unavailable: {
    summary: "Xero's service is down for maintenance or temporarily unavailable.",
    advice: 'Nothing to do: wait a few minutes and try again; check status.xero.com if it lasts longer.',
  },
  server_error: {
    summary: 'Xero had an internal error while handling this request.',
    advice: 'Try the request again in a moment; if it keeps failing, check status.xero.com and contact Xero support with the correlation ID.',
  },
  network_error: {
    summary: 'The connection to Xero dropped or could not be made (a network problem, not a Xero account problem).',
    advice: "Try again in a moment; if it keeps failing, check the server's internet connection, firewall and proxy.",
  },
  tls_error: {
    summary:
      'The secure (TLS) connection to Xero could not be verified, so nothing was sent: a proxy or firewall is intercepting it, the server is missing a certificate authority, or its clock is wrong.',
    advice:
      "Ask whoever runs the server to trust the proxy's certificate (NODE_EXTRA_CA_CERTS=/path/to/ca.pem for n8n or Node-RED, then restart), or to fix the system clock; do not turn certificate checks off.",
  },
  timeout: {
    summary: 'Xero took too long to answer, so the request was given up.',
    advice: 'Try again in a moment; if it keeps happening, request less data at a time (use paging or filters).',
  },
  validation_error: {
    summary: 'Xero rejected the data this workflow sent because something in it is not valid.',
    advice: "Read Xero's message in the details, fix the field it names in the workflow (for example a missing contact or a bad date), and run it again.",
  },
  not_found: {
    summary: 'Xero could not find the record or address this workflow asked for.',
    advice: 'Check the ID or URL used in the workflow (the record may have been deleted or belong to another organisation).',
  },
  precondition_failed: {
    summary: 'Xero refused the change because the record was changed elsewhere or a condition of the request was not met.',
    advice: 'Fetch the latest version of the record, check its status, and run the workflow again.',
  },
  unknown: {
    summary: 'Xero Guard could not recognise this error.',
    advice: 'Look at the full error in the failed execution; if it names Xero, check status.xero.com or contact support with the details.',
  },
};

/** ENOTFOUND: the host name itself does not resolve, which waiting does not fix. */
export const HOST_NOT_FOUND_TEXT: CategoryText = {
  summary: "The server could not find Xero's address on the network (the host name did not resolve).",
  advice: "Check the server's DNS and proxy settings and any custom Xero URL in the configuration for typos.",
};

/** EREDIRECT: our transport refused a redirect, which Xero never sends; retrying meets the same one. */
export const REDIRECT_REFUSED_TEXT: CategoryText = {
  summary: 'The address called answered with a redirect, which Xero never sends, so Xero Guard did not follow it and nothing was sent on.',
  advice:
    'Check the Xero URLs in the configuration (custom endpoints: http instead of https, a missing or extra part of the path) and any proxy between this host and Xero; set the URL that answers directly.',
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** `a`, `a and b`, `a, b and c`; five or more end in `and N more`. */
function listOf(names: readonly string[]): string {
  const shown = names.length > 4 ? [...names.slice(0, 3), `${names.length - 3} more`] : [...names];
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/**
 * insufficient_scope when the caller's context names the scopes missing. The names come from the
 * context reader, which keeps only scope-shaped words (context.ts).
 */
export function missingScopeText(missing: readonly string[], gate: Gate | null): CategoryText {
  const one = missing.length === 1;
  const names = listOf(missing);
  const alsoTier = gate?.kind === 'tier' ? ` (Xero is also reported to open ${gate.endpoint} only to apps on its ${gate.tier} tier)` : '';
  return {
    summary: `The Xero connection does not have the ${one ? 'scope' : 'scopes'} ${names}, which this request needs.`,
    advice: `Add ${names} to the credential's scopes, save, and click "Switch account" (or "Connect") so Xero grants ${one ? 'it' : 'them'}${alsoTier}.`,
  };
}

/**
 * plan_restricted, naming the endpoint and what Xero requires where that is known (gated-endpoints.ts);
 * with the app's tier as the user set it, that tier too, so a Starter user reads why and what would open it.
 */
export function planRestrictedText(endpoint: string | null, gate: Gate | null, appTier: XeroTier | null = null): CategoryText {
  if (gate?.kind === 'tier' && appTier !== null) {
    const needed = tierGateOf(gate.endpoint)?.tier;
    const set = XERO_TIERS[appTier].name;
    if (needed !== undefined && !tierAtLeast(appTier, needed)) {
      return {
        summary: `Xero refused ${gate.endpoint} although the connection has every scope it needs: the app is on Xero's ${set} tier (its tier setting), and Xero is reported to open ${gate.endpoint} only to apps on its ${gate.tier} tier.`,
        advice: `Reconnecting will not help: move the app to Xero's ${gate.tier} tier (or above) at developer.xero.com and change the tier setting to match, or take the ${gate.endpoint} step out of the workflow.`,
      };
    }
    return {
      summary: `Xero refused ${gate.endpoint} although the connection has every scope it needs and the tier setting says the app is on Xero's ${set} tier, which Xero is reported to open ${gate.endpoint} to.`,
      advice: `Reconnecting will not help: check the app's tier at developer.xero.com (Xero may still have it below ${gate.tier}) and set the tier setting to what Xero shows, or take the ${gate.endpoint} step out of the workflow.`,
    };
  }
  if (gate?.kind === 'tier') {
    return {
      summary: `Xero refused ${gate.endpoint} although the connection has every scope it needs: Xero is reported to open ${gate.endpoint} only to apps on its ${gate.tier} tier.`,
      advice: `Reconnecting will not help: move the app to Xero's ${gate.tier} tier (or above) at developer.xero.com, or take the ${gate.endpoint} step out of the workflow.`,
    };
  }
  if (gate?.kind === 'role') {
    return {
      summary: `Xero refused ${gate.endpoint} although the connection has every scope it needs: ${gate.reportedBy} reports that from ${dayOf(gate.sinceMs)} Xero opens ${gate.endpoint} only to a connected user with the ${gate.role} role.`,
      advice: `Have a Xero user who holds the ${gate.role} role in this organisation reconnect (sign in as them and allow access), or take the ${gate.endpoint} step out of the workflow.`,
    };
  }
  if (endpoint === null) return TEXTS.plan_restricted;
  return {
    summary: `Xero refused ${endpoint} although the connection has every scope it needs: ${endpoint} is closed to the app's Xero tier or to the role of the user who connected the organisation.`,
    advice: `Reconnecting will not help: find which tier or user role ${endpoint} needs (developer.xero.com), then move the app to that tier or have a user with that role reconnect; otherwise take the ${endpoint} step out of the workflow.`,
  };
}

export function customRuleSummary(ruleName: string): string {
  return `Your custom rule "${ruleName}" matched this error.`;
}

export const CUSTOM_RULE_ADVICE = 'Follow the instructions your team wrote for this rule.';
