/**
 * Invariant 13: a chain is superseded only on evidence Xero gave for the new grant. The simulator
 * plays Xero only where a test says so (trustSimulatorAsXero); the default trust is Xero's own.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { ManualClock } from '../../../src/clock';
import { TokenEngine, type EngineEvent } from '../../../src/engine';
import { MemoryLedger } from '../../../src/ledger';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { XeroIdentityClient, type TokenSet } from '../../../src/xero';
import { START } from '../../helpers/engine-fixture';
import { trustSimulatorAsXero } from '../../helpers/xero-trust';

const CLIENT = { clientId: 'SUPERSEDECLIENT000000000000000001', clientSecret: 'supersede-canary-secret' };
const USER = 'reconnecting@xero-guard.test';

let sim: Simulator;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock(START);
  sim = await startSimulator({
    clock,
    clients: [{ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, redirectUris: ['http://localhost/cb'] }],
    users: [{ email: USER }],
  });
});
afterEach(() => sim.close());

function grant(): TokenSet {
  const answer = sim.seedGrant({ clientId: CLIENT.clientId, email: USER, scopes: ['openid', 'offline_access', 'accounting.settings'] });
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    idToken: answer.id_token,
    tokenType: 'Bearer',
    scope: [],
    expiresAt: clock.now() + 1_800_000,
    obtainedAt: clock.now(),
  };
}

function engine(options: { trusted: boolean; events?: EngineEvent[] }) {
  return new TokenEngine({
    ledger: new MemoryLedger({ clock }),
    clock,
    client: CLIENT,
    identity: new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl }, clock }),
    xeroTrust: options.trusted ? trustSimulatorAsXero(sim) : undefined,
    onEvent: (e) => void options.events?.push(e),
  });
}

const oldKey = `xero:${CLIENT.clientId}:old`;
const newKey = `xero:${CLIENT.clientId}:new`;

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

test('a reconnect proven by a signed id_token supersedes the older chain of the same user and app; its tokens are kept', async () => {
  const e = engine({ trusted: true });
  await e.adoptGrant(oldKey, grant());
  const fresh = grant();
  await e.adoptGrant(newKey, fresh, { supersedeSameUser: { idToken: fresh.idToken as string, tokenUrl: sim.tokenUrl } });
  expect((await e.status(oldKey)).state).toBe('superseded');
  await expect(e.getAccessToken(oldKey)).rejects.toThrow(/replaced by a newer connection/);
  expect(await e.getAccessToken(newKey)).toBe(fresh.accessToken);
});

describe('forged or unproven evidence leaves every other chain alone', () => {
  const cases: Array<[string, (fresh: TokenSet) => { idToken: string; tokenUrl: string; accessToken?: string }]> = [
    [
      'an unsigned JWT naming the victim',
      (fresh) => {
        const claims = { ...claimsOf(fresh.idToken as string) };
        return {
          idToken: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
          tokenUrl: sim.tokenUrl,
        };
      },
    ],
    [
      'a JWT signed with a key Xero does not publish (a hostile token endpoint)',
      (fresh) => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const kid = (JSON.parse(Buffer.from((fresh.idToken as string).split('.')[0], 'base64url').toString('utf8')) as { kid: string }).kid;
        const head = Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url');
        const body = Buffer.from(JSON.stringify(claimsOf(fresh.idToken as string))).toString('base64url');
        return { idToken: `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`, tokenUrl: sim.tokenUrl };
      },
    ],
    [
      'a genuine id_token from a credential with custom endpoints',
      (fresh) => ({ idToken: fresh.idToken as string, tokenUrl: 'https://evil.example/connect/token' }),
    ],
    [
      'a genuine id_token of another grant (at_hash does not match)',
      (fresh) => ({ idToken: grant().idToken as string, tokenUrl: sim.tokenUrl, accessToken: fresh.accessToken }),
    ],
  ];

  test.each(cases)('%s', async (_name, forge) => {
    const events: EngineEvent[] = [];
    const e = engine({ trusted: true, events });
    await e.adoptGrant(oldKey, grant());
    const fresh = grant();
    const evidence = forge(fresh);
    await e.adoptGrant(newKey, fresh, { supersedeSameUser: { idToken: evidence.idToken, tokenUrl: evidence.tokenUrl } });
    expect((await e.status(oldKey)).state).toBe('active');
    expect(events).toContainEqual(expect.objectContaining({ type: 'supersede_refused', key: newKey }));
  });

  test("the default trust is Xero itself: the simulator's genuine id_token supersedes nothing", async () => {
    const events: EngineEvent[] = [];
    const e = engine({ trusted: false, events });
    await e.adoptGrant(oldKey, grant());
    const fresh = grant();
    await e.adoptGrant(newKey, fresh, { supersedeSameUser: { idToken: fresh.idToken as string, tokenUrl: sim.tokenUrl } });
    expect((await e.status(oldKey)).state).toBe('active');
    expect(events).toContainEqual({ type: 'supersede_refused', key: newKey, why: "the grant came from a token endpoint other than Xero's" });
  });
});
