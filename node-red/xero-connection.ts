/**
 * xero-connection: the config node. Holds the Xero app's client id and secret (Node-RED
 * credentials), the scopes, the tenant and the ledger; the connection key of its token chain is its
 * node id. The "Connect to Xero" button runs the consent flow through the admin routes.
 */
import { ConnectionHandle, type ConnectionNode } from './lib/connection-handle';
import { registerConnectRoutes } from './lib/connect-routes';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';

export = function register(red: RED): void {
  function XeroConnectionNode(this: RuntimeNode & ConnectionNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const handle = new ConnectionHandle(red, this.id, this.name, config, this.credentials);
    this.xeroGuard = handle;
    handle.open().catch((error: unknown) => this.warn(handle.scrub((error as Error).message)));
    this.on('close', (_removed: boolean, done: () => void) => {
      handle.close().then(done, done);
    });
  }

  red.nodes.registerType('xero-connection', XeroConnectionNode, {
    credentials: {
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      postgresUrl: { type: 'password' },
      redisUrl: { type: 'password' },
    },
  });
  registerConnectRoutes(red);
};
