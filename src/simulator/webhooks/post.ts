import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { XERO_SIGNATURE_HEADER } from '../../events/webhook';

/** What a receiver did with one delivery: its status, or why there was none. */
export type PostOutcome = { status: number } | { error: string };

/** A receiver's answer is read and thrown away; more than this is not read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * One signed POST, as Xero sends it: the exact bytes given, `x-xero-signature`, JSON. No
 * connection is kept (each delivery is its own), and the answer must come within `timeoutMs` of
 * real time: the network is real even when the simulator's clock is not.
 */
export function postSigned(url: URL, body: Buffer, signature: string, timeoutMs: number): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': String(body.length),
          [XERO_SIGNATURE_HEADER]: signature,
          'User-Agent': 'Xero Guard simulator (webhooks)',
        },
      },
      (res: IncomingMessage) => {
        // The status is the verdict; the body is read and dropped (a receiver that streams on is cut off).
        finish({ status: res.statusCode ?? 0 });
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => undefined);
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${timeoutMs / 1000} seconds` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: Error) => finish({ error: err.message }));
    req.end(body);
  });
}
