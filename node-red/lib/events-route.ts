/**
 * The webhook route of `xero events` on Node-RED's HTTP node server (RED.httpNode, where `http in`
 * nodes live): Xero's deliveries are checked over their raw bytes, answered 200, 401 or 413 at once,
 * and only then handed on (docs/design/events.md "Receiving"). Node-RED mounts its editor's API,
 * which parses JSON bodies, in front of the node server when both sit at `/`, so the bytes are
 * taken first: a capture at the top of the root app's stack (as Node-RED's own `http in` does for
 * its raw routes) reads the body of a POST to one of these paths, refusing it unread over the cap,
 * and marks it read so no parser after it touches it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { declaredTooLarge, readBodyCapped, verifyWebhook, WebhookKey, XERO_SIGNATURE_HEADER, type XeroDelivery } from '../../src/events';

type Request = IncomingMessage & { body?: unknown; _body?: boolean; skipRawBodyParser?: boolean };
type Handler = (req: Request, res: ServerResponse) => void;
type Middleware = (req: Request, res: ServerResponse, next: (error?: unknown) => void) => void;

interface Layer {
  handle?: unknown;
  route?: { path?: string; stack?: Array<{ handle?: unknown }> };
}

/** The part of an Express 4 app (Node-RED's HTTP node server, and the root app it is mounted in) the route needs. */
export interface HttpNodeServer {
  post(path: string, handler: Handler): void;
  use?(middleware: Middleware): void;
  path?(): string;
  parent?: HttpNodeServer;
  _router?: { stack: Layer[] };
}

/** The paths with a webhook route in this runtime (full paths, as the root app sees them), and who to tell of a body refused unread. */
const captured = new WeakMap<HttpNodeServer, Map<string, (outcome: RouteOutcome) => void>>();

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
  const paths = captureFor(server, options.maxBodyBytes);
  const full = normalise(`${server.path?.() ?? ''}/${path}`);
  paths?.set(full, options.received);
  server.post(path, handler);
  return () => {
    if (paths?.get(full) === options.received) paths.delete(full);
    const stack = server._router?.stack ?? [];
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i]?.route?.path === path && stack[i]?.route?.stack?.some((layer) => layer.handle === handler)) stack.splice(i, 1);
    }
  };
}

const normalise = (path: string): string => path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');

/** The capture of this runtime's root app, installed on first use at the top of its stack. */
function captureFor(server: HttpNodeServer, maxBodyBytes: number): Map<string, (outcome: RouteOutcome) => void> | null {
  let root = server;
  while (root.parent) root = root.parent;
  const known = captured.get(root);
  if (known) return known;
  if (typeof root.use !== 'function') return null;
  const paths = new Map<string, (outcome: RouteOutcome) => void>();
  const capture: Middleware = (req, res, next) => {
    const told = req.method === 'POST' ? paths.get(normalise(new URL(req.url ?? '/', 'http://node-red.invalid').pathname)) : undefined;
    if (!told) return next();
    if (declaredTooLarge(req.headers['content-length'], maxBodyBytes)) {
      refuseTooLarge(req, res);
      told({ status: 413, problems: [] });
      return;
    }
    readBodyCapped(req, maxBodyBytes).then((read) => {
      if ('tooLarge' in read) {
        refuseTooLarge(req, res);
        told({ status: 413, problems: [] });
        return;
      }
      // Read: body parsers after this (the editor API's JSON parser, `http in`'s) leave it alone.
      req.body = read.bytes;
      req._body = true;
      req.skipRawBodyParser = true;
      next();
    }, next);
  };
  root.use(capture);
  const stack = root._router?.stack ?? [];
  const at = stack.findIndex((layer) => layer.handle === capture);
  if (at > 0) stack.unshift(...stack.splice(at, 1));
  captured.set(root, paths);
  return paths;
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
