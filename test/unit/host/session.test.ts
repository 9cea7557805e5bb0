/**
 * The core's connection session against the simulator over HTTP: one place that gives a host the
 * engine, the call budget, the Xero clients and the check of one connection. Every answer with a
 * tenant reaches that chain's budget and no other; a 401 is the engine's to heal; the check never
 * spends an organisation's reserve and leaves its note for the fleet; a closed session gives its
 * engine back.
 */
import { readBudgets } from '../../../src/check';
import { OffsetClock } from '../../../src/clock';
import { connectionKeyFor } from '../../../src/engine';
import { CHECK_NOTE, parseCheckNote } from '../../../src/fleet';
import { ConnectionSession, EngineRegistry, type EngineSpec } from '../../../src/host';
import { MemoryLedger, type ChainNotes, type Ledger } from '../../../src/ledger';
import { fetchTransport, type HttpTransport, type TokenSet } from '../../../src/xero';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { tokenSetOf } from '../check/sim-fixture';

const CLIENT = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };

/** A ledger that keeps no notes (a user's own backend without them): the session has no budget then. */
class NotelessLedger extends MemoryLedger {
  override readNotes = undefined as never;
  override writeNotes = undefined as never;
}

describe('ConnectionSession', () => {
  let sim: Simulator;
  let clock: OffsetClock;
  let registry: EngineRegistry;
  let ledger: Ledger;

  beforeEach(async () => {
    clock = new OffsetClock();
    sim = await startSimulator({ clock });
    registry = new EngineRegistry();
    ledger = new MemoryLedger();
  });
  afterEach(async () => {
    await registry.closeAll();
    await sim.close();
  });

  /** Each ledger its own engine identity: the registry shares one engine per ledger. */
  const ledgers = new Map<Ledger, number>();
  const spec = (own: Ledger = ledger): EngineSpec => ({
    ledger: { kind: 'file', directory: `/tmp/xero-guard-session-test/${ledgers.get(own) ?? ledgers.set(own, ledgers.size).get(own)}`, encryptionKey: 'k' },
    openLedger: () => own,
    endpoints: { tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl },
    clock,
    policy: { retryBaseMs: 10, retryMaxMs: 20, leaseWaitMs: 2000 },
  });

  const checkNote = async (key: string) => parseCheckNote((await (ledger as Ledger & ChainNotes).readNotes(key))[CHECK_NOTE]);

  /** A grant at the simulator, adopted as the chain's root (`stored` changes what the ledger holds); a session over it. */
  async function connected(
    tenants: string[] = [DEMO_TENANT_ID],
    options: Partial<ConstructorParameters<typeof ConnectionSession>[0]> = {},
    stored: (tokens: TokenSet) => TokenSet = (tokens) => tokens,
  ) {
    const grant = sim.seedGrant({ tenants });
    const key = connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string);
    const tokens = stored(tokenSetOf(grant, clock.now()));
    const session = new ConnectionSession({
      registry,
      spec: spec(),
      lifetime: 'until_close',
      key,
      client: CLIENT,
      clock,
      adopt: (shared) => shared.engine.adoptGrant(key, tokens, { ifAbsent: true }).then(() => undefined),
      ...options,
    });
    return { session, key, grant, tokens };
  }

  it("records every Accounting and housekeeping answer's figures in this chain's budget only, in the ledger's notes", async () => {
    sim.setRateLimits({ perDay: 50 });
    const { session, key } = await connected([DEMO_TENANT_ID, SECOND_TENANT_ID]);
    const other = await connected([DEMO_TENANT_ID]);
    const client = await session.accounting();
    await client.request({ method: 'GET', path: 'Currencies', tenantId: DEMO_TENANT_ID });
    await client.request({ method: 'GET', path: 'Currencies', tenantId: DEMO_TENANT_ID });
    await session.probe([{ tenantId: SECOND_TENANT_ID, tenantName: null }]);
    expect(session.budgets().map((b) => [b.tenantId, b.dayRemaining, b.dayLimitSource])).toEqual([
      [DEMO_TENANT_ID, 48, 'learned'],
      [SECOND_TENANT_ID, 49, 'learned'],
    ]);
    await session.close();
    // Stored beside this chain at close; the other chain of the same ledger has none.
    expect((await readBudgets(ledger as Ledger & ChainNotes, key)).map((b) => b.tenantId)).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID]);
    await other.session.open();
    expect(other.session.budgets()).toEqual([]);
  });

  it('an answer without budget headers records nothing; a ledger without notes has no budget and the calls still work', async () => {
    // A proxy in between that strips Xero's rate-limit headers: the answers say nothing about the budget.
    const stripping: HttpTransport = async (request) => {
      const response = await fetchTransport(request);
      const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !/limit-remaining$/i.test(name)));
      return { ...response, headers };
    };
    sim.setRateLimits({ perDay: 50 });
    const { session } = await connected([DEMO_TENANT_ID], { transport: stripping });
    const answer = await (await session.accounting()).request({ method: 'GET', path: 'Currencies', tenantId: DEMO_TENANT_ID });
    expect(answer.status).toBe(200);
    await session.probe([{ tenantId: DEMO_TENANT_ID, tenantName: null }]);
    expect(session.budgets()).toEqual([]);
    expect(session.budget()).not.toBeNull();

    ledger = new NotelessLedger();
    const bare = await connected();
    const read = await (await bare.session.accounting()).request({ method: 'GET', path: 'Currencies', tenantId: DEMO_TENANT_ID });
    expect(read.status).toBe(200);
    expect(bare.session.budget()).toBeNull();
    expect(bare.session.budgetReport()).toEqual([]);
  });

  it('the check reports the budget in the one shape, skips an organisation in its reserve, and leaves its note for the fleet', async () => {
    sim.setRateLimits({ perDay: 5 });
    const { session, key } = await connected();
    const first = await session.check(DEMO_TENANT_ID);
    expect(first.result.status).toBe('connected');
    expect(first.budget).toEqual([
      {
        tenantId: DEMO_TENANT_ID,
        tenantName: 'Demo Company (NZ)',
        level: 'ok',
        dayRemaining: 4,
        dayLimit: 5,
        dayLimitSource: 'learned',
        warnBelow: 1,
        reserve: 1,
        minuteRemaining: expect.any(Number),
        appMinuteRemaining: expect.any(Number),
        observedAt: expect.any(String),
        dayObservedAt: expect.any(Number),
        minuteObservedAt: expect.any(Number),
      },
    ]);
    expect(first.budget[0].observedAt).toBe(new Date(first.budget[0].dayObservedAt as number).toISOString());
    for (let i = 0; i < 3; i++) await session.check(DEMO_TENANT_ID);
    const organisationReads = () => sim.log().filter((e) => e.type === 'request' && (e as { endpoint?: string }).endpoint === 'organisation').length;
    const before = organisationReads();
    const last = await session.check(DEMO_TENANT_ID);
    expect(last.skipped).toEqual([DEMO_TENANT_ID]);
    expect(last.budget[0]).toMatchObject({ dayRemaining: 1, level: 'reserve' });
    expect(organisationReads()).toBe(before);
    expect(await checkNote(key)).toMatchObject({ status: 'connected', category: null });
  });

  it("a check that cannot open reports why in the check's shape, with the failure; a dry run leaves no note", async () => {
    const broken = new ConnectionSession({
      registry,
      spec: () => {
        throw Object.assign(new Error('The ledger folder cannot be written'), { code: 'LEDGER_UNAVAILABLE', retryable: true });
      },
      lifetime: 'until_close',
      key: 'k',
      client: CLIENT,
      clock,
    });
    const checked = await broken.check('');
    expect(checked.result).toMatchObject({ status: 'degraded', reason: 'The ledger folder cannot be written' });
    expect(checked.failure).toBeInstanceOf(Error);

    const { session, key } = await connected();
    await session.check('', { record: false });
    expect(await checkNote(key)).toBeNull();
  });

  it('organisations: a 401 is reported to the engine and the list asked again; a revoked grant is the engine\'s "reconnect"', async () => {
    // The ledger holds an access token Xero refuses before its time (401): the engine rotates once and the list is asked again.
    const refusedToken = 'refused-access-token-0123456789';
    const { session } = await connected([DEMO_TENANT_ID, SECOND_TENANT_ID], {}, (tokens) => ({ ...tokens, accessToken: refusedToken }));
    const rotations = sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    expect((await session.organisations()).map((t) => t.tenantId).sort()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());
    expect((sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - rotations).toBe(1);
    expect(await session.accessToken()).not.toBe(refusedToken);

    sim.revokeUser('demo@xero-guard.test');
    await expect(session.organisations()).rejects.toMatchObject({ code: 'NEEDS_REAUTH' });
  });

  it('names the chain once per name, never clears a stored name with none, and gives its engine back at close', async () => {
    const { session, key } = await connected();
    await session.open();
    await session.nameChain('Acme books');
    await session.nameChain('Acme books');
    await session.nameChain(undefined);
    await session.nameChain('   ');
    const status = await session.status();
    expect(status.displayName).toBe('Acme books');
    const shared = await session.open();
    await session.close();
    await expect(session.check('')).resolves.toMatchObject({ result: { status: 'disconnected' } });
    await expect(session.open()).rejects.toThrow(/closed/);
    // The last user gave it back: the next session of the same ledger opens a new engine.
    const again = new ConnectionSession({ registry, spec: spec(), lifetime: 'until_close', key, client: CLIENT, clock });
    expect(await again.open()).not.toBe(shared);
  });
});
