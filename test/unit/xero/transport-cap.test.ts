/** The one transport refuses answers over the request's size cap (1 MB by default), against a real local HTTP server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_RESPONSE_BYTES, fetchTransport, ResponseTooLargeError, TransportError, XeroIdentityClient } from '../../../src/xero';

const CANARY = 'canary-body-secret';
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const bytes = Number(url.searchParams.get('bytes') ?? 0);
    res.on('error', () => undefined);
    if (url.pathname === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes) });
      res.end(CANARY.padEnd(bytes, 'x'));
      return;
    }
    // Chunked, no Content-Length: the cap has to be enforced while reading.
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const pump = () => {
      while (sent < bytes) {
        const size = Math.min(chunk.length, bytes - sent);
        sent += size;
        if (!res.write(chunk.subarray(0, size))) return void res.once('drain', pump);
      }
      res.end();
    };
    res.write(CANARY);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, maxResponseBytes?: number) => fetchTransport({ method: 'GET', url: `${base}${path}`, headers: {}, maxResponseBytes });

describe('fetchTransport response cap', () => {
  it('defaults to 1 MB', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(1024 * 1024);
  });

  it('reads an answer at the cap', async () => {
    const response = await get(`/declared?bytes=${DEFAULT_MAX_RESPONSE_BYTES}`);
    expect(response.body).toHaveLength(DEFAULT_MAX_RESPONSE_BYTES);
  });

  it.each(['/declared', '/chunked'])('refuses an answer one byte over the cap (%s), naming the endpoint and the cap, not the body or query', async (path) => {
    const error = await get(`${path}?bytes=${DEFAULT_MAX_RESPONSE_BYTES + 1}&code=secret-query`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toBeInstanceOf(TransportError);
    const message = (error as Error).message;
    expect(message).toContain(`${base}${path}`);
    expect(message).toContain('1 MB limit');
    expect(message).not.toMatch(/canary|secret-query/);
  });

  it('stops reading a chunked answer that goes on and on', async () => {
    await expect(get('/chunked?bytes=50000000', 64 * 1024)).rejects.toThrow(/64 KB limit/);
  });

  it('lets one request raise its cap (binary downloads)', async () => {
    const response = await get(`/chunked?bytes=${3 * 1024 * 1024}`, 4 * 1024 * 1024);
    expect(response.body.length).toBeGreaterThan(3 * 1024 * 1024);
  });

  it('tells a refresh caller the outcome is unknown, naming the token endpoint', async () => {
    const identity = new XeroIdentityClient({ endpoints: { tokenUrl: `${base}/chunked?bytes=2000000` } });
    const result = await identity.refresh({ clientId: 'id', clientSecret: 'secret' }, 'refresh-canary');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.outcomeUnknown).toBe(true);
    expect(result.error.message).toMatch(new RegExp(`${base}/chunked is larger than the 1 MB limit.*may or may not have happened`));
    expect(result.error.message).not.toMatch(/refresh-canary|secret/);
  });
});
