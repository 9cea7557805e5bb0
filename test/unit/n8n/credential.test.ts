import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IHttpRequestHelper, ICredentialDataDecryptedObject } from 'n8n-workflow';
import { XeroGuardOAuth2Api } from '../../../credentials/XeroGuardOAuth2Api.credentials';
import { MINUTE } from '../../../src/clock';
import { classifyXeroError } from '../../../src/classify';
import { connectionKeyFor } from '../../../src/engine';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOM_CLIENT_ID, DEMO_USER_EMAIL } from '../../../src/simulator';
import { chooseN8nLedger, type N8nLedgerOverride } from '../../../nodes/shared/n8n-ledger';
import { BASE_SCOPES, DEFAULT_XERO_SCOPES, engineIdentity } from '../../../src/host';
import { fingerprint } from '../../../src/secrets';
import { openGuardedSession, resetEnginesForTests, scopesOf, tokenSetFromN8n } from '../../../nodes/shared/guarded-session';
import { makeN8nFixture, type N8nFixture } from './n8n-fixture';
import { trustSimulatorAsXero } from '../../helpers/xero-trust';

const hookThis = { helpers: { httpRequest: async () => ({}) } } as unknown as IHttpRequestHelper;

describe('XeroGuardOAuth2Api', () => {
  const credential = new XeroGuardOAuth2Api();
  const preAuth = (data: Record<string, unknown>) =>
    (credential.preAuthentication as NonNullable<typeof credential.preAuthentication>).call(hookThis, data as ICredentialDataDecryptedObject);
  const tokenOf = async (data: Record<string, unknown>) => ((await preAuth(data)).oauthTokenData as { access_token: string }).access_token;
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  it('declares what n8n needs: extends oAuth2Api, PKCE, header auth, no n8n-side refresh, a test request', () => {
    expect(credential.name).toBe('xeroGuardOAuth2Api');
    expect(credential.extends).toEqual(['oAuth2Api']);
    const prop = (name: string) => credential.properties.find((p) => p.name === name);
    expect(prop('grantType')?.default).toBe('pkce');
    expect(prop('authentication')).toMatchObject({ type: 'hidden', default: 'header' });
    expect(prop('tokenExpiredStatusCode')).toMatchObject({ type: 'hidden', default: 0 });
    expect(String(prop('scope')?.default)).toContain('offline_access');
    expect(String(prop('authUrl')?.default)).toContain('https://login.xero.com/identity/connect/authorize');
    expect(String(prop('accessTokenUrl')?.default)).toContain('https://identity.xero.com/connect/token');
    expect(credential.test.request.url).toBe('/connections');
  });

  it('adopts the connect-time token set on first sight and answers from the engine after that', async () => {
    const grant = f.seed();
    const data = f.credentials(grant);
    const first = await preAuth(data);
    expect(first.oauthTokenData).toEqual({ ...grant, access_token: grant.access_token });
    expect(f.tokenCalls()).toBe(0);
    // The ledger holds the chain, sealed: no token in clear text on disk.
    const onDisk = f.ledgerText();
    expect(onDisk.length).toBeGreaterThan(0);
    expect(onDisk).not.toContain(grant.access_token);
    expect(onDisk).not.toContain(grant.refresh_token as string);

    f.clock.advance(31 * MINUTE);
    const rotated = await Promise.all(Array.from({ length: 20 }, () => tokenOf(data)));
    expect(new Set(rotated).size).toBe(1);
    expect(rotated[0]).not.toBe(grant.access_token);
    expect(f.tokenCalls()).toBe(1);
    expect(await tokenOf(data)).toBe(rotated[0]);
    expect(f.tokenCalls()).toBe(1);
  });

  it('keeps the chain across a restart although n8n still hands over the connect-time tokens', async () => {
    const grant = f.seed();
    const data = f.credentials(grant);
    await preAuth(data);
    f.clock.advance(31 * MINUTE);
    const afterRotation = await tokenOf(data);
    await resetEnginesForTests({ clock: f.clock });
    expect(await tokenOf(data)).toBe(afterRotation);
    f.clock.advance(31 * MINUTE);
    expect(await tokenOf(data)).not.toBe(afterRotation);
    expect(f.tokenCalls()).toBe(2);
    expect(f.sim.stats().deadTokenUses).toBe(0);
  });

  it('fails a revoked connection with a clear reconnect message that classifies as refresh_token_invalid, with no secret in it', async () => {
    const grant = f.seed();
    const data = f.credentials(grant);
    await preAuth(data);
    f.sim.revokeUser(DEMO_USER_EMAIL);
    f.clock.advance(31 * MINUTE);
    const error = await preAuth(data).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/needs to be reconnected/);
    expect(error?.message).toMatch(/"Switch account"/);
    for (const secret of [grant.access_token, grant.refresh_token as string, DEMO_CLIENT_SECRET]) expect(error?.message).not.toContain(secret);
    expect(classifyXeroError({ error: { message: error?.message } }).category).toBe('refresh_token_invalid');
    // No retry storm: the next request does not call Xero again.
    const calls = f.tokenCalls();
    await expect(preAuth(data)).rejects.toThrow(/needs to be reconnected/);
    expect(f.tokenCalls()).toBe(calls);
  });

  it('refuses on n8n older than 2.20 before touching Xero or the ledger', async () => {
    process.env.XERO_GUARD_N8N_VERSION = '2.19.4';
    const grant = f.seed();
    await expect(preAuth(f.credentials(grant))).rejects.toThrow(/needs n8n 2\.20\.0 or newer, but this is n8n 2\.19\.4/);
    expect(f.ledgerText()).toBe('');
    process.env.XERO_GUARD_N8N_VERSION = '2.41.1';
    await expect(preAuth(f.credentials(grant))).resolves.toBeDefined();
  });

  it('says how to connect a credential that was never connected', async () => {
    await expect(preAuth(f.credentials())).rejects.toThrow(/OAuth credentials not connected.*"Connect"/);
  });

  it('keeps the client secret and tokens out of a misconfiguration error', async () => {
    const grant = f.seed();
    const canary = 'CANARY-secret-7f3a9c1e5b2d4068';
    const data = f.credentials(grant, { clientSecret: canary });
    await preAuth(data); // fresh token: no refresh, no secret used yet
    f.clock.advance(31 * MINUTE);
    const error = await preAuth(data).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/misconfigured|client id and secret/i);
    const text = `${error?.message} ${error?.stack}`;
    for (const secret of [canary, grant.access_token, grant.refresh_token as string]) expect(text).not.toContain(secret);
  });

  // Invariant 16 through the hook every OAuth2 request (the HTTP Request node too) goes through.
  it('refuses a credential whose endpoints changed after it connected, with no secret, token or chain key in the error', async () => {
    const grant = f.seed();
    const canary = 'CANARY-secret-2b8e4d61c9a7f035';
    await preAuth(f.credentials(grant, { clientSecret: canary }));
    const moved = f.credentials(grant, { clientSecret: canary, apiBaseUrl: 'http://127.0.0.1:9/api.xro/2.0' });
    const error = await preAuth(moved).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/other Xero endpoints/);
    const text = `${error?.message} ${error?.stack}`;
    for (const secret of [canary, grant.access_token, grant.refresh_token as string]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/xero:[A-Za-z0-9_-]+:/);
    expect(f.tokenCalls()).toBe(0);
  });

  it('marks the old chain superseded when the same Xero user reconnects (the simulator trusted as Xero, test only)', async () => {
    await resetEnginesForTests({ clock: f.clock, policy: { retryBaseMs: 10, retryMaxMs: 20, leaseWaitMs: 2000 }, xeroTrust: trustSimulatorAsXero(f.sim) });
    const first = f.seed();
    await preAuth(f.credentials(first));
    const second = f.seed();
    await preAuth(f.credentials(second));
    const connection = await openGuardedSession(f.credentials(second));
    const oldKey = connectionKeyFor(DEMO_CLIENT_ID, first.refresh_token as string);
    expect((await connection.use(({ engine }) => engine.status(oldKey))).state).toBe('superseded');
    expect((await connection.status()).state).toBe('active');
    await expect(preAuth(f.credentials(first))).rejects.toThrow(/replaced by a newer connection/);
  });

  // Invariant 13 through the n8n credential: only Xero's own evidence supersedes a chain.
  it("a forged grant (any secret, custom endpoints, an id_token naming the victim) never supersedes the victim's chain", async () => {
    const victim = f.seed();
    await preAuth(f.credentials(victim));
    const victimKey = connectionKeyFor(DEMO_CLIENT_ID, victim.refresh_token as string);
    // A genuine reconnect of the same user through the simulator: real signature, but the simulator is not Xero here.
    const second = f.seed();
    await preAuth(f.credentials(second, { clientSecret: 'anything' }));
    const claims = JSON.parse(Buffer.from(victim.access_token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    const unsigned = (payload: object) =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const forgedAccess = unsigned({ xero_userid: claims.xero_userid, exp: Math.floor(f.clock.now() / 1000) + 1800 });
    const forged = {
      ...victim,
      access_token: forgedAccess,
      refresh_token: 'forged-refresh-token',
      id_token: unsigned({ iss: 'https://identity.xero.com', aud: DEMO_CLIENT_ID, xero_userid: claims.xero_userid }),
    };
    await preAuth(f.credentials(forged, { clientSecret: 'anything' }));
    const connection = await openGuardedSession(f.credentials(victim));
    expect((await connection.use(({ engine }) => engine.status(victimKey))).state).toBe('active');
    expect(await tokenOf(f.credentials(victim))).toBe(victim.access_token);
  });

  it('a Custom Connection whose first token request was refused (wrong secret) works once the secret is fixed, without a restart', async () => {
    const custom = { grantType: 'clientCredentials', clientId: DEMO_CUSTOM_CLIENT_ID, xeroScopes: ['accounting.settings'] };
    await expect(tokenOf(f.credentials(undefined, { ...custom, clientSecret: 'not-the-secret-of-this-app' }))).rejects.toThrow();
    expect(await tokenOf(f.credentials(undefined, custom))).toEqual(expect.any(String));
  });

  it('gets and renews a Custom Connection token with client credentials', async () => {
    const data = f.credentials(undefined, {
      grantType: 'clientCredentials',
      clientId: DEMO_CUSTOM_CLIENT_ID,
      xeroScopes: ['accounting.settings', 'accounting.contacts'],
    });
    const token = await tokenOf(data);
    expect(token).toEqual(expect.any(String));
    expect(f.sim.stats().tokenCallsByGrantType.client_credentials).toBe(1);
    f.clock.advance(31 * MINUTE);
    expect(await tokenOf(data)).not.toBe(token);
    expect(f.sim.stats().tokenCallsByGrantType.client_credentials).toBe(2);
  });

  /** The ledger n8n's settings pick, with the identity its engine is shared under and the key's fingerprint. */
  const chooseLedger = (override: N8nLedgerOverride, env: Record<string, string>) => {
    const { options } = chooseN8nLedger(env, { override });
    return { id: engineIdentity({ ledger: options }), keyId: fingerprint(String(options.encryptionKey)) };
  };

  it("seals the ledger with n8n's generated encryption key from <user folder>/.n8n/config when N8N_ENCRYPTION_KEY is unset", () => {
    const env = { N8N_USER_FOLDER: f.userFolder };
    expect(() => chooseLedger({ kind: 'auto' }, env)).toThrow(/N8N_ENCRYPTION_KEY/);
    mkdirSync(join(f.userFolder, '.n8n'), { recursive: true });
    writeFileSync(join(f.userFolder, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'generated-key' }, null, '\t'));
    const choice = chooseLedger({ kind: 'auto' }, env);
    expect(choice.keyId).toBe(fingerprint('generated-key'));
    expect(choice.id).toContain(join(f.userFolder, '.n8n', 'xero-guard'));
    expect(chooseLedger({ kind: 'auto' }, { ...env, N8N_ENCRYPTION_KEY: 'from-env' }).keyId).toBe(fingerprint('from-env'));
    expect(chooseLedger({ kind: 'file', directory: '/tmp/elsewhere' }, env).id).toContain('/tmp/elsewhere');
  });

  it('uses PostgreSQL in queue mode and refuses a shared-nothing file ledger there', () => {
    const env = {
      N8N_USER_FOLDER: f.userFolder,
      N8N_ENCRYPTION_KEY: 'k',
      EXECUTIONS_MODE: 'queue',
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: 'db.internal',
      DB_POSTGRESDB_PASSWORD: 'pg-secret-canary',
    };
    const choice = chooseLedger({ kind: 'auto' }, env);
    expect(choice.id).toMatch(/^postgres\|.*db\.internal/);
    expect(choice.id).not.toContain('pg-secret-canary');
    expect(() => chooseLedger({ kind: 'auto' }, { ...env, DB_TYPE: 'sqlite' })).toThrow(/queue mode/);
  });

  it('runs the same chain through a PostgreSQL ledger named in the credential (the database at 127.0.0.1:5432)', async () => {
    const grant = f.seed();
    const data = f.credentials(grant, { ledger: 'postgres', ledgerPostgresUrl: 'postgres://root@127.0.0.1:5432/test' });
    expect(await tokenOf(data)).toBe(grant.access_token);
    f.clock.advance(31 * MINUTE);
    const rotated = await Promise.all(Array.from({ length: 5 }, () => tokenOf(data)));
    expect(new Set(rotated).size).toBe(1);
    expect(f.tokenCalls()).toBe(1);
    await resetEnginesForTests({ clock: f.clock });
    expect(await tokenOf(data)).toBe(rotated[0]);
    expect(f.ledgerText()).toBe('');
  });

  it('computes expiry conservatively from what n8n stored', () => {
    const now = Date.UTC(2026, 0, 1);
    // No JWT and no absolute expiry: treat as expired, so the engine refreshes before using it.
    expect(tokenSetFromN8n({ access_token: 'opaque', refresh_token: 'r', expires_in: 1800 }, now).expiresAt).toBe(now);
    const payload = Buffer.from(JSON.stringify({ exp: now / 1000 + 600, iat: now / 1000 - 1200 })).toString('base64url');
    const jwt = `e30.${payload}.sig`;
    const set = tokenSetFromN8n({ access_token: jwt, refresh_token: 'r', expires_in: 1800, n8n_expires_at: String(now + 1800_000) }, now);
    expect(set.expiresAt).toBe(now + 600_000);
    expect(set.obtainedAt).toBe(now - 1200_000);
  });
});

describe("the credential's scopes: what Connect and Switch account ask Xero for", () => {
  const credential = new XeroGuardOAuth2Api();
  const expression = String(credential.properties.find((p) => p.name === 'scope')?.default);
  /** n8n's evaluation of the hidden field, for this plain expression: `$self` is the credential's data. */
  const evaluate = (self: Record<string, unknown>): string[] => {
    const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)![1]!;
    return (new Function('$self', `return ${body};`)(self) as string).split(' ').filter(Boolean);
  };
  const cases: Array<Record<string, unknown>> = [
    { grantType: 'pkce', xeroScopes: ['accounting.invoices', 'accounting.contacts'], additionalScopes: '' },
    { grantType: 'pkce', xeroScopes: [], additionalScopes: '' },
    { grantType: 'pkce', additionalScopes: 'accounting.budgets.read, accounting.journals.read' },
    { grantType: 'clientCredentials', xeroScopes: [], additionalScopes: '' },
    { grantType: 'clientCredentials', xeroScopes: ['accounting.settings'], additionalScopes: 'accounting.contacts' },
  ];

  it.each(cases)('asks for what requestedScopes says, for %j', (self) => {
    expect(evaluate(self)).toEqual(scopesOf(self));
  });

  it('an emptied Scopes field asks for the default set, never only the sign-in scopes', () => {
    expect(evaluate({ grantType: 'pkce', xeroScopes: [] })).toEqual([...BASE_SCOPES, ...DEFAULT_XERO_SCOPES]);
    expect(scopesOf({ grantType: 'pkce', xeroScopes: [] })).toEqual([...BASE_SCOPES, ...DEFAULT_XERO_SCOPES]);
    // A Custom Connection asking for nothing gets what its app was given at Xero.
    expect(evaluate({ grantType: 'clientCredentials', xeroScopes: [] })).toEqual([]);
  });

  it('tells, beside the Scopes field, that a changed list needs "Switch account"', () => {
    const notice = credential.properties.find((p) => p.name === 'xeroGuardScopesNotice');
    expect(notice).toMatchObject({ type: 'notice' });
    expect(notice?.displayName).toContain('"Switch account"');
  });
});
