'use strict';
/**
 * xero refresh token: "if needed" rotates only inside the refresh-ahead window or past the
 * keep-alive age; "force" rotates now. msg.payload says what happened and the new expiry, never a
 * token. Opt-in: put the Authorization (and xero-tenant-id) headers on msg.headers for a following
 * http request node; only then does a token leave the engine, and only there.
 */
const lib = require('./lib/xero-guard');

module.exports = function (RED) {
  function XeroRefreshTokenNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const conn = lib.connectionOf(RED, config);
    const mode = config.mode === 'force' ? 'force' : 'if_needed';
    const setHeaders = config.setHeaders === true || config.setHeaders === 'true';
    lib.showInitialStatus(node, conn);
    const unsubscribe = conn ? conn.onEngineEvent((event) => {
      if (event.type === 'refresh_started') node.status({ fill: 'yellow', shape: 'ring', text: 'refreshing the access token' });
    }) : () => undefined;

    node.on('input', async function (msg, send, done) {
      const force = mode === 'force' || msg.force === true;
      try {
        if (!conn) throw lib.noConnectionError();
        node.status({ fill: 'yellow', shape: 'ring', text: force ? 'refreshing the access token' : 'checking the token' });
        const { result, status, accessToken } = await conn.use(async ({ engine }) => {
          const refreshed = await engine.refresh(conn.key, { force });
          const health = await engine.status(conn.key);
          return { result: refreshed, status: health, accessToken: setHeaders ? await engine.getAccessToken(conn.key) : null };
        });
        msg.payload = {
          refreshed: result.refreshed,
          mode: force ? 'force' : 'if_needed',
          accessTokenExpiresAt: new Date(result.accessTokenExpiresAt).toISOString(),
          lastRotationAt: new Date(result.lastRotationAt).toISOString(),
          daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
          version: result.version,
          chainState: status.state,
        };
        if (accessToken) {
          const tenantId = (typeof msg.tenantId === 'string' && msg.tenantId.trim()) || conn.settings.tenantId;
          msg.headers = { ...(msg.headers && typeof msg.headers === 'object' ? msg.headers : {}), Authorization: `Bearer ${accessToken}`, Accept: 'application/json' };
          if (tenantId) msg.headers['xero-tenant-id'] = tenantId;
        }
        const until = new Date(result.accessTokenExpiresAt).toISOString().slice(11, 16);
        node.status({ fill: 'green', shape: 'dot', text: `${result.refreshed ? 'refreshed' : 'fresh'}: valid until ${until} UTC` });
        send(msg);
        done();
      } catch (error) {
        const scrub = conn ? conn.scrub : (t) => lib.scrub(t, []);
        const message = scrub(error && error.message ? error.message : String(error));
        node.status(lib.statusForError(error));
        msg.xeroGuard = { code: (error && error.code) || 'UNKNOWN', retryable: Boolean(error && error.retryable), message };
        const failure = new Error(message);
        failure.code = msg.xeroGuard.code;
        done(failure);
      }
    });

    node.on('close', function () {
      unsubscribe();
    });
  }

  RED.nodes.registerType('xero refresh token', XeroRefreshTokenNode);
};
