/**
 * A watch's memory beside its chain (issue 29, item 1): it outlives the watch that wrote it (a
 * deploy, a restart), two watches of one chain polling at once send each change once, watches that
 * look at different things keep apart, and a ledger that is down costs one alert, not one per poll.
 * The file ledger's two instances on one folder stand for two Node-RED processes on one ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult, CheckedTenant } from '../../../src/check';
import { classifyXeroError } from '../../../src/classify';
import { OffsetClock } from '../../../src/clock';
import { NODE_RED_WORDS } from '../../../node-red/lib/status';
import {
  chainWatchMemory,
  watchStep,
  watchView,
  type WatchEvent,
  type WatchMemory,
  type WatchMemorySession,
  type WatchSettings,
  type WatchTexts,
} from '../../../src/host';
import { createLedger, MemoryLedger, type Ledger } from '../../../src/ledger';

const KEY = 'a1b2c3d4e5f60001';
const A: CheckedTenant = { tenantId: 'a-1', tenantName: 'Acme Ltd', tenantType: 'ORGANISATION', connectionId: 'c', createdDateUtc: null, updatedDateUtc: null };
const SETTINGS: WatchSettings = { tenantId: '', organisations: true, only: [], probe: false, budget: null, emitEveryPoll: false };
const TEXTS: WatchTexts = { words: NODE_RED_WORDS, connectionName: 'My Xero', link: 'http://192.168.1.20:1880/#node/a1', secrets: [] };
const HEALTH = { accessTokenExpiresAt: null, lastRotationAt: null, daysLeftBeforeIdleExpiry: 59, chainState: 'active' as const };

let minute = 0;
const at = () => new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString();
const connected = (): CheckResult => ({ status: 'connected', reason: 'ok', checkedAt: at(), tenants: [A], tokenHealth: HEALTH });
const revoked = (): CheckResult => ({
  status: 'disconnected',
  reason: 'Xero no longer accepts this connection.',
  checkedAt: at(),
  tenants: [],
  tokenHealth: { ...HEALTH, chainState: 'needs_reauth' },
  problem: classifyXeroError({ statusCode: 400, body: { error: 'invalid_grant' }, source: 'token_endpoint' }),
});

const sessionOf = (ledger: Ledger): WatchMemorySession => ({ key: KEY, use: (work) => work({ ledger }) });

/** One poll of a watch as the Node-RED node runs it: load, step, report (claimed), save; the events it sent. */
async function poll(memory: ReturnType<typeof chainWatchMemory>, result: CheckResult, settings = SETTINGS): Promise<string[]> {
  const before = await memory.load();
  const step = watchStep(before, { result, denied: [], budgets: [] }, settings, TEXTS);
  const sent: WatchEvent[] = [];
  await memory.report(step.events, (events) => sent.push(...events));
  await memory.save(step.memory);
  return sent.map((e) => `${e.scope}:${e.kind}`);
}

const clock = new OffsetClock();
let folder = '';
let n = 0;
const fileLedger = () => createLedger({ kind: 'file', directory: folder, encryptionKey: 'k'.repeat(43), keyKind: 'random', clock });
const memoryOf = (ledger: Ledger, extra: Partial<Parameters<typeof chainWatchMemory>[0]> = {}) =>
  chainWatchMemory({ session: sessionOf(ledger), view: watchView(SETTINGS), owner: `watch-${++n}`, clock, ...extra });

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'xg-watch-memory-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('a watch memory beside the chain', () => {
  it('a deploy (a new watch, the same ledger) and a restart (a new ledger instance on the same folder) never repeat an alert', async () => {
    const first = await fileLedger();
    expect(await poll(memoryOf(first), connected())).toEqual([]);
    expect(await poll(memoryOf(first), revoked())).toEqual(['connection:problem']);
    // Three deploys: each a new watch with nothing of its own.
    for (let i = 0; i < 3; i++) expect(await poll(memoryOf(first), revoked())).toEqual([]);
    await first.close();
    const restarted = await fileLedger();
    expect(await poll(memoryOf(restarted), revoked())).toEqual([]);
    expect(await poll(memoryOf(restarted), connected())).toEqual(['connection:recovered']);
    expect(await poll(memoryOf(restarted), connected())).toEqual([]);
    await restarted.close();
  });

  it('two watches of one chain in two processes, polling at once: each change is sent once', async () => {
    const [one, two] = [await fileLedger(), await fileLedger()];
    const [a, b] = [memoryOf(one), memoryOf(two)];
    await Promise.all([poll(a, connected()), poll(b, connected())]);
    for (const result of [revoked(), revoked(), connected(), revoked()]) {
      // Both read the same memory before either saves: both find the change; the claim decides.
      const [loadedA, loadedB] = [await a.load(), await b.load()];
      const stepA = watchStep(loadedA, { result, denied: [], budgets: [] }, SETTINGS, TEXTS);
      const stepB = watchStep(loadedB, { result, denied: [], budgets: [] }, SETTINGS, TEXTS);
      const sent: string[] = [];
      await Promise.all([
        a.report(stepA.events, (events) => sent.push(...events.map((e) => `a ${e.kind}`))),
        b.report(stepB.events, (events) => sent.push(...events.map((e) => `b ${e.kind}`))),
      ]);
      await Promise.all([a.save(stepA.memory), b.save(stepB.memory)]);
      expect(sent.length).toBe(stepA.events.length);
    }
    await Promise.all([one.close(), two.close()]);
  });

  it('a watch that loses the race and saves an older state never sends the change again', async () => {
    const ledger = new MemoryLedger();
    const [fast, slow] = [memoryOf(ledger), memoryOf(ledger)];
    await poll(fast, connected());
    const stale = await slow.load();
    expect(await poll(fast, revoked())).toEqual(['connection:problem']);
    // The slow one saw the connection still working and writes that last.
    await slow.save(watchStep(stale, { result: connected(), denied: [], budgets: [] }, SETTINGS, TEXTS).memory);
    expect(await poll(fast, revoked())).toEqual([]);
  });

  it('watches that look at different things keep their own memory; an earlier memory (node context) is adopted once', async () => {
    const ledger = new MemoryLedger();
    const limited = { ...SETTINGS, only: ['Acme Ltd'] };
    expect(watchView(limited)).not.toBe(watchView(SETTINGS));
    expect(watchView({ ...limited, only: [' acme ltd'] })).toBe(watchView(limited));
    await poll(memoryOf(ledger), connected());
    expect(await poll(memoryOf(ledger), revoked())).toEqual(['connection:problem']);
    expect(await poll(memoryOf(ledger, { view: watchView(limited) }), revoked(), limited)).toEqual(['connection:problem']);
    // An upgrade: the ledger holds nothing for this view, the node's context knew the connection was broken.
    const earlier: WatchMemory = { connection: { status: 'disconnected', category: 'refresh_token_invalid', since: at() }, organisations: null, budget: null };
    const upgraded = { ...SETTINGS, tenantId: A.tenantId };
    expect(await poll(memoryOf(ledger, { view: watchView(upgraded), earlier: () => earlier }), revoked(), upgraded)).toEqual([]);
  });

  it('a ledger that is down: the process remembers, so the alert is sent once (unclaimed), not on every poll', async () => {
    const ledger = new MemoryLedger();
    const errors: unknown[] = [];
    const down: WatchMemorySession = { key: 'down-chain', use: () => Promise.reject(new Error('ECONNREFUSED')) };
    const watch = () => chainWatchMemory({ session: down, view: watchView(SETTINGS), owner: 'w', clock, onError: (e) => errors.push(e) });
    expect(await poll(watch(), revoked())).toEqual(['connection:problem']);
    expect(await poll(watch(), revoked())).toEqual([]);
    expect(await poll(watch(), connected())).toEqual(['connection:recovered']);
    expect(errors.length).toBeGreaterThan(0);
    await ledger.close();
  });
});
