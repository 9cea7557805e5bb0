/**
 * xero check connection: a token through the engine (refreshing if due), the organisations from
 * GET /connections and, for a tenant, its Organisation record. msg.payload is the core's check
 * result; output 1 when connected, output 2 on any problem (classified, with advice).
 */
import type { CheckResult } from '../src/check';
import { checkResultForError } from '../src/host';
import { connectionOf } from './lib/connection-handle';
import type { NodeConfig, NodeMessage, RED, RuntimeNode } from './lib/red';
import { noConnectionError } from './lib/settings';
import { showInitialStatus, statusForResult, wrongTenantFix } from './lib/status';

export = function register(red: RED): void {
  function XeroCheckConnectionNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const ownTenant = typeof config.tenantId === 'string' ? config.tenantId.trim() : '';
    const tenantOf = (msg: NodeMessage) => (typeof msg.tenantId === 'string' && msg.tenantId.trim()) || ownTenant || (conn?.settings.tenantId ?? '');
    showInitialStatus(this, conn);
    const unsubscribe = conn?.onEngineEvent((event) => {
      if (event.type === 'refresh_started') this.status({ fill: 'yellow', shape: 'ring', text: 'refreshing the access token' });
    });

    this.on('input', async (msg, send, done) => {
      const tenantId = tenantOf(msg);
      let result: CheckResult;
      let fix: string | null;
      if (!conn) {
        const error = noConnectionError();
        result = checkResultForError(error);
        fix = error.fix ?? null;
      } else {
        this.status({ fill: 'yellow', shape: 'ring', text: 'checking' });
        result = await conn.check(tenantId);
        fix = wrongTenantFix(result, tenantId);
      }
      msg.payload = result;
      this.status(statusForResult(result, fix));
      send(result.status === 'connected' ? [msg, null] : [null, msg]);
      done();
    });

    this.on('close', () => unsubscribe?.());
  }

  red.nodes.registerType('xero check connection', XeroCheckConnectionNode);
};
