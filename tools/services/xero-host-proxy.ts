/**
 * Test only: lets a node that hardcodes https://api.xero.com (n8n's own Xero node) talk to the
 * simulator. n8n honours HTTPS_PROXY (it installs proxy agents from the environment), so n8n opens a
 * CONNECT tunnel here; only api.xero.com:443 is accepted, its TLS is ended with a throwaway certificate
 * from a throwaway CA that n8n is told to trust (NODE_EXTRA_CA_CERTS), and each request is passed on to
 * the simulator unchanged. Every other tunnel is refused, so nothing else leaves through it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const XERO_API_HOST = 'api.xero.com';

export interface XeroHostProxy {
  /** For HTTPS_PROXY. */
  url: string;
  /** For NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Requests passed on, as `METHOD /path`. */
  forwarded: string[];
  /** Tunnels refused (host:port). */
  refused: string[];
  /** The environment that sends an n8n's api.xero.com calls through this proxy (loopback calls go direct). */
  n8nEnv: Record<string, string>;
  close(): Promise<void>;
}

function certificates(dir: string): { key: Buffer; cert: Buffer; caFile: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Xero Guard e2e test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', `/CN=${XERO_API_HOST}`]);
  writeFileSync(join(dir, 'host.ext'), `subjectAltName=DNS:${XERO_API_HOST}\nextendedKeyUsage=serverAuth\n`);
  run(['x509', '-req', '-in', 'host.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'host.pem', '-days', '2', '-extfile', 'host.ext']);
  return { key: readFileSync(join(dir, 'host.key')), cert: readFileSync(join(dir, 'host.pem')), caFile: join(dir, 'ca.pem') };
}

export async function startXeroHostProxy(simulatorApiUrl: string): Promise<XeroHostProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'xg-host-proxy-'));
  const { key, cert, caFile } = certificates(dir);
  const target = new URL(simulatorApiUrl);
  const forwarded: string[] = [];
  const refused: string[] = [];
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    forwarded.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const tls = createHttpsServer({ key, cert }, pass);
  const sockets = new Set<Socket>();
  const proxy = createHttpServer((_req, res) => {
    res.writeHead(405).end('CONNECT only');
  });
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (req.url !== `${XERO_API_HOST}:443`) {
      refused.push(String(req.url));
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    tls.emit('connection', socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    caFile,
    n8nEnv: { HTTPS_PROXY: url, NO_PROXY: '127.0.0.1,localhost', NODE_EXTRA_CA_CERTS: caFile },
    forwarded,
    refused,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      tls.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
