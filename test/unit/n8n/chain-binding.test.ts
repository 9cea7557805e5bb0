/**
 * Issue 24, item 1, through the n8n credential and nodes (Invariant 16): user B, who shares the
 * instance's ledger with user A but nothing else, builds credentials of their own from A's client id
 * (not a secret) and anything else they like, and gets nothing of A's chain: not its token (the
 * Refresh Token node's "Include Tokens in Output"), not its bearer at B's own server, no refresh of
 * it (with B's secret or at B's token URL), no change of its state. The same holds for an
 * authorization-code chain even if B could present A's connect-time refresh token (a found preimage
 * of the key's fingerprint): B's custom endpoints are not the chain's. The real-n8n version of
 * these attacks is test/e2e/n8n/two-users.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IExecuteFunctions } from 'n8n-workflow';
import { XeroGuardRefreshToken } from '../../../nodes/XeroGuardRefreshToken/XeroGuardRefreshToken.node';
import { openGuardedSession, resetEnginesForTests } from '../../../nodes/shared/guarded-session';
import { MINUTE } from '../../../src/clock';
import { CHAIN_KEY, connectionKeyFor } from '../../../src/engine';
import type { ConnectionRecord } from '../../../src/ledger';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOM_CLIENT_ID } from '../../../src/simulator';
import { fakeContext, makeN8nFixture, type N8nFixture } from './n8n-fixture';

const PLANTED = 'planted-by-b-access-token-00000000000000';

/** B's own server: hands out B's planted token set, answers every API call, records everything. */
async function startForeign(): Promise<{ url: string; seen: () => string; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push(JSON.stringify({ url: req.url, headers: req.headers, body }));
      const token = JSON.stringify({
        access_token: PLANTED,
        refresh_token: 'planted-refresh',
        expires_in: 1800,
        token_type: 'Bearer',
        scope: 'offline_access',
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url?.startsWith('/token') ? token : '[]');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen: () => requests.join('\n'), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The names of the `secrets` found in `text` (names only: no token reaches a test report). */
const found = (text: string, secrets: Record<string, string>): string[] =>
  Object.entries(secrets)
    .filter(([, value]) => value !== '' && text.includes(value))
    .map(([name]) => name);

describe('Invariant 16 through the n8n credential: B builds credentials from what A leaves public', () => {
  const refreshNode = new XeroGuardRefreshToken();
  let f: N8nFixture;
  let foreign: Awaited<ReturnType<typeof startForeign>>;
  beforeEach(async () => {
    f = await makeN8nFixture();
    foreign = await startForeign();
  });
  afterEach(async () => {
    await f.close();
    await foreign.close();
  });

  const custom = (secret: string, extra: Record<string, unknown> = {}) =>
    f.credentials(undefined, {
      grantType: 'clientCredentials',
      clientId: DEMO_CUSTOM_CLIENT_ID,
      clientSecret: secret,
      xeroScopes: ['accounting.settings'],
      ...extra,
    });
  const atForeign = () => ({
    customAuthUrl: `${foreign.url}/authorize`,
    customAccessTokenUrl: `${foreign.url}/token`,
    apiBaseUrl: `${foreign.url}/api.xro/2.0`,
  });
  /** Runs the Refresh Token node; the output or the error, as text. */
  const refresh = async (credentials: Record<string, unknown>, parameters: Record<string, unknown>): Promise<string> => {
    try {
      return JSON.stringify(await refreshNode.execute.call(fakeContext({ credentials, parameters }) as unknown as IExecuteFunctions));
    } catch (error) {
      return `${(error as Error).message} ${(error as { description?: string }).description ?? ''} ${(error as Error).stack ?? ''}`;
    }
  };
  /** A's chain as the ledger holds it. */
  const recordOf = async (data: Record<string, unknown>): Promise<ConnectionRecord> => {
    const session = await openGuardedSession(data);
    return session.use(async ({ ledger }) => (await ledger.read(session.key)) as ConnectionRecord);
  };

  it("a Custom Connection: (a) no token, (b) no bearer at B's server, (c) nothing planted, (d) no state change; all of it with no secret, token or chain key in what B sees", async () => {
    const a = custom(DEMO_CLIENT_SECRET);
    const aToken = await (await openGuardedSession(a)).accessToken();
    const before = await recordOf(a);
    const secrets = { "A's access token": aToken, "A's client secret": DEMO_CLIENT_SECRET, "A's chain key": before.key };

    // (a) Include Tokens in Output, with A's client id and a guessed secret: Xero refuses the guess.
    const a1 = await refresh(custom('b-guessed-secret'), { mode: 'ifNeeded', includeTokens: true });
    expect(a1).toMatch(/invalid_client|misconfigured/);
    // (b) and (c): at B's own endpoints, B's server answers; B gets B's token, and a chain of B's own.
    const b = custom('b-guessed-secret', atForeign());
    const bSession = await openGuardedSession(b);
    expect(await bSession.accessToken()).toBe(PLANTED);
    await bSession.organisations().catch(() => undefined);
    const c1 = await refresh(b, { mode: 'force', includeTokens: true });
    // (d) A forced refresh with the guessed secret at Xero's endpoints.
    const d1 = await refresh(custom('b-guessed-secret'), { mode: 'force' });
    expect(d1).toMatch(/invalid_client|misconfigured/);

    expect(found([a1, c1, d1, foreign.seen()].join('\n'), secrets)).toEqual([]);
    expect(`${a1}${c1}${d1}`).not.toMatch(CHAIN_KEY);
    expect(await recordOf(a)).toEqual(before);
    // A's next execution in a fresh process (a fresh engine registry) uses A's own token.
    await resetEnginesForTests({ clock: f.clock });
    expect(await (await openGuardedSession(a)).accessToken()).toBe(aToken);
    expect((await (await openGuardedSession(a)).status()).state).toBe('active');
  });

  it("an authorization-code chain: B presenting A's connect-time refresh token at B's endpoints reaches the key but gets nothing and changes nothing", async () => {
    const grant = f.seed();
    const a = f.credentials(grant);
    const aSession = await openGuardedSession(a);
    const aToken = await aSession.accessToken();
    const before = await recordOf(a);
    // The worst case: B found a refresh token with the same fingerprint (or A's own); B's endpoints are B's server.
    const b = f.credentials({ ...grant, access_token: 'b-own-access-token' }, { clientSecret: 'b-guessed-secret', ...atForeign() });
    const bSession = await openGuardedSession(b);
    expect(bSession.key).toBe(connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string));
    expect(bSession.key).toBe(aSession.key);
    for (const attempt of [
      () => bSession.accessToken(),
      () => bSession.storedTokens(),
      () => bSession.refresh({ force: true }),
      () => bSession.organisations(),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'ENDPOINTS_CHANGED' });
    }
    const tokens = await refresh(b, { mode: 'force', includeTokens: true });
    expect(tokens).toMatch(/other Xero endpoints/);
    f.clock.advance(31 * MINUTE);
    await expect(bSession.accessToken()).rejects.toMatchObject({ code: 'ENDPOINTS_CHANGED' });
    expect(
      found([tokens, foreign.seen()].join('\n'), {
        "A's access token": aToken,
        "A's refresh token": grant.refresh_token as string,
        "A's secret": DEMO_CLIENT_SECRET,
      }),
    ).toEqual([]);
    expect(foreign.seen()).toBe('');
    expect(await recordOf(a)).toEqual(before);
    // A's credential, untouched by all of it, refreshes at its own endpoints as ever.
    expect(await aSession.accessToken()).not.toBe(aToken);
  });
});
