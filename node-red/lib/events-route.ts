/**
 * The webhook route of `xero events` on Node-RED's HTTP node server (RED.httpNode, where `http in`
 * nodes live): Xero's deliveries are checked over their raw bytes, so the route reads the request
 * stream itself (Node-RED parses bodies per `http in` route, never on a route a node adds), refuses
 * a body over the cap before reading it, answers 200, 401 or 413 at once, and only then hands a
 * verified delivery on (docs/design/events.md "Receiving").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { declaredTooLarge, readBodyCapped, verifyWebhook, WebhookKey, XERO_SIGNATURE_HEADER, type XeroDelivery } from '../../src/events';

type Request = IncomingMessage & { body?: unknown; _body?: boolean };
type Handler = (req: Request, res: ServerResponse) => void;

interface Layer {
  route?: { path?: string; stack?: Array<{ handle?: unknown }> };
}

/** The part of Node-RED's HTTP node server (an Express 4 app) the route needs. */
export interface HttpNodeServer {
  post(path: string, handler: Handler): void;
  _router?: { stack: Layer[] };
}

export type RouteOutcome =
  | { status: 200; delivery: XeroDelivery; problems: string[] }
  | { status: 200; delivery: null; problems: string[] }
  | { status: 401 | 413; problems: string[] }
  | { status: 500; problems: string[] };

export interface EventsRouteOptions {
  key: WebhookKey;
  maxBodyBytes: number;
  /** After the answer has gone: what came in, and what to say about it (never the key). */
  received(outcome: RouteOutcome): void;
}

/** Paths must start with a slash and hold no parameters or wildcards: the URL pasted at Xero is exactly this. */
export const ROUTE_PATH = /^\/[A-Za-z0-9._~/-]{1,200}$/;

/** Adds the route; the returned function takes it off again (at redeploy or close). */
export function addEventsRoute(server: HttpNodeServer, path: string, options: EventsRouteOptions): () => void {
  const handler: Handler = (req, res) => {
    void answer(req, res, options).then(options.received, (error: unknown) => {
      options.received({ status: 500, problems: [`The delivery could not be read: ${error instanceof Error ? error.message : String(error)}`] });
    });
  };
  server.post(path, handler);
  return () => {
    const stack = server._router?.stack ?? [];
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i]?.route?.path === path && stack[i]?.route?.stack?.some((layer) => layer.handle === handler)) stack.splice(i, 1);
    }
  };
}

async function answer(req: Request, res: ServerResponse, options: EventsRouteOptions): Promise<RouteOutcome> {
  const send = (status: number): void => {
    res.statusCode = status;
    res.end();
  };
  if (declaredTooLarge(req.headers['content-length'], options.maxBodyBytes)) {
    // Refused unread; the connection closes rather than draining a body this large.
    refuseTooLarge(req, res);
    return { status: 413, problems: [] };
  }
  let bytes: Buffer;
  if (Buffer.isBuffer(req.body)) bytes = req.body;
  else if (req.body !== undefined || req._body === true || req.readableEnded) {
    // A body parser of httpNodeMiddleware read the stream first: the signature cannot be checked over the bytes Xero sent.
    send(500);
    return {
      status: 500,
      problems: [
        'A body parser in settings.js (httpNodeMiddleware) read the delivery before xero events could check its signature over the raw bytes: leave this path out of that middleware.',
      ],
    };
  } else {
    const read = await readBodyCapped(req, options.maxBodyBytes);
    if ('tooLarge' in read) {
      refuseTooLarge(req, res);
      return { status: 413, problems: [] };
    }
    bytes = read.bytes;
  }
  const verdict = verifyWebhook({ body: bytes, signature: req.headers[XERO_SIGNATURE_HEADER], key: options.key, maxBodyBytes: options.maxBodyBytes });
  send(verdict.status);
  if (verdict.status === 200 && verdict.delivery === null)
    return { status: 200, delivery: null, problems: [`A correctly signed request was not a Xero delivery: ${verdict.error}`] };
  if (verdict.status === 200) return { status: 200, delivery: verdict.delivery, problems: verdict.problems.map((p) => p.message) };
  return { status: verdict.status, problems: [] };
}

/** 413, then the connection is closed once the answer is out (the rest of the body is never read). */
function refuseTooLarge(req: Request, res: ServerResponse): void {
  res.statusCode = 413;
  res.setHeader('Connection', 'close');
  res.once('finish', () => req.destroy());
  res.end();
}
