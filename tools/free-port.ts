/**
 * A free TCP port on 127.0.0.1, for a process a harness starts that must be told its port up front
 * (n8n, Node-RED, a private PostgreSQL or Redis): the kernel picks it, the probe lets it go at once.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('the port probe has no TCP address'))));
    });
  });
}
