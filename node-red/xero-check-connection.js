'use strict';
/**
 * xero check connection: a token through the engine (refreshing if due), the organisations from
 * GET /connections and, for a tenant, its Organisation record. msg.payload is the core's check
 * result; output 1 when connected, output 2 on any problem (classified, with advice).
 */
const lib = require('./lib/xero-guard');

module.exports = function (RED) {
  function XeroCheckConnectionNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const conn = lib.connectionOf(RED, config);
    const tenantOf = (msg) => (typeof msg.tenantId === 'string' && msg.tenantId.trim()) || (config.tenantId || '').trim() || (conn ? conn.settings.tenantId : '');
    lib.showInitialStatus(node, conn);
    const unsubscribe = conn ? conn.onEngineEvent((event) => {
      if (event.type === 'refresh_started') node.status({ fill: 'yellow', shape: 'ring', text: 'refreshing the access token' });
    }) : () => undefined;

    node.on('input', async function (msg, send, done) {
      const tenantId = tenantOf(msg);
      let result;
      let fix = null;
      if (!conn) {
        const error = lib.noConnectionError();
        result = await lib.resultForError(error, node.id);
        fix = error.fix;
      } else {
        node.status({ fill: 'yellow', shape: 'ring', text: 'checking' });
        result = await conn.check(tenantId);
        fix = fixFor(conn, result, tenantId);
      }
      msg.payload = result;
      node.status(lib.statusForResult(result, fix));
      send(result.status === 'connected' ? [msg, null] : [null, msg]);
      done();
    });

    node.on('close', function () {
      unsubscribe();
    });
  }

  RED.nodes.registerType('xero check connection', XeroCheckConnectionNode);
};

/** A short "what to fix" for problems of the node's own settings (setup, ledger, wrong tenant). */
function fixFor(_conn, result, tenantId) {
  if (result.status === 'connected') return null;
  if (result.fix) return result.fix;
  if (tenantId && result.tenants.length > 0 && !result.tenants.some((t) => t.tenantId === tenantId)) {
    return 'wrong tenant: it is not connected; pick one from Connect to Xero';
  }
  return null;
}

module.exports.fixFor = fixFor;
