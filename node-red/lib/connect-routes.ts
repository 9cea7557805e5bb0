/**
 * "Connect to Xero" through Node-RED's admin API. The start route builds the authorize URL with
 * PKCE and a state (both kept here, server-side), the callback route checks the state, exchanges
 * the code and stores the grant in the ledger; the status route shows the editor who is connected
 * to which organisations.
 */
import { checkConnection } from '../../src/check';
import { classifyXeroError } from '../../src/classify';
import { BASE_SCOPES, DEFAULT_XERO_SCOPES, XERO_SCOPES } from '../../src/host';
import { redactSecrets } from '../../src/secrets';
import { tokenSetUser, XeroIdentityClient, type TokenSetUser } from '../../src/xero';
import { withEngine } from './engines';
import type { AdminRequest, AdminResponse, RED } from './red';
import { readSettings, runtimeOptions, secretsOf, settingsProblem, type ConnectionSettings } from './settings';

/** How long a started "Connect to Xero" may take before its state is forgotten. */
const CONNECT_TTL_MS = 15 * 60 * 1000;

interface Started {
  id: string;
  settings: ConnectionSettings;
  redirectUri: string;
  codeVerifier: string;
  expiresAt: number;
}

interface ConnectSummary {
  who: TokenSetUser;
  tenants: Array<{ tenantId: string; tenantName: string | null; tenantType: string }>;
  where: string;
  at: string;
}

const validId = (id: unknown): id is string => typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function redirectUriOk(uri: string): boolean {
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && /\/xero-guard\/connect\/callback$/.test(u.pathname);
  } catch {
    return false;
  }
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

  /** The editor's view of a config node: its fields as typed (maybe undeployed), secrets from the deployed credentials. */
  function settingsFromRequest(id: string, body: unknown): ConnectionSettings {
    const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const stored = red.nodes.getCredentials(id) ?? {};
    const { name, scopes, tenantId, ledger, ledgerFolder, useCustomEndpoints, authorizeUrl, tokenUrl, apiUrl } = b;
    return readSettings(
      { name, scopes, tenantId, ledger, ledgerFolder, useCustomEndpoints, authorizeUrl, tokenUrl, apiUrl },
      { clientId: b.clientId, clientSecret: b.clientSecret, postgresUrl: b.postgresUrl, redisUrl: b.redisUrl },
      stored,
    );
  }

  red.httpAdmin.post('/xero-guard/connections/:id/authorize', red.auth.needsPermission('xero-connection.write'), (req: AdminRequest, res: AdminResponse) => {
    prune();
    const id = req.params.id;
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const redirectUri = text(body.redirectUri) ?? '';
    if (!validId(id)) return res.status(400).json({ error: 'Unknown node id.' });
    if (!redirectUriOk(redirectUri))
      return res.status(400).json({ error: 'redirectUri must be the absolute URL of <Node-RED editor>/xero-guard/connect/callback.' });
    const settings = settingsFromRequest(id, req.body);
    const problem = settingsProblem(settings);
    if (problem) return res.status(400).json({ error: problem.message });
    try {
      const identity = new XeroIdentityClient({ endpoints: settings.endpoints });
      const request = identity.createAuthorizationRequest({ clientId: settings.clientId, redirectUri, scopes: settings.scopes });
      pending.set(request.state, { id, settings, redirectUri, codeVerifier: request.codeVerifier, expiresAt: Date.now() + CONNECT_TTL_MS });
      res.json({ authorizeUrl: request.url, redirectUri });
    } catch (error) {
      res.status(400).json({ error: redactSecrets((error as Error).message, secretsOf(settings)) });
    }
  });

  red.httpAdmin.get('/xero-guard/connect/callback', (req: AdminRequest, res: AdminResponse) => {
    // Reached by the browser from Xero, without the editor's admin token: the state is the check.
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
        page(res, 502, 'Connection not completed', message);
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
        throw new Error(`Xero refused the authorization code: ${result.error.message} ${problem.advice}`);
      }
      shared.engine.setClient(id, client);
      await shared.track(shared.engine.adoptGrant(id, result.tokenSet));
      const tenants = await shared.api.getConnections(result.tokenSet.accessToken);
      const summary: ConnectSummary = {
        who: tokenSetUser(result.tokenSet),
        tenants: tenants.ok ? tenants.data.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName || null, tenantType: t.tenantType })) : [],
        where: shared.where,
        at: new Date().toISOString(),
      };
      connected.set(id, summary);
      red.log.info(`[xero-connection ${id}] connected ${summary.who.email || 'a Xero user'} to ${summary.tenants.length} organisation(s)`);
      return summary;
    });
  }

  /**
   * Who is connected to which tenants, for the editor: the chain's state from the ledger, the
   * person from the id token, the organisations from GET /connections. Settings come from the
   * editor (the node may not be deployed yet), secrets from the deployed credentials.
   */
  red.httpAdmin.post('/xero-guard/connections/:id/status', red.auth.needsPermission('xero-connection.read'), (req: AdminRequest, res: AdminResponse) => {
    const id = req.params.id;
    if (!validId(id)) return res.status(400).json({ error: 'Unknown node id.' });
    const settings = settingsFromRequest(id, req.body);
    const problem = settingsProblem(settings);
    if (problem) return res.json({ state: 'misconfigured', message: problem.message, lastConnect: connected.get(id) ?? null });
    connectionView(id, settings).then(
      (view) => res.json(view),
      (error: unknown) =>
        res.json({ state: 'unavailable', message: redactSecrets((error as Error).message, secretsOf(settings)), lastConnect: connected.get(id) ?? null }),
    );
  });

  function connectionView(id: string, settings: ConnectionSettings): Promise<Record<string, unknown>> {
    return withEngine(red, settings, async (shared) => {
      shared.engine.setClient(id, { clientId: settings.clientId, clientSecret: settings.clientSecret });
      const status = await shared.engine.status(id);
      const view: Record<string, unknown> = {
        state: status.state,
        reason: status.reason,
        version: status.version,
        lastRotationAt: status.lastRotationAt ? new Date(status.lastRotationAt).toISOString() : null,
        daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
        where: shared.where,
        who: null,
        tenants: [],
        lastConnect: connected.get(id) ?? null,
      };
      if (status.state === 'not_connected') return view;
      const record = await shared.ledger.read(id);
      view.who = record ? tokenSetUser(record.tokenSet) : null;
      if (status.state === 'active' || status.state === 'refreshing') {
        const check = await shared.track(checkConnection({ engine: shared.engine, key: id, api: shared.api }));
        view.check = { status: check.status, reason: check.reason };
        view.tenants = check.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, tenantType: t.tenantType }));
        view.state = check.tokenHealth.chainState;
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
