/**
 * xero check connection: a token through the engine (refreshing if due), the organisations from
 * GET /connections and, for a tenant, its Organisation record. msg.payload is the core's check
 * result; output 1 when connected, output 2 on any problem (classified, with advice).
 */
import { checkThrough, connectionOf } from './lib/connection-handle';
import type { NodeConfig, NodeMessage, RED, RuntimeNode } from './lib/red';
import { followConnection, statusForResult } from './lib/status';

export = function register(red: RED): void {
  function XeroCheckConnectionNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const ownTenant = typeof config.tenantId === 'string' ? config.tenantId.trim() : '';
    const tenantOf = (msg: NodeMessage) => (typeof msg.tenantId === 'string' && msg.tenantId.trim()) || ownTenant || (conn?.settings.tenantId ?? '');
    const dots = followConnection(this, conn);

    this.on('input', async (msg, send, done) => {
      if (conn) dots.show({ fill: 'yellow', shape: 'ring', text: 'checking' });
      const { result, fix } = await checkThrough(conn, tenantOf(msg));
      msg.payload = result;
      dots.show(statusForResult(result, fix));
      send(result.status === 'connected' ? [msg, null] : [null, msg]);
      done();
    });

    this.on('close', () => dots.close());
  }

  red.nodes.registerType('xero check connection', XeroCheckConnectionNode);
};
