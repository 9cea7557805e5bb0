/**
 * Invariant 16: a chain is read, used, refreshed or changed only by a session that holds what binds
 * it, and only at the endpoints it came from. A Custom Connection chain's key holds its client
 * secret (keyed with the host's key, stretched with scrypt); a chain records its endpoints and no
 * engine with other endpoints refreshes it, hands out its tokens or writes to it. A chain an older
 * version kept under the client id alone is carried over only by a client that proves the app's
 * secret to Xero itself. The simulator plays Xero only where a test says so (trustSimulatorAsXero).
 */
import { createHmac, hkdfSync, scryptSync } from 'node:crypto';
import { ManualClock } from '../../../src/clock';
import {
  CHAIN_KEY,
  clientCredentialsKey,
  ConnectionEndpointsError,
  connectionKeyFor,
  legacyClientCredentialsKey,
  TokenEngine,
  type EngineEvent,
} from '../../../src/engine';
import { MemoryLedger, type ConnectionRecord, type Ledger } from '../../../src/ledger';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOM_CLIENT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { XeroIdentityClient, type ClientCredentials, type TokenSet } from '../../../src/xero';
import { START, rejectionOf } from '../../helpers/engine-fixture';
import { trustSimulatorAsXero } from '../../helpers/xero-trust';

const HOST_KEY = 'host-encryption-key-for-binding-tests';
const APP: ClientCredentials = { clientId: DEMO_CUSTOM_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };
const GUESS: ClientCredentials = { clientId: DEMO_CUSTOM_CLIENT_ID, clientSecret: 'a-guess-at-the-secret' };
const WEB_APP: ClientCredentials = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };
const SCOPES = ['accounting.settings'];

let clock: ManualClock;
/** Xero, as far as these tests go. */
let sim: Simulator;
/** Somewhere else: another server with tokens of its own (a credential's custom endpoints). */
let elsewhere: Simulator;
let ledger: MemoryLedger;

beforeEach(async () => {
  clock = new ManualClock(START);
  sim = await startSimulator({ clock });
  elsewhere = await startSimulator({ clock });
  ledger = new MemoryLedger({ clock });
});
afterEach(async () => {
  await sim.close();
  await elsewhere.close();
});

const endpointsOf = (server: Simulator) => ({ tokenUrl: server.tokenUrl, apiUrl: server.apiUrl });

function engineAt(server: Simulator, options: { client?: ClientCredentials; trusted?: boolean; events?: EngineEvent[]; ledger?: Ledger } = {}) {
  return new TokenEngine({
    ledger: options.ledger ?? ledger,
    clock,
    client: options.client ?? WEB_APP,
    identity: new XeroIdentityClient({ endpoints: endpointsOf(server), clock }),
    xeroTrust: options.trusted ? trustSimulatorAsXero(server) : undefined,
    onEvent: (e) => void options.events?.push(e),
  });
}

function webGrant(server: Simulator): TokenSet {
  const answer = server.seedGrant({ scopes: ['offline_access', 'accounting.settings'] });
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    tokenType: 'Bearer',
    scope: SCOPES,
    expiresAt: clock.now() + 30 * 60_000,
    obtainedAt: clock.now(),
  };
}

describe('Invariant 16: the key of a Custom Connection chain holds its secret', () => {
  test('same app, secret and endpoints name one chain; another secret, other endpoints or another host key name another; the key shows no secret', async () => {
    const endpoints = endpointsOf(sim);
    const key = await clientCredentialsKey(APP, endpoints, HOST_KEY);
    expect(key).toMatch(/^xero:XEROGUARDDEMOCUSTOM0000000000001:cc_[0-9a-f]{32}$/);
    expect(key.match(CHAIN_KEY)).toEqual([key]);
    expect(key).not.toContain(APP.clientSecret);
    expect(await clientCredentialsKey({ ...APP }, { ...endpoints }, HOST_KEY)).toBe(key);
    const others = [
      await clientCredentialsKey(GUESS, endpoints, HOST_KEY),
      await clientCredentialsKey(APP, endpointsOf(elsewhere), HOST_KEY),
      await clientCredentialsKey(APP, { ...endpoints, apiUrl: elsewhere.apiUrl }, HOST_KEY),
      await clientCredentialsKey(APP, endpoints, 'another-host-key'),
      legacyClientCredentialsKey(APP.clientId),
    ];
    expect(new Set([key, ...others]).size).toBe(6);
  });

  test('keyed and slow: scrypt (N=2^15, r=8, p=3) of the secret, salted with an HMAC under a key derived from the host key', async () => {
    const endpoints = endpointsOf(sim);
    const subKey = Buffer.from(hkdfSync('sha256', HOST_KEY, 'xero-guard/keyed-id', 'client-credentials chain v1', 32));
    const salt = createHmac('sha256', subKey)
      .update(JSON.stringify([APP.clientId, endpoints.tokenUrl, endpoints.apiUrl]))
      .digest();
    const tag = scryptSync(APP.clientSecret, salt, 16, { N: 2 ** 15, r: 8, p: 3, maxmem: 64 * 1024 * 1024 }).toString('hex');
    expect(await clientCredentialsKey(APP, endpoints, HOST_KEY)).toBe(`xero:${APP.clientId}:cc_${tag}`);
  });

  test("a session with another secret names another chain: it cannot read, serve, refresh or change the owner's", async () => {
    const owner = engineAt(sim);
    const ownerKey = await clientCredentialsKey(APP, endpointsOf(sim), HOST_KEY);
    owner.setClient(ownerKey, APP);
    await owner.adoptClientCredentials(ownerKey, { scopes: SCOPES, displayName: 'Owner books' });
    const before = (await ledger.read(ownerKey)) as ConnectionRecord;

    const intruder = engineAt(sim);
    const intruderKey = await clientCredentialsKey(GUESS, endpointsOf(sim), HOST_KEY);
    intruder.setClient(intruderKey, GUESS);
    expect(intruderKey).not.toBe(ownerKey);
    expect(await intruder.currentTokenSet(intruderKey)).toBeNull();
    // Its first sight asks Xero for a token with its own secret: refused, and nothing is written anywhere.
    await expect(intruder.adoptClientCredentials(intruderKey, { scopes: SCOPES })).rejects.toThrow(/invalid_client/);
    await expect(intruder.refresh(intruderKey, { force: true })).rejects.toThrow(/not stored in the ledger/);
    expect(await ledger.keys()).toEqual([ownerKey]);
    const after = (await ledger.read(ownerKey)) as ConnectionRecord;
    expect(after).toEqual(before);
    expect((await owner.status(ownerKey)).state).toBe('active');
  });

  test('two credentials with the same app, secret and endpoints share one chain (one token call)', async () => {
    const first = engineAt(sim);
    const second = engineAt(sim);
    const key = await clientCredentialsKey(APP, endpointsOf(sim), HOST_KEY);
    expect(await clientCredentialsKey({ clientId: APP.clientId, clientSecret: `${APP.clientSecret}` }, endpointsOf(sim), HOST_KEY)).toBe(key);
    first.setClient(key, APP);
    second.setClient(key, APP);
    await first.adoptClientCredentials(key, { scopes: SCOPES });
    await second.adoptClientCredentials(key, { scopes: SCOPES });
    expect(await second.getAccessToken(key)).toBe(await first.getAccessToken(key));
    expect(sim.stats().tokenCallsByGrantType.client_credentials).toBe(1);
  });
});

describe('Invariant 16: a chain is refreshed, handed out and changed only at its own endpoints', () => {
  test('an engine with other endpoints gets nothing of it, sends nothing anywhere and changes nothing, even with the right secret', async () => {
    const key = connectionKeyFor(WEB_APP.clientId, 'root-refresh-token-of-the-owner');
    const owner = engineAt(sim);
    const token = await owner.adoptGrant(key, webGrant(sim), { displayName: 'Owner books' }).then(() => owner.getAccessToken(key));
    const before = (await ledger.read(key)) as ConnectionRecord;
    expect(before.endpoints).toEqual(endpointsOf(sim));

    for (const other of [
      engineAt(elsewhere),
      new TokenEngine({
        ledger,
        clock,
        client: WEB_APP,
        identity: new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl, apiUrl: elsewhere.apiUrl }, clock }),
      }),
    ]) {
      for (const attempt of [
        () => other.getAccessToken(key),
        () => other.refresh(key),
        () => other.refresh(key, { force: true }),
        () => other.reportRejected(key, token),
        () => other.currentTokenSet(key),
        () => other.setDisplayName(key, 'Renamed by someone else'),
      ]) {
        const error = await rejectionOf(attempt());
        expect(error).toBeInstanceOf(ConnectionEndpointsError);
        expect((error as ConnectionEndpointsError).code).toBe('ENDPOINTS_CHANGED');
        expect(error.message).not.toContain(key);
      }
      await other.adoptGrant(key, webGrant(elsewhere), { ifAbsent: true, displayName: 'Renamed on first sight' });
      expect((await other.keepAliveSweep()).map((r) => r.key)).toEqual([]);
    }
    expect(await ledger.read(key)).toEqual(before);
    expect(elsewhere.stats().tokenCalls).toBe(0);
    expect(sim.stats().tokenCalls).toBe(0);
    // The owner goes on as before.
    expect(await owner.getAccessToken(key)).toBe(token);
    await owner.refresh(key, { force: true });
    expect(sim.stats().tokenCalls).toBe(1);
  });

  test('the same endpoints written another way (a trailing slash, an upper-case scheme) are the same endpoints', async () => {
    const key = connectionKeyFor(WEB_APP.clientId, 'root');
    await engineAt(sim).adoptGrant(key, webGrant(sim));
    const spelled = new TokenEngine({
      ledger,
      clock,
      client: WEB_APP,
      identity: new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl.replace(/^http:/, 'HTTP:'), apiUrl: `${sim.apiUrl}/` }, clock }),
    });
    await spelled.refresh(key, { force: true });
    expect(sim.stats().tokenCalls).toBe(1);
    expect((await ledger.read(key))?.endpoints).toEqual(endpointsOf(sim));
  });

  test('a chain written before chains recorded their endpoints is bound by its next rotation', async () => {
    const key = connectionKeyFor(WEB_APP.clientId, 'root');
    const owner = engineAt(sim);
    await owner.adoptGrant(key, webGrant(sim));
    const written = (await ledger.read(key)) as ConnectionRecord;
    const { endpoints: _bound, ...legacy } = written;
    expect((await ledger.write(legacy, written.version)).ok).toBe(true);
    expect((await ledger.read(key))?.endpoints).toBeUndefined();

    await engineAt(sim).refresh(key, { force: true });
    expect((await ledger.read(key))?.endpoints).toEqual(endpointsOf(sim));
    await expect(engineAt(elsewhere).getAccessToken(key)).rejects.toBeInstanceOf(ConnectionEndpointsError);
  });

  test('a reconnect at other endpoints keeps the old token sets only as dead candidates: none is ever presented there', async () => {
    const key = 'node-red-config-node-id';
    const owner = engineAt(sim);
    await owner.adoptGrant(key, webGrant(sim));
    const moved = engineAt(elsewhere);
    await moved.adoptGrant(key, webGrant(elsewhere));
    const record = (await ledger.read(key)) as ConnectionRecord;
    expect(record.endpoints).toEqual(endpointsOf(elsewhere));
    expect(record.candidates.length).toBeGreaterThan(0);
    expect(record.candidates.every((c) => c.deadAt !== undefined)).toBe(true);
    // The first endpoints never see anything more from the chain; the new ones serve it.
    await moved.refresh(key, { force: true });
    expect(elsewhere.stats().tokenCalls).toBe(1);
    expect(sim.stats().tokenCalls).toBe(0);
    // The first engine's cached token (from its own endpoints) runs out; then it gets nothing more.
    clock.advance(31 * 60_000);
    await expect(owner.getAccessToken(key)).rejects.toBeInstanceOf(ConnectionEndpointsError);
    expect(sim.stats().tokenCalls).toBe(0);
  });
});

describe('Invariant 16: a Custom Connection chain kept under its client id alone (before issue 24)', () => {
  const legacyKey = legacyClientCredentialsKey(APP.clientId);

  /** The chain as an earlier version left it: keyed by the client id, named, with a history and notes. */
  async function seedLegacy(): Promise<ConnectionRecord> {
    const answer = await new XeroIdentityClient({ endpoints: endpointsOf(sim), clock }).clientCredentials(APP, SCOPES);
    if (!answer.ok) throw new Error(answer.error.message);
    const old = new TokenEngine({ ledger, clock, client: APP, identity: new XeroIdentityClient({ endpoints: endpointsOf(sim), clock }) });
    await old.adoptGrant(legacyKey, answer.tokenSet, { grant: 'client_credentials', displayName: 'Acme custom connection' });
    const record = (await ledger.read(legacyKey)) as ConnectionRecord;
    const { endpoints: _none, ...legacy } = record;
    await ledger.write(legacy, record.version);
    await ledger.writeNotes(legacyKey, { tenants: { at: clock.now(), tenants: [{ tenantId: 't-1', tenantName: 'Acme Ltd', tenantType: 'ORGANISATION' }] } });
    clock.advance(60_000);
    return (await ledger.read(legacyKey)) as ConnectionRecord;
  }

  test("the credential proving the app's secret at Xero carries it over: name, history and notes kept, a fresh token, the old key superseded", async () => {
    const legacy = await seedLegacy();
    const events: EngineEvent[] = [];
    const engine = engineAt(sim, { trusted: true, events });
    const key = await clientCredentialsKey(APP, endpointsOf(sim), HOST_KEY);
    engine.setClient(key, APP);
    const calls = sim.stats().tokenCallsByGrantType.client_credentials ?? 0;
    const status = await engine.adoptClientCredentials(key, { scopes: SCOPES, legacyKey });
    expect(status).toMatchObject({ state: 'active', displayName: 'Acme custom connection' });
    expect(sim.stats().tokenCallsByGrantType.client_credentials).toBe(calls + 1);
    const moved = (await ledger.read(key)) as ConnectionRecord;
    expect(moved.createdAt).toBe(legacy.createdAt);
    expect(moved.history.map((h) => h.reason)).toEqual(['connected', "carried over: the credential proved the app's secret"]);
    expect(moved.tokenSet.accessToken).not.toBe(legacy.tokenSet.accessToken);
    expect(moved.endpoints).toEqual(endpointsOf(sim));
    expect(await ledger.readNotes(key)).toEqual(await ledger.readNotes(legacyKey));
    expect((await ledger.read(legacyKey))?.state).toBe('superseded');
    expect(events).toContainEqual({ type: 'chain_carried_over', key, from: legacyKey });
    // Done once: the next sight finds the bound chain.
    await engine.adoptClientCredentials(key, { scopes: SCOPES, legacyKey });
    expect(sim.stats().tokenCallsByGrantType.client_credentials).toBe(calls + 1);
  });

  test('a credential with another secret cannot carry it over: refused by Xero, the old chain untouched, nothing written', async () => {
    const legacy = await seedLegacy();
    const engine = engineAt(sim, { trusted: true });
    const key = await clientCredentialsKey(GUESS, endpointsOf(sim), HOST_KEY);
    engine.setClient(key, GUESS);
    await expect(engine.adoptClientCredentials(key, { scopes: SCOPES, legacyKey })).rejects.toThrow(/invalid_client/);
    expect(await ledger.read(legacyKey)).toEqual(legacy);
    expect(await ledger.read(key)).toBeNull();
  });

  test("at endpoints that are not Xero's, nothing can be proven: the old chain is not even read, and a chain of its own starts", async () => {
    await seedLegacy();
    const read: string[] = [];
    const watched = new Proxy(ledger, {
      get(target, name) {
        if (name === 'read')
          return (k: string) => {
            read.push(k);
            return target.read(k);
          };
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const engine = engineAt(elsewhere, { ledger: watched });
    const key = await clientCredentialsKey(APP, endpointsOf(elsewhere), HOST_KEY);
    engine.setClient(key, APP);
    const status = await engine.adoptClientCredentials(key, { scopes: SCOPES, legacyKey });
    expect(status.displayName ?? null).toBeNull();
    expect(read).not.toContain(legacyKey);
    expect((await ledger.read(legacyKey))?.state).toBe('active');
  });
});
