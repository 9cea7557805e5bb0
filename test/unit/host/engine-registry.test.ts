/** The host kit's engine registry: one engine per ledger, key and endpoints; counted; closed by the last user. */
import { EngineRegistry, engineIdentity, type EngineSpec } from '../../../src/host';
import { MemoryLedger, type CreateLedgerOptions } from '../../../src/ledger';

class CountingLedger extends MemoryLedger {
  closed = 0;
  override async close(): Promise<void> {
    this.closed += 1;
  }
}

function spec(overrides: Partial<CreateLedgerOptions> = {}, opened: CountingLedger[] = []): EngineSpec {
  return {
    ledger: { kind: 'file', directory: '/tmp/xero-guard-registry-test', encryptionKey: 'key-one', ...overrides },
    openLedger: () => {
      const ledger = new CountingLedger();
      opened.push(ledger);
      return ledger;
    },
  };
}

test('users of the same ledger, key and endpoints share one engine; the ledger opens once', async () => {
  const registry = new EngineRegistry();
  const opened: CountingLedger[] = [];
  const [a, b] = await Promise.all([registry.acquire(spec({}, opened)), registry.acquire(spec({}, opened))]);
  expect(a).toBe(b);
  expect(opened).toHaveLength(1);
  const other = await registry.acquire(spec({ encryptionKey: 'key-two' }, opened));
  expect(other).not.toBe(a);
  const elsewhere = await registry.acquire({ ...spec({}, opened), endpoints: { tokenUrl: 'http://127.0.0.1:1/token' } });
  expect(elsewhere).not.toBe(a);
});

test('the last release closes the ledger, after the work under way; an earlier release does not', async () => {
  const registry = new EngineRegistry();
  const opened: CountingLedger[] = [];
  const first = await registry.acquire(spec({}, opened));
  const second = await registry.acquire(spec({}, opened));
  let finish: () => void = () => undefined;
  const work = first.track(new Promise<void>((resolve) => (finish = resolve)));
  await registry.release(first);
  expect(opened[0].closed).toBe(0);
  const closing = registry.release(second);
  await Promise.resolve();
  expect(opened[0].closed).toBe(0);
  finish();
  await work;
  await closing;
  expect(opened[0].closed).toBe(1);
  // A new user after the close gets a new engine on a freshly opened ledger.
  expect(await registry.acquire(spec({}, opened))).not.toBe(first);
  expect(opened).toHaveLength(2);
});

test('a held engine stays open whatever other users release; holding twice counts once', async () => {
  const registry = new EngineRegistry();
  const opened: CountingLedger[] = [];
  const held = await registry.hold(spec({}, opened));
  expect(await registry.hold(spec({}, opened))).toBe(held);
  const borrowed = await registry.acquire(spec({}, opened));
  await registry.release(borrowed);
  expect(opened[0].closed).toBe(0);
  await registry.closeAll();
  expect(opened[0].closed).toBe(1);
});

test('a failed open is forgotten, so the next use tries again', async () => {
  const registry = new EngineRegistry();
  let attempts = 0;
  const flaky: EngineSpec = {
    ...spec(),
    openLedger: () => {
      attempts += 1;
      if (attempts === 1) throw new Error('database restarting');
      return new MemoryLedger();
    },
  };
  await expect(registry.acquire(flaky)).rejects.toThrow('database restarting');
  await expect(registry.acquire(flaky)).resolves.toBeDefined();
  expect(attempts).toBe(2);
});

test('once() runs the first-sight work once per name and forgets a failure', async () => {
  const shared = await new EngineRegistry().acquire(spec());
  let runs = 0;
  const work = async () => {
    runs += 1;
  };
  await Promise.all([shared.once('chain-a', work), shared.once('chain-a', work)]);
  expect(runs).toBe(1);
  await expect(shared.once('chain-b', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
  await shared.once('chain-b', work);
  expect(runs).toBe(2);
});

test("an engine's identity names paths and hosts but never a password, URL or key", () => {
  const id = engineIdentity({ ledger: { kind: 'postgres', connectionString: 'postgres://u:pg-canary-pass@db:5432/x', encryptionKey: 'enc-canary-key' } });
  expect(id).not.toContain('pg-canary-pass');
  expect(id).not.toContain('enc-canary-key');
  expect(engineIdentity({ ledger: { kind: 'file', directory: 'relative/dir', encryptionKey: 'k' } })).toContain(`${process.cwd()}/relative/dir`);
});
