/** A Slack incoming-webhook stand-in: answers `ok` like Slack and records every POSTed JSON body. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a workflow posts to an incoming webhook: Slack reads `text` (and more fields the tests do not). */
export interface SlackBody {
  text?: unknown;
  [field: string]: unknown;
}

export interface SlackStandIn {
  /** The incoming-webhook URL to paste into a workflow. */
  readonly url: string;
  readonly port: number;
  /** Every POSTed body, parsed when it was JSON, in arrival order. */
  readonly messages: Array<{ body: SlackBody | undefined; raw: string; at: number }>;
  clear(): void;
  close(): Promise<void>;
}

/** `port`: 0 (the default) for a free one; the demo passes the one its kept workflows post to. */
export async function startSlackStandIn(port = 0): Promise<SlackStandIn> {
  const messages: SlackStandIn['messages'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end('method not allowed');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: SlackBody | undefined;
      try {
        body = JSON.parse(raw) as SlackBody;
      } catch {
        body = undefined;
      }
      messages.push({ body, raw, at: Date.now() });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/services/T000/B000/e2e`,
    port: bound,
    messages,
    clear: () => void messages.splice(0, messages.length),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
