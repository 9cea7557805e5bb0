'use strict';
/**
 * xero-connection: the config node. Holds the Xero app's client id and secret (Node-RED credentials),
 * the scopes, the tenant and the ledger; the connection key of its token chain is its node id. The
 * "Connect to Xero" button runs the consent flow through the admin routes below: the start route
 * builds the authorize URL with PKCE and a state (both kept here, server-side), the callback route
 * checks the state, exchanges the code and stores the grant in the ledger.
 */
const lib = require('./lib/xero-guard');

const { core } = lib;
/** How long a started "Connect to Xero" may take before its state is forgotten. */
const CONNECT_TTL_MS = 15 * 60 * 1000;

module.exports = function (RED) {
  function XeroConnectionNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.key = node.id;
    node.settings = lib.readSettings(config, node.credentials);
    node.problem = lib.settingsProblem(node.settings);
    node.secrets = lib.secretsOf(node.settings);
    let entry = null;
    let opening = null;
    let closed = false;

    /** The shared engine for this node's ledger; a failure is reported and retried on the next use. */
    node.open = function () {
      if (node.problem) return Promise.reject(node.problem);
      if (closed) return Promise.reject(new core.LedgerError('The xero-connection node was closed (redeployed or stopping)'));
      if (entry) return Promise.resolve(entry);
      if (!opening) {
        opening = lib.acquireEngine(RED, node.settings).then(
          (acquired) => {
            if (closed) {
              lib.releaseEngine(acquired);
              throw new core.LedgerError('The xero-connection node was closed (redeployed or stopping)');
            }
            acquired.engine.setClient(node.key, { clientId: node.settings.clientId, clientSecret: node.settings.clientSecret });
            entry = acquired;
            return acquired;
          },
          (error) => {
            opening = null;
            throw error;
          },
        );
      }
      return opening;
    };

    /** Runs `work(entry)` against the engine, counted so a close waits for it. */
    node.use = async function (work) {
      const acquired = await node.open();
      return lib.track(acquired, Promise.resolve().then(() => work(acquired)));
    };

    /** The core health check; never throws. A setup or ledger problem comes back in the same shape. */
    node.check = async function (tenantId) {
      let acquired;
      try {
        acquired = await node.open();
      } catch (error) {
        const result = await lib.resultForError(error, node.key);
        // Not enumerable: the status text says what to fix; msg.payload keeps the core's shape.
        Object.defineProperty(result, 'fix', { value: lib.statusForError(error).text, enumerable: false });
        return result;
      }
      return lib.track(acquired, core.checkConnection({ engine: acquired.engine, key: node.key, api: acquired.api, tenantId: tenantId || undefined }));
    };

    /** The chain's state from the ledger, with no call to Xero; for the status dots at deploy. */
    node.chainStatus = function () {
      return node.use((acquired) => acquired.engine.status(node.key));
    };

    /** Notifies `listener(event)` of engine events for this connection (refreshing...). Returns an unsubscribe. */
    node.onEngineEvent = function (listener) {
      let stop = false;
      let added = null;
      node.open().then(
        (acquired) => {
          if (stop) return;
          added = (event) => {
            if (event.key === node.key) listener(event);
          };
          acquired.listeners.add(added);
        },
        () => undefined,
      );
      return () => {
        stop = true;
        if (added && entry) entry.listeners.delete(added);
      };
    };

    node.scrub = (text) => lib.scrub(text, node.secrets);

    node.open().catch((error) => {
      node.warn(node.scrub(error.message));
    });

    node.on('close', function (_removed, done) {
      closed = true;
      const held = entry;
      entry = null;
      (held ? lib.releaseEngine(held) : Promise.resolve()).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('xero-connection', XeroConnectionNode, {
    credentials: {
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      postgresUrl: { type: 'password' },
      redisUrl: { type: 'password' },
    },
  });

  // ---- "Connect to Xero": the consent flow through the admin API -------------------------------

  /** Started connects by state: PKCE verifier, redirect URI and settings stay on the server. */
  const pending = new Map();
  /** What the last completed connect of each node found, until a deployed node answers for itself. */
  const connected = new Map();

  function prune() {
    const now = Date.now();
    for (const [state, p] of pending) if (p.expiresAt < now) pending.delete(state);
  }

  /** The editor's view of a config node: its fields as typed (maybe undeployed), secrets from the deployed credentials. */
  function settingsFromRequest(id, body) {
    const b = body && typeof body === 'object' ? body : {};
    const stored = RED.nodes.getCredentials(id) || {};
    return lib.readSettings(
      {
        name: b.name,
        scopes: b.scopes,
        tenantId: b.tenantId,
        ledger: b.ledger,
        ledgerFolder: b.ledgerFolder,
        useCustomEndpoints: b.useCustomEndpoints,
        authorizeUrl: b.authorizeUrl,
        tokenUrl: b.tokenUrl,
        apiUrl: b.apiUrl,
      },
      { clientId: b.clientId, clientSecret: b.clientSecret, postgresUrl: b.postgresUrl, redisUrl: b.redisUrl },
      stored,
    );
  }

  function validId(id) {
    return typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id);
  }

  function redirectUriOk(uri) {
    try {
      const u = new URL(uri);
      return (u.protocol === 'http:' || u.protocol === 'https:') && /\/xero-guard\/connect\/callback$/.test(u.pathname);
    } catch {
      return false;
    }
  }

  RED.httpAdmin.post('/xero-guard/connections/:id/authorize', RED.auth.needsPermission('xero-connection.write'), function (req, res) {
    prune();
    const id = req.params.id;
    const redirectUri = req.body && typeof req.body.redirectUri === 'string' ? req.body.redirectUri : '';
    if (!validId(id)) return res.status(400).json({ error: 'Unknown node id.' });
    if (!redirectUriOk(redirectUri)) return res.status(400).json({ error: 'redirectUri must be the absolute URL of <Node-RED editor>/xero-guard/connect/callback.' });
    const settings = settingsFromRequest(id, req.body);
    const problem = lib.settingsProblem(settings);
    if (problem) return res.status(400).json({ error: problem.message });
    try {
      const identity = new core.XeroIdentityClient({ endpoints: settings.endpoints });
      const request = identity.createAuthorizationRequest({ clientId: settings.clientId, redirectUri, scopes: settings.scopes });
      pending.set(request.state, { id, settings, redirectUri, codeVerifier: request.codeVerifier, expiresAt: Date.now() + CONNECT_TTL_MS });
      res.json({ authorizeUrl: request.url, redirectUri });
    } catch (error) {
      res.status(400).json({ error: lib.scrub(error.message, lib.secretsOf(settings)) });
    }
  });

  RED.httpAdmin.get('/xero-guard/connect/callback', function (req, res) {
    // Reached by the browser from Xero, without the editor's admin token: the state is the check.
    prune();
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const started = state ? pending.get(state) : undefined;
    if (!started) return page(res, 400, 'Connection not completed', 'This sign-in is unknown or expired (it is valid once, for 15 minutes). Go back to Node-RED and click "Connect to Xero" again.');
    pending.delete(state);
    if (typeof req.query.error === 'string') {
      const cancelled = req.query.error === 'access_denied';
      return page(res, 400, cancelled ? 'Connection cancelled' : 'Connection refused by Xero', cancelled ? 'Access was not allowed at Xero. Go back to Node-RED and click "Connect to Xero" again to retry.' : `Xero answered "${String(req.query.error).slice(0, 80)}". Check the client id, redirect URI and scopes of your Xero app, then try again.`);
    }
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    if (!code) return page(res, 400, 'Connection not completed', 'Xero sent no authorization code. Go back to Node-RED and click "Connect to Xero" again.');
    completeConnect(started, code).then(
      (summary) => {
        const tenants = summary.tenants.map((t) => t.tenantName || t.tenantId).join(', ') || 'no organisation';
        page(res, 200, 'Connected to Xero', `Connected${summary.who.email ? ` as ${summary.who.email}` : ''} to ${tenants}. The tokens are kept in the ${summary.where}. You can close this window and return to Node-RED.`);
      },
      (error) => {
        const secrets = lib.secretsOf(started.settings);
        RED.log.warn(`[xero-connection ${started.id}] Connect to Xero failed: ${lib.scrub(error.message, secrets)}`);
        page(res, 502, 'Connection not completed', lib.scrub(error.message, secrets));
      },
    );
  });

  async function completeConnect(started, code) {
    const { id, settings } = started;
    const client = { clientId: settings.clientId, clientSecret: settings.clientSecret };
    const entry = await lib.acquireEngine(RED, settings);
    try {
      const identity = new core.XeroIdentityClient({ endpoints: settings.endpoints, clock: lib.settingsOf(RED).clock });
      const result = await identity.exchangeCode(client, { code, redirectUri: started.redirectUri, codeVerifier: started.codeVerifier });
      if (!result.ok) {
        const problem = core.classifyXeroError({ statusCode: result.error.httpStatus || 400, body: { error: result.error.oauthError || result.error.kind }, source: 'token_endpoint' });
        throw new Error(`Xero refused the authorization code: ${result.error.message} ${problem.advice}`);
      }
      entry.engine.setClient(id, client);
      await lib.track(entry, entry.engine.adoptGrant(id, result.tokenSet));
      const tenants = await entry.api.getConnections(result.tokenSet.accessToken);
      const summary = {
        who: lib.whoOf(result.tokenSet),
        tenants: tenants.ok ? tenants.data.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName || null, tenantType: t.tenantType })) : [],
        where: entry.where,
        at: new Date().toISOString(),
      };
      connected.set(id, summary);
      RED.log.info(`[xero-connection ${id}] connected ${summary.who.email || 'a Xero user'} to ${summary.tenants.length} organisation(s)`);
      return summary;
    } finally {
      await lib.releaseEngine(entry);
    }
  }

  function page(res, status, title, text) {
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    res
      .status(status)
      .type('html')
      .send(`<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif;margin:2rem"><h1 id="xero-guard-title">${esc(title)}</h1><p id="xero-guard-message">${esc(text)}</p></body></html>`);
  }

  /**
   * Who is connected to which tenants, for the editor: the chain's state from the ledger, the
   * person from the id token, the organisations from GET /connections. Settings come from the
   * editor (the node may not be deployed yet), secrets from the deployed credentials.
   */
  RED.httpAdmin.post('/xero-guard/connections/:id/status', RED.auth.needsPermission('xero-connection.read'), function (req, res) {
    const id = req.params.id;
    if (!validId(id)) return res.status(400).json({ error: 'Unknown node id.' });
    const settings = settingsFromRequest(id, req.body);
    const secrets = lib.secretsOf(settings);
    const problem = lib.settingsProblem(settings);
    if (problem) return res.json({ state: 'misconfigured', message: problem.message, lastConnect: connected.get(id) || null });
    connectionView(id, settings).then(
      (view) => res.json(view),
      (error) => res.json({ state: 'unavailable', message: lib.scrub(error.message, secrets), lastConnect: connected.get(id) || null }),
    );
  });

  async function connectionView(id, settings) {
    const entry = await lib.acquireEngine(RED, settings);
    try {
      entry.engine.setClient(id, { clientId: settings.clientId, clientSecret: settings.clientSecret });
      const status = await entry.engine.status(id);
      const view = {
        state: status.state,
        reason: status.reason,
        version: status.version,
        lastRotationAt: status.lastRotationAt ? new Date(status.lastRotationAt).toISOString() : null,
        daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
        where: entry.where,
        who: null,
        tenants: [],
        lastConnect: connected.get(id) || null,
      };
      if (status.state === 'not_connected') return view;
      const record = await entry.ledger.read(id);
      view.who = record ? lib.whoOf(record.tokenSet) : null;
      if (status.state === 'active' || status.state === 'refreshing') {
        const check = await lib.track(entry, core.checkConnection({ engine: entry.engine, key: id, api: entry.api }));
        view.check = { status: check.status, reason: check.reason };
        view.tenants = check.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, tenantType: t.tenantType }));
        view.state = check.tokenHealth.chainState;
      }
      return view;
    } finally {
      await lib.releaseEngine(entry);
    }
  }

  /** The scope lists for the editor, from the one list the runtime uses. */
  RED.httpAdmin.get('/xero-guard/scopes', RED.auth.needsPermission('xero-connection.read'), function (_req, res) {
    res.json({ base: lib.BASE_SCOPES, defaults: lib.DEFAULT_SCOPES, granular: lib.SCOPE_OPTIONS, broad: lib.BROAD_SCOPE_OPTIONS });
  });
};
