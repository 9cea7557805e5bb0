/**
 * "Connect to Xero" through Node-RED's admin API. The start route builds the authorize URL with
 * PKCE and a state (both kept here, server-side) and binds them to the browser with a cookie; the
 * callback route checks the state and that cookie, exchanges the code and stores the grant in the
 * ledger; the status route shows the editor who is connected to which organisations, read-only.
 * The threat model these follow is docs/security.md ("Node-RED admin routes").
 */
import { classifyXeroError } from '../../src/classify';
import { ConnectionEndpointsError } from '../../src/engine';
import { BASE_SCOPES, DEFAULT_XERO_SCOPES, XERO_SCOPES } from '../../src/host';
import { redactSecrets } from '../../src/secrets';
import { hasChainNotes } from '../../src/ledger';
import { tokenSetUser, XeroIdentityClient, type TokenSetUser } from '../../src/xero';
import { EDITOR_NOTE, type ConnectionHandle, type ConnectionNode } from './connection-handle';
import { bindToBrowser, editorBaseOf, editorOnly, editorOrigin, expectedRedirectUri, forgetBinding, sameBrowser, type BrowserBinding } from './editor-guard';
import { withEngine } from './engines';
import type { AdminRequest, AdminResponse, RED } from './red';
import { PASSWORD_PLACEHOLDER, readSettings, runtimeOptions, secretsOf, settingsProblem, type ConnectionSettings } from './settings';

/** How long a started "Connect to Xero" may take before its state is forgotten. */
const CONNECT_TTL_MS = 15 * 60 * 1000;

interface Started {
  id: string;
  settings: ConnectionSettings;
  redirectUri: string;
  codeVerifier: string;
  expiresAt: number;
  browser: BrowserBinding;
}

/** Xero's own refusal of a code: its words are safe to show; any other failure is told only to the log. */
class XeroRefusal extends Error {}

interface ConnectSummary {
  who: TokenSetUser;
  tenants: Array<{ tenantId: string; tenantName: string | null; tenantType: string }>;
  where: string;
  at: string;
}

const validId = (id: unknown): id is string => typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What the editor is told when the ledger or a server could not be reached: the same words for every cause. */
function unreachable(id: string, what: string): string {
  return `${what} The Node-RED log says why (look for "xero-connection ${id}").`;
}

/**
 * Where the tokens are kept, for the editor: a file ledger's folder is a setting any reader sees
 * anyway; a database's host, port and name come from a credential, so only its kind is shown.
 */
function ledgerShown(settings: ConnectionSettings, where: string): string {
  if (settings.ledger.kind === 'postgres') return 'PostgreSQL ledger of this node';
  if (settings.ledger.kind === 'redis') return 'Redis ledger of this node';
  return where;
}

/** The deployed xero-connection of `id`, or null (not deployed, or another type). */
function deployedHandle(red: RED, id: string): ConnectionHandle | null {
  const handle = (red.nodes.getNode(id) as ConnectionNode | null)?.xeroGuard;
  return handle && typeof handle.check === 'function' ? handle : null;
}

/** Where a connect sends the client secret and keeps the tokens: if any differs from the deployed node, its stored secrets are not used. */
function differsFromDeployed(asked: ConnectionSettings, deployed: ConnectionSettings): string | null {
  const endpoints = (s: ConnectionSettings) => JSON.stringify([s.endpoints.authorizeUrl ?? '', s.endpoints.tokenUrl ?? '', s.endpoints.apiUrl ?? '']);
  if (asked.clientId !== deployed.clientId) return 'client id';
  if (endpoints(asked) !== endpoints(deployed)) return 'Xero endpoints';
  if (asked.ledger.kind !== deployed.ledger.kind || asked.ledger.folder !== deployed.ledger.folder) return 'ledger';
  for (const url of ['postgresUrl', 'redisUrl'] as const) if (asked.ledger[url] && asked.ledger[url] !== deployed.ledger[url]) return 'ledger';
  return null;
}

function page(res: AdminResponse, status: number, title: string, message: string): void {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif;margin:2rem"><h1 id="xero-guard-title">${esc(title)}</h1><p id="xero-guard-message">${esc(message)}</p></body></html>`,
    );
}

export function registerConnectRoutes(red: RED): void {
  /** Started connects by state: PKCE verifier, redirect URI and settings stay on the server. */
  const pending = new Map<string, Started>();
  /** What the last completed connect of each node found, until a deployed node answers for itself. */
  const connected = new Map<string, ConnectSummary>();

  function prune(): void {
    const now = Date.now();
    for (const [state, p] of pending) if (p.expiresAt < now) pending.delete(state);
  }

  /**
   * The settings a connect runs with: the dialog's, maybe not deployed yet (the start route needs the
   * write permission). The deployed node's stored secrets stand in for the editor's password
   * placeholders only when the dialog points at the same client id, endpoints and ledger as the
   * deployed node: stored secrets are never sent anywhere else.
   */
  function settingsForConnect(id: string, body: Record<string, unknown>): ConnectionSettings | { error: string } {
    const { name, scopes, tenantId, ledger, ledgerFolder, useCustomEndpoints, authorizeUrl, tokenUrl, apiUrl } = body;
    const config = { name, scopes, tenantId, ledger, ledgerFolder, useCustomEndpoints, authorizeUrl, tokenUrl, apiUrl };
    const typed = { clientId: body.clientId, clientSecret: body.clientSecret, postgresUrl: body.postgresUrl, redisUrl: body.redisUrl };
    const asked = readSettings(config, typed);
    const deployed = deployedHandle(red, id);
    const differs = deployed ? differsFromDeployed(asked, deployed.settings) : 'not deployed';
    if (differs === null) return readSettings(config, typed, red.nodes.getCredentials(id) ?? {});
    const placeholders = (['clientSecret', 'postgresUrl', 'redisUrl'] as const).filter((k) => typed[k] === PASSWORD_PLACEHOLDER);
    if (placeholders.length > 0) {
      const why =
        differs === 'not deployed'
          ? 'this xero-connection node is not deployed'
          : `the dialog's ${differs} ${differs.endsWith('s') ? 'differ' : 'differs'} from the deployed node's`;
      return {
        error: `Stored secrets are used only with the deployed settings, and ${why}: type the client secret${placeholders.length > 1 || placeholders[0] !== 'clientSecret' ? ' (and the database URL)' : ''} again, or deploy first.`,
      };
    }
    return asked;
  }

  red.httpAdmin.post(
    '/xero-guard/connections/:id/authorize',
    red.auth.needsPermission('xero-connection.write'),
    editorOnly(red),
    (req: AdminRequest, res: AdminResponse) => {
      prune();
      const id = req.params.id;
      const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
      if (!validId(id)) return res.status(400).json({ error: 'Unknown node id.' });
      // The code goes only to this editor's own callback: pinned to the origin the editor was opened at.
      const expected = expectedRedirectUri(red, editorOrigin(red, req) as string);
      const redirectUri = text(body.redirectUri) ?? '';
      if (redirectUri !== expected) {
        return res.status(400).json({
          error: `redirectUri must be this Node-RED editor's callback, ${expected}. Behind a proxy, set xeroGuard.editorUrl in settings.js to the URL you open the editor at.`,
        });
      }
      const settings = settingsForConnect(id, body);
      if ('error' in settings) return res.status(400).json({ error: settings.error });
      const problem = settingsProblem(settings);
      if (problem) return res.status(400).json({ error: problem.message });
      try {
        const identity = new XeroIdentityClient({ endpoints: settings.endpoints });
        const request = identity.createAuthorizationRequest({ clientId: settings.clientId, redirectUri, scopes: settings.scopes });
        const browser = bindToBrowser(res, request.state, redirectUri, CONNECT_TTL_MS);
        pending.set(request.state, { id, settings, redirectUri, codeVerifier: request.codeVerifier, expiresAt: Date.now() + CONNECT_TTL_MS, browser });
        res.json({ authorizeUrl: request.url, redirectUri });
      } catch (error) {
        res.status(400).json({ error: redactSecrets((error as Error).message, secretsOf(settings)) });
      }
    },
  );

  red.httpAdmin.get('/xero-guard/connect/callback', (req: AdminRequest, res: AdminResponse) => {
    // Reached by the browser from Xero, without the editor's admin token: the single-use state,
    // and the cookie the start set in the browser that clicked "Connect to Xero", are the check.
    prune();
    const state = text(req.query.state) ?? '';
    const started = state ? pending.get(state) : undefined;
    if (!started)
      return page(
        res,
        400,
        'Connection not completed',
        'This sign-in is unknown or expired (it is valid once, for 15 minutes). Go back to Node-RED and click "Connect to Xero" again.',
      );
    pending.delete(state);
    forgetBinding(res, started.browser, started.redirectUri);
    if (!sameBrowser(req, started.browser)) {
      red.log.warn(`[xero-connection ${started.id}] a Connect to Xero callback came from a browser other than the one that started it; nothing was stored`);
      return page(
        res,
        400,
        'Connection not completed',
        'This sign-in was finished in a different browser from the one that clicked "Connect to Xero" (or that browser blocked the cookie Node-RED set). Nothing was stored. Click "Connect to Xero" again and sign in within the browser that clicked it.',
      );
    }
    const refused = text(req.query.error);
    if (refused !== undefined) {
      const cancelled = refused === 'access_denied';
      return page(
        res,
        400,
        cancelled ? 'Connection cancelled' : 'Connection refused by Xero',
        cancelled
          ? 'Access was not allowed at Xero. Go back to Node-RED and click "Connect to Xero" again to retry.'
          : `Xero answered "${refused.slice(0, 80)}". Check the client id, redirect URI and scopes of your Xero app, then try again.`,
      );
    }
    const code = text(req.query.code) ?? '';
    if (!code) return page(res, 400, 'Connection not completed', 'Xero sent no authorization code. Go back to Node-RED and click "Connect to Xero" again.');
    completeConnect(started, code).then(
      (summary) => {
        const tenants = summary.tenants.map((t) => t.tenantName || t.tenantId).join(', ') || 'no organisation';
        page(
          res,
          200,
          'Connected to Xero',
          `Connected${summary.who.email ? ` as ${summary.who.email}` : ''} to ${tenants}. The tokens are kept in the ${summary.where}. You can close this window and return to Node-RED.`,
        );
      },
      (error: unknown) => {
        const message = redactSecrets((error as Error).message, secretsOf(started.settings));
        red.log.warn(`[xero-connection ${started.id}] Connect to Xero failed: ${message}`);
        // Refused, timed out or a bad database login look alike here: the page is no port scanner.
        const shown =
          error instanceof XeroRefusal
            ? message
            : unreachable(started.id, "Xero's token endpoint or the ledger could not be used to finish the connection; nothing was stored.");
        page(res, 502, 'Connection not completed', shown);
      },
    );
  });

  function completeConnect(started: Started, code: string): Promise<ConnectSummary> {
    const { id, settings } = started;
    const client = { clientId: settings.clientId, clientSecret: settings.clientSecret };
    return withEngine(red, settings, async (shared) => {
      const identity = new XeroIdentityClient({ endpoints: settings.endpoints, clock: runtimeOptions(red).clock });
      const result = await identity.exchangeCode(client, { code, redirectUri: started.redirectUri, codeVerifier: started.codeVerifier });
      if (!result.ok) {
        const problem = classifyXeroError({
          statusCode: result.error.httpStatus || 400,
          body: { error: result.error.oauthError || result.error.kind },
          source: 'token_endpoint',
        });
        const refusal = `Xero refused the authorization code: ${result.error.message} ${problem.advice}`;
        // Only an OAuth answer is Xero's word; a status code or a network failure would map the network.
        throw result.error.oauthError ? new XeroRefusal(refusal) : new Error(refusal);
      }
      shared.engine.setClient(id, client);
      await shared.track(shared.engine.adoptGrant(id, result.tokenSet, { displayName: settings.name || null }));
      // The address this editor was opened at (the callback's, pinned to the editor's origin): reconnect links in alerts use it.
      const editor = editorBaseOf(started.redirectUri);
      if (hasChainNotes(shared.ledger)) await shared.track(shared.ledger.writeNotes(id, { [EDITOR_NOTE]: editor })).catch(() => undefined);
      deployedHandle(red, id)?.learnEditor(editor);
      const tenants = await shared.api.getConnections(result.tokenSet.accessToken);
      const summary: ConnectSummary = {
        who: tokenSetUser(result.tokenSet),
        tenants: tenants.ok ? tenants.data.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName || null, tenantType: t.tenantType })) : [],
        where: ledgerShown(settings, shared.where),
        at: new Date().toISOString(),
      };
      connected.set(id, summary);
      red.log.info(`[xero-connection ${id}] connected ${summary.who.email || 'a Xero user'} to ${summary.tenants.length} organisation(s)`);
      return summary;
    });
  }

  /**
   * Who is connected to which tenants, for the editor, from the deployed node only (the request's
   * body is not read: a reader must not choose where stored secrets go). Read-only: the chain's
   * state and the person from the ledger, the organisations from GET /connections while the stored
   * access token is valid; it never refreshes and never writes the ledger.
   */
  red.httpAdmin.post(
    '/xero-guard/connections/:id/status',
    red.auth.needsPermission('xero-connection.read'),
    editorOnly(red),
    (req: AdminRequest, res: AdminResponse) => {
      const id = req.params.id;
      if (!validId(id)) return res.status(400).json({ error: 'Unknown node id.' });
      const lastConnect = connected.get(id) ?? null;
      const handle = deployedHandle(red, id);
      // Not deployed yet: what this runtime's last "Connect to Xero" of the node found (its organisations, for the nodes' dropdowns).
      if (!handle)
        return res.json({
          state: 'not_deployed',
          message: lastConnect
            ? 'Connected; deploy this xero-connection node to see its connection here.'
            : 'Deploy this xero-connection node to see its connection here ("Connect to Xero" works before a deploy).',
          tenants: lastConnect?.tenants ?? [],
          lastConnect,
        });
      if (handle.problem) return res.json({ state: 'misconfigured', message: handle.problem.message, lastConnect });
      connectionView(handle, lastConnect).then(
        (view) => res.json(view),
        (error: unknown) => {
          red.log.warn(`[xero-connection ${id}] the editor's status view failed: ${handle.scrub((error as Error).message)}`);
          res.json({ state: 'unavailable', message: unreachable(id, 'The ledger of this xero-connection node could not be read.'), lastConnect });
        },
      );
    },
  );

  function connectionView(handle: ConnectionHandle, lastConnect: ConnectSummary | null): Promise<Record<string, unknown>> {
    return handle.session.use(async (shared) => {
      const status = await shared.engine.status(handle.key);
      const view: Record<string, unknown> = {
        state: status.state,
        reason: status.reason,
        version: status.version,
        lastRotationAt: status.lastRotationAt ? new Date(status.lastRotationAt).toISOString() : null,
        daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
        where: ledgerShown(handle.settings, shared.where),
        who: null,
        tenants: lastConnect?.tenants ?? [],
        tenantsChecked: false,
        lastConnect,
      };
      if (status.state === 'not_connected') return view;
      // Through the engine: a chain granted by other endpoints than the deployed ones gives nothing (Invariant 16).
      const tokens = await shared.engine.currentTokenSet(handle.key).catch((error: unknown) => {
        if (error instanceof ConnectionEndpointsError) return null;
        throw error;
      });
      view.who = tokens ? tokenSetUser(tokens) : null;
      // The stored access token, to the deployed API URL, while it is valid: no refresh for a view.
      if (tokens && status.state === 'active' && status.accessTokenValid) {
        const tenants = await shared.api.getConnections(tokens.accessToken);
        if (tenants.ok) {
          view.tenants = tenants.data.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName || null, tenantType: t.tenantType }));
          view.tenantsChecked = true;
        }
      }
      return view;
    });
  }

  /** The scope lists for the editor, from the one table every host uses. */
  red.httpAdmin.get('/xero-guard/scopes', red.auth.needsPermission('xero-connection.read'), (_req: AdminRequest, res: AdminResponse) => {
    const option = (broad: boolean) => XERO_SCOPES.filter((s) => (s.broad === true) === broad).map((s) => ({ value: s.value, label: s.label, broad }));
    res.json({ base: BASE_SCOPES, defaults: DEFAULT_XERO_SCOPES, granular: option(false), broad: option(true) });
  });
}
