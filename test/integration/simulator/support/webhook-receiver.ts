import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WebhookKey, XERO_SIGNATURE_HEADER, type XeroDelivery } from '../../../../src/events';

/**
 * One request as the receiver got it: the raw bytes, the headers, the body parsed (what the simulator
 * sends is a Xero delivery; undefined when the body is not JSON), and what it answered.
 */
export interface Received {
  bytes: Buffer;
  headers: IncomingHttpHeaders;
  json: XeroDelivery | undefined;
  answered: number | 'held';
}

/** A request that carried events. */
export type Delivered = Received & { json: XeroDelivery };

/** How the receiver answers: by the signature (as a real receiver does), always with one status, or not at all until released. */
export type ReceiverMode = 'verify' | number | 'hang';

/**
 * A real webhook receiver on a free port, for the simulator's webhook tests: it checks Xero's
 * signature with the events core (src/events verifyWebhook) over the raw bytes it received and
 * keeps every request, so a test can read what the simulator sent byte for byte.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  mode: ReceiverMode = 'verify';
  private held: Array<() => void> = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  url = '';
  private server: Server | null = null;

  private constructor(private readonly key: WebhookKey) {}

  static async start(key: string, path = '/xero/webhook'): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(new WebhookKey(key));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver.take(Buffer.concat(chunks), req.headers, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver.server = server;
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
    return receiver;
  }

  /** Deliveries with events (intent-to-receive probes left out). */
  deliveries(): Delivered[] {
    return this.received.filter((r): r is Delivered => Array.isArray(r.json?.events) && r.json.events.length > 0);
  }

  /** Resolves once `count` requests in all have arrived (answered or held). */
  untilReceived(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Answers every held request as `verify` would. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  close(): Promise<void> {
    this.release();
    const server = this.server;
    return new Promise((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private take(bytes: Buffer, headers: IncomingHttpHeaders, res: ServerResponse): void {
    let json: XeroDelivery | undefined;
    try {
      json = JSON.parse(bytes.toString('utf8')) as XeroDelivery;
    } catch {
      json = undefined;
    }
    const entry: Received = { bytes, headers, json, answered: 'held' };
    this.received.push(entry);
    const verified = (): number => verifyWebhook({ body: bytes, signature: headers[XERO_SIGNATURE_HEADER], key: this.key }).status;
    const answer = (status: number): void => {
      entry.answered = status;
      res.writeHead(status).end();
    };
    if (this.mode === 'hang') this.held.push(() => answer(verified()));
    else answer(this.mode === 'verify' ? verified() : this.mode);
    this.waiters = this.waiters.filter((w) => {
      if (this.received.length < w.count) return true;
      w.resolve();
      return false;
    });
  }
}
