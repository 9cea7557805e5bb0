/**
 * Issue 24, item 2: what a fleet view shows. Only the view's own chain unless the operator widens
 * it, and never a chain key or a client id, wherever one slipped in (a supersede reason names the
 * chain that replaced it by key; an unnamed chain used to be shown by its key).
 */
import { ManualClock } from '../../../src/clock';
import { CHAIN_KEY, connectionKeyFor, TokenEngine } from '../../../src/engine';
import { fleetChainId, fleetScopeOf, listFleet, shownListing } from '../../../src/fleet';
import { MemoryLedger, type Ledger } from '../../../src/ledger';
import { fingerprint } from '../../../src/secrets';
import type { TokenSet } from '../../../src/xero';

const CLIENT_ID = 'SHOWNLISTINGCLIENT00000000000001';
const HOST_KEY = 'host-key-of-this-instance';
const clock = new ManualClock(Date.UTC(2026, 5, 1));
const tokens = (n: number): TokenSet => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  tokenType: 'Bearer',
  scope: [],
  expiresAt: clock.now() + 1_800_000,
  obtainedAt: clock.now(),
});

async function ledgerWithThree(): Promise<{ ledger: MemoryLedger; keys: string[] }> {
  const ledger = new MemoryLedger({ clock });
  const engine = new TokenEngine({ ledger, clock, client: { clientId: CLIENT_ID, clientSecret: 'secret' } });
  const keys = [1, 2, 3].map((n) => connectionKeyFor(CLIENT_ID, `root-${n}`));
  await engine.adoptGrant(keys[0], tokens(1), { displayName: `Books (${CLIENT_ID})` });
  await engine.adoptGrant(keys[1], tokens(2));
  await engine.adoptGrant(keys[2], tokens(3), { displayName: 'Old books' });
  await engine.markSuperseded(keys[2], `reconnected as ${keys[0]}; was ${keys[2]}`);
  return { ledger, keys };
}

describe('shownListing', () => {
  test('no chain key and no client id anywhere; each chain by a keyed id; an unnamed one by that id', async () => {
    const { ledger, keys } = await ledgerWithThree();
    const raw = await listFleet(ledger, { clock });
    expect(JSON.stringify(raw)).toMatch(CHAIN_KEY);
    const shown = shownListing(raw, HOST_KEY);
    const text = JSON.stringify(shown);
    expect(text).not.toMatch(CHAIN_KEY);
    expect(text).not.toContain(CLIENT_ID);
    expect(shown.chains.every((c) => !('key' in c))).toBe(true);
    const byId = new Map(shown.chains.map((c) => [c.id, c]));
    const [named, unnamed, replaced] = keys.map((k) => byId.get(fleetChainId(k, HOST_KEY)));
    expect(named?.name).toBe('Books ([client id])');
    expect(unnamed).toMatchObject({ name: `Unnamed Xero connection ${fleetChainId(keys[1], HOST_KEY).slice(0, 8)}`, nameSource: 'key' });
    expect(replaced).toMatchObject({ state: 'superseded', reason: 'reconnected as another Xero connection; was this connection' });
  });

  test('ids are stable for one host, different for another, and no plain hash of the key', () => {
    const key = connectionKeyFor(CLIENT_ID, 'root-1');
    expect(fleetChainId(key, HOST_KEY)).toMatch(/^[0-9a-f]{16}$/);
    expect(fleetChainId(key, HOST_KEY)).toBe(fleetChainId(`${key}`, `${HOST_KEY}`));
    expect(fleetChainId(key, 'another-instance')).not.toBe(fleetChainId(key, HOST_KEY));
    expect(fleetChainId(key, HOST_KEY)).not.toBe(fingerprint(key));
  });
});

describe('listFleet only: a view of its own chain', () => {
  test('lists only the chains named, leaves out those the ledger does not hold, and never asks the ledger for every key', async () => {
    const { ledger, keys } = await ledgerWithThree();
    const guarded: Ledger = new Proxy(ledger, {
      get(target, name) {
        if (name === 'keys') return () => Promise.reject(new Error('a view of its own chain must not list the ledger'));
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const own = await listFleet(guarded, { clock, only: [keys[1], connectionKeyFor(CLIENT_ID, 'never-connected')] });
    expect(own.chains.map((c) => c.key)).toEqual([keys[1]]);
    expect((await listFleet(guarded, { clock, only: [] })).chains).toEqual([]);
  });
});

describe('fleetScopeOf: the operator setting that widens a view', () => {
  test.each([
    [undefined, 'own'],
    ['', 'own'],
    ['own', 'own'],
    [' Ledger ', 'ledger'],
  ])('%j is %s', (value, scope) => {
    expect(fleetScopeOf(value, 'XERO_GUARD_FLEET_SCOPE')).toBe(scope);
  });

  test.each(['all', 'instance', true, 1])('%j is refused, naming the setting and its values (a typo never widens the view)', (value) => {
    expect(() => fleetScopeOf(value, 'The environment variable XERO_GUARD_FLEET_SCOPE')).toThrow(
      /^The environment variable XERO_GUARD_FLEET_SCOPE must be "own" \(.*\) or "ledger" \(.*\); it is /,
    );
  });
});
