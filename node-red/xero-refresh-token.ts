/**
 * xero refresh token: "if needed" rotates only inside the refresh-ahead window or past the
 * keep-alive age; "force" rotates now. msg.payload says what happened and the new expiry, never a
 * token. Opt-in: put the Authorization (and xero-tenant-id) headers on msg.headers for a following
 * http request node; only then does a token leave the engine, and only there.
 */
import { redactedMessage } from '../src/secrets';
import { connectionOf } from './lib/connection-handle';
import { failureOf } from './lib/failure';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';
import { noConnectionError } from './lib/settings';
import { followConnection, statusForError } from './lib/status';

export = function register(red: RED): void {
  function XeroRefreshTokenNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const mode = config.mode === 'force' ? 'force' : 'if_needed';
    const setHeaders = config.setHeaders === true || config.setHeaders === 'true';
    const dots = followConnection(this, conn);

    this.on('input', async (msg, send, done) => {
      const force = mode === 'force' || msg.force === true;
      try {
        if (!conn) throw noConnectionError();
        dots.show({ fill: 'yellow', shape: 'ring', text: force ? 'refreshing the access token' : 'checking the token' });
        const result = await conn.session.refresh({ force });
        const status = await conn.session.status();
        const accessToken = setHeaders ? await conn.session.accessToken() : null;
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
          const headers: Record<string, unknown> = {
            ...(msg.headers && typeof msg.headers === 'object' ? msg.headers : {}),
            Authorization: `Bearer ${accessToken}`,
            Accept: 'application/json',
          };
          if (tenantId) headers['xero-tenant-id'] = tenantId;
          msg.headers = headers;
        }
        const until = new Date(result.accessTokenExpiresAt).toISOString().slice(11, 16);
        dots.show({ fill: 'green', shape: 'dot', text: `${result.refreshed ? 'refreshed' : 'fresh'}: valid until ${until} UTC` });
        send(msg);
        done();
      } catch (error) {
        const message = conn ? conn.scrub(error instanceof Error ? error.message : String(error)) : redactedMessage(error, [], String(error));
        dots.show(statusForError(error, conn?.secrets));
        const e = error && typeof error === 'object' ? (error as { code?: unknown; retryable?: unknown }) : {};
        const code = typeof e.code === 'string' && e.code !== '' ? e.code : 'UNKNOWN';
        // The classification in Node-RED's words rides beside Node-RED's own msg.error: xero classify error keeps it.
        const { fields } = failureOf(error, (text) => (conn ? conn.scrub(text) : text), conn?.secrets ?? []);
        msg.xeroGuard = { ...fields, code, retryable: e.retryable === true, message };
        done(Object.assign(new Error(message), { code }));
      }
    });

    this.on('close', () => dots.close());
  }

  red.nodes.registerType('xero refresh token', XeroRefreshTokenNode);
};
