import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManualClock, MINUTE } from '../../../src/clock';
import { TokenEngine } from '../../../src/engine';
import { migrateLedger, type Ledger, type MigrationStep } from '../../../src/ledger';
import { XeroIdentityClient } from '../../../src/xero';
import { KEY, START, toTokenSet } from '../../helpers/engine-fixture';
import { dropLedgerSpec, makeLedgerSpec, openLedger, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { CLIENT, startTokenServer, type TokenServer } from '../../../tools/services/token-server';

const run = promisify(execFile);
const CLI = join(__dirname, '../../../cli/xero-guard-ledger.ts');
const ENCRYPTION_KEY = 'test-encryption-key';

let clock: ManualClock;
let server: TokenServer;
const specs: LedgerSpec[] = [];
const ledgers: Ledger[] = [];

async function ledgerOf(kind: 'file' | 'postgres' | 'redis'): Promise<{ spec: LedgerSpec; ledger: Ledger }> {
  const spec = makeLedgerSpec(kind, ENCRYPTION_KEY);
  const ledger = await openLedger(spec, clock);
  specs.push(spec);
  ledgers.push(ledger);
  return { spec, ledger };
}

function engineOver(ledger: Ledger): TokenEngine {
  return new TokenEngine({ ledger, clock, client: CLIENT, identity: new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock }) });
}

/** A chain with some life in it: two rotations, a candidate, and a state change back and forth. */
async function livedInChain(ledger: Ledger): Promise<void> {
  const engine = engineOver(ledger);
  await engine.adoptGrant(KEY, toTokenSet(server.seed(60)));
  await engine.getAccessToken(KEY);
  clock.advance(31 * MINUTE);
  await engine.getAccessToken(KEY);
  const spare = server.seed();
  const record = (await ledger.read(KEY))!;
  await ledger.write({ ...record, candidates: [{ tokenSet: toTokenSet(spare), addedAt: clock.now(), reason: 'kept for the test' }] }, record.version);
}

beforeEach(async () => {
  clock = new ManualClock(START);
  server = await startTokenServer({ clock, mode: 'fresh-pair-revokes' });
});

afterEach(async () => {
  await server.close();
  for (const ledger of ledgers.splice(0)) await ledger.close();
  for (const spec of specs.splice(0)) await dropLedgerSpec(spec);
});

describe('migrateLedger', () => {
  test('file -> postgres -> file round trip keeps the whole chain with no token call, and the chain refreshes afterwards with zero dead-token uses', async () => {
    const { ledger: original } = await ledgerOf('file');
    const { ledger: postgres } = await ledgerOf('postgres');
    const { ledger: back } = await ledgerOf('file');
    await livedInChain(original);
    const before = (await original.read(KEY))!;
    const calls = server.calls;
    expect(before.version).toBeGreaterThan(3);
    expect(before.candidates).toHaveLength(1);

    const progress: MigrationStep[] = [];
    const there = await migrateLedger({ from: original, to: postgres, onProgress: (s) => progress.push(s) });
    expect(there.ok).toBe(true);
    expect(progress).toEqual([expect.objectContaining({ key: KEY, outcome: 'copied', version: before.version, state: 'active' })]);
    expect(await postgres.read(KEY)).toEqual(before);

    const home = await migrateLedger({ from: postgres, to: back });
    expect(home.steps.map((s) => s.outcome)).toEqual(['copied']);
    expect(await back.read(KEY)).toEqual(before);
    expect(server.calls).toBe(calls);

    clock.advance(31 * MINUTE);
    const engine = engineOver(back);
    expect(await server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
    expect(server.calls).toBe(calls + 1);
    expect(server.deadTokenUses).toBe(0);
    const after = (await back.read(KEY))!;
    expect(after.history).toEqual(before.history);
    expect(after.version).toBeGreaterThan(before.version);
  });

  test('a rerun finds the chain already there; a newer chain at the destination is never overwritten; an older one is brought up to date', async () => {
    const { ledger: file } = await ledgerOf('file');
    const { ledger: postgres } = await ledgerOf('postgres');
    await livedInChain(file);
    await migrateLedger({ from: file, to: postgres });
    expect((await migrateLedger({ from: file, to: postgres })).steps[0].outcome).toBe('unchanged');

    // The chain goes on in PostgreSQL (queue mode); the old file copy is now stale.
    clock.advance(31 * MINUTE);
    await engineOver(postgres).getAccessToken(KEY);
    const newer = (await postgres.read(KEY))!;
    const refused = await migrateLedger({ from: file, to: postgres });
    expect(refused.ok).toBe(false);
    expect(refused.steps[0]).toMatchObject({ outcome: 'newer_at_destination' });
    expect(refused.steps[0].message).toMatch(/destination holds version \d+, newer than the source's \d+: left as it is/);
    expect(await postgres.read(KEY)).toEqual(newer);

    const updated = await migrateLedger({ from: postgres, to: file });
    expect(updated.steps[0].outcome).toBe('copied');
    expect(await file.read(KEY)).toEqual(newer);
    expect(server.deadTokenUses).toBe(0);
  });

  test('the source lease is taken while copying: a refresh holding it makes the connection "busy", nothing copied', async () => {
    const { ledger: file } = await ledgerOf('file');
    const { ledger: redis } = await ledgerOf('redis');
    await livedInChain(file);
    const held = await file.acquireLease(KEY, { owner: 'a refreshing process', ttlMs: 10 * MINUTE, waitMs: 0 });
    const report = await migrateLedger({ from: file, to: redis, leaseWaitMs: 0 });
    expect(report.steps[0].outcome).toBe('busy');
    expect(await redis.read(KEY)).toBeNull();
    await file.releaseLease(held!);
    expect((await migrateLedger({ from: file, to: redis })).steps[0].outcome).toBe('copied');
    expect(await redis.read(KEY)).toEqual(await file.read(KEY));
  });
});

describe('xero-guard-ledger command', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

  test('--help explains the ledger locations, options and exit status', async () => {
    const { stdout } = await cli(['--help']);
    expect(stdout).toMatch(/^xero-guard-ledger: move Xero Guard token chains between ledgers/);
    expect(stdout).toContain('xero-guard-ledger migrate --from <ledger> --to <ledger>');
    expect(stdout).toContain('--encryption-key-env <NAME>');
    expect(stdout).toContain('postgres://user:password@host:5432/n8n');
  });

  test('a real run: file -> postgres, one progress line per connection, then list', async () => {
    const { spec: fileSpec, ledger: file } = await ledgerOf('file');
    const { spec: pgSpec, ledger: postgres } = await ledgerOf('postgres');
    await livedInChain(file);
    const calls = server.calls;
    const from = `file:${String(fileSpec.directory)}`;
    const to = `${String(pgSpec.connectionString)}?tablePrefix=${String(pgSpec.tablePrefix)}`;
    const { stdout } = await cli(['migrate', '--from', from, '--to', to, '--encryption-key-env', 'XG_TEST_KEY'], { XG_TEST_KEY: ENCRYPTION_KEY });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Migrating from file ledger at .* to PostgreSQL ledger xgt_\w+_ledger at 127\.0\.0\.1:5432\/test$/);
    expect(lines[1]).toMatch(new RegExp(`^copied +${KEY}: copied as version \\d+, state active$`));
    expect(lines[2]).toBe('1 connection(s): 1 copied, 0 already there, 0 not moved.');
    expect(server.leaksToken(stdout)).toBe(false);
    expect(await postgres.read(KEY)).toEqual(await file.read(KEY));
    expect(server.calls).toBe(calls);

    const listed = await cli(['list', '--from', to], { N8N_ENCRYPTION_KEY: ENCRYPTION_KEY });
    expect(listed.stdout).toMatch(new RegExp(`^${KEY}\\tversion \\d+\\tactive\\n$`));
  });

  test('without the encryption key it stops with the fix and exit status 2', async () => {
    const error = await cli(['migrate', '--from', 'file:/tmp/none', '--to', 'postgres://u@127.0.0.1/db'], { N8N_ENCRYPTION_KEY: '' }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(error).toMatchObject({ code: 2 });
    expect((error as { stderr: string }).stderr).toMatch(/The encryption key is not set: export N8N_ENCRYPTION_KEY/);
  });
});
