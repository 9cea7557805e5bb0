import { MINUTE, OffsetClock } from '../../../src/clock';
import { TokenEngine } from '../../../src/engine';
import { RedisLedger, type Ledger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { XeroIdentityClient } from '../../../src/xero';
import { KEY, toTokenSet } from '../../helpers/engine-fixture';
import { dropLedgerSpec, makeLedgerSpec, openLedger, silentLogger, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { Storm } from '../../helpers/storm';
import { CLIENT, startTokenServer, type TokenServer } from '../../../tools/services/token-server';
import { startPrivatePostgres, startPrivateRedis, type PrivateService } from '../../../tools/services/private-services';

// Restarts take a few seconds each on 2 cores; the storm itself is the same as engine-storm's.
jest.setTimeout(180_000);

const PROCESSES = 8;
const CALLERS = 20;

let server: TokenServer | undefined;
let storm: Storm | undefined;
let ledger: Ledger | undefined;
let spec: LedgerSpec | undefined;
let service: PrivateService | undefined;

afterEach(async () => {
  await storm?.stop();
  await server?.close();
  await ledger?.close();
  // Always give the service back (here: remove the private one), whatever the test did to it.
  await service?.destroy();
  if (spec && spec.kind !== 'postgres') await dropLedgerSpec(spec);
  storm = server = ledger = spec = service = undefined;
});

async function allValid(tokens: string[]): Promise<boolean> {
  for (const token of new Set(tokens)) if (!(await server!.isValidAccessToken(token))) return false;
  return true;
}

async function stormOver(ledgerSpec: LedgerSpec) {
  const clock = new OffsetClock();
  server = await startTokenServer({ clock, mode: 'fresh-pair-revokes' });
  spec = ledgerSpec;
  ledger = await openLedger(spec, clock);
  const engine = new TokenEngine({ ledger, clock, client: CLIENT, identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }) });
  await engine.adoptGrant(KEY, toTokenSet(server.seed(60)));
  storm = await Storm.start(PROCESSES, { ledger: spec, tokenUrl: server.tokenUrl, key: KEY, client: CLIENT });
  const round = async (offsetMs: number) => {
    clock.set(Date.now() + offsetMs);
    const results = await storm!.round(offsetMs, CALLERS);
    return { tokens: results.flatMap((r) => r.tokens), errors: results.flatMap((r) => r.errors) };
  };
  return { round };
}

describe('a shared backend restarting during a storm (8 processes, grace mode fresh-pair-revokes)', () => {
  test('PostgreSQL stops and starts again: callers get retryable errors meanwhile, no token call without the ledger, then the chain goes on with zero dead-token uses', async () => {
    service = await startPrivatePostgres();
    const { round } = await stormOver({ ...makeLedgerSpec('postgres', 'storm-key'), connectionString: service.url });

    const before = await round(0);
    expect(before.errors).toEqual([]);
    expect(await allValid(before.tokens)).toBe(true);
    expect(server!.calls).toBe(1);

    await service.stop();
    const down = await round(31 * MINUTE);
    expect(down.tokens).toEqual([]);
    expect(down.errors).toHaveLength(PROCESSES * CALLERS);
    for (const error of down.errors) {
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${service.port}`));
    }
    expect(server!.calls).toBe(1);

    await service.start();
    const after = await round(31 * MINUTE);
    expect(after.errors).toEqual([]);
    expect(after.tokens).toHaveLength(PROCESSES * CALLERS);
    expect(await allValid(after.tokens)).toBe(true);
    expect(server!.calls).toBe(2);

    const next = await round(62 * MINUTE);
    expect(next.errors).toEqual([]);
    expect(await allValid(next.tokens)).toBe(true);
    expect(server!.calls).toBe(3);
    expect(server!.deadTokenUses).toBe(0);
  });

  test('Redis (leases, with PostgreSQL data) shuts down and starts again: retryable errors meanwhile, no refresh without a lease, then the chain goes on with zero dead-token uses', async () => {
    service = await startPrivateRedis();
    const { round } = await stormOver({ ...makeLedgerSpec('redis+postgres', 'storm-key'), redisUrl: service.url });

    const before = await round(0);
    expect(before.errors).toEqual([]);
    expect(server!.calls).toBe(1);

    await service.stop();
    const down = await round(31 * MINUTE);
    expect(down.tokens).toEqual([]);
    expect(down.errors).toHaveLength(PROCESSES * CALLERS);
    for (const error of down.errors) {
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(new RegExp(`Redis at 127\\.0\\.0\\.1:${service.port}`));
    }
    expect(server!.calls).toBe(1);

    await service.start();
    // Each process's client reconnects on its own schedule (backoff up to 1 s): callers retry, as
    // a workflow would, until every process answers. Every failure on the way must be retryable.
    // Bounded by a deadline, not a count: a refused connection fails at once, so a count of quick
    // rounds can run out before a loaded machine's eight clients have all reconnected.
    let after = await round(31 * MINUTE);
    const giveUpAt = Date.now() + 60_000;
    while (after.errors.length > 0 && Date.now() < giveUpAt) {
      for (const error of after.errors) expect(error.retryable).toBe(true);
      expect(server!.calls).toBeLessThanOrEqual(2);
      after = await round(31 * MINUTE);
    }
    expect(after.errors).toEqual([]);
    expect(await allValid(after.tokens)).toBe(true);
    expect(server!.calls).toBe(2);

    // A clean round above does not prove every client is back: a process can be served the fresh set
    // from PostgreSQL without its Redis lease. The next rotation needs a lease, so a process still in
    // its reconnect backoff fails it retryably; ask again (same time) until one holds the lease.
    let next = await round(62 * MINUTE);
    const nextGiveUpAt = Date.now() + 60_000;
    while (next.errors.length > 0 && Date.now() < nextGiveUpAt) {
      for (const error of next.errors) expect(error.retryable).toBe(true);
      expect(server!.calls).toBeLessThanOrEqual(3);
      next = await round(0);
    }
    expect(next.errors).toEqual([]);
    expect(await allValid(next.tokens)).toBe(true);
    expect(server!.calls).toBe(3);
    expect(server!.deadTokenUses).toBe(0);
  });

  test('why the warning: Redis without persistence as the data store forgets the chain on restart', async () => {
    service = await startPrivateRedis();
    const clock = new OffsetClock();
    server = await startTokenServer({ clock, mode: 'same-pair' });
    const redis = new RedisLedger({ url: service.url, sealer: new Sealer('k'), clock, logger: silentLogger });
    ledger = redis;
    const engine = new TokenEngine({
      ledger: redis,
      clock,
      client: CLIENT,
      identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }),
    });
    await engine.adoptGrant(KEY, toTokenSet(server.seed()));
    expect(await redis.read(KEY)).not.toBeNull();
    await service.stop();
    await service.start();
    let read: Awaited<ReturnType<RedisLedger['read']>> | 'unavailable' = 'unavailable';
    for (let attempt = 0; read === 'unavailable' && attempt < 100; attempt++) {
      read = await redis.read(KEY).catch(() => 'unavailable' as const);
      if (read === 'unavailable') await clock.sleep(100);
    }
    expect(read).toBeNull();
  });
});
