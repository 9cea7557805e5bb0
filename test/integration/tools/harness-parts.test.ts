/**
 * The parts of the e2e harness that need no n8n: the cross-process install lock (one holder at a
 * time, stale locks taken over) and the failure report (n8n log tail and simulator request log,
 * with token values shortened).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { diagnostics } from '../../e2e/harness/diagnostics';
import { withLock } from '../../../tools/n8n/install';
import type { N8nHandle } from '../../../tools/n8n/n8n';

describe('e2e harness parts', () => {
  let cache: string;
  const saved = process.env.XERO_GUARD_CACHE;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'xero-guard-cache-'));
    process.env.XERO_GUARD_CACHE = cache;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.XERO_GUARD_CACHE;
    else process.env.XERO_GUARD_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  it('the lock lets one holder in at a time', async () => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        withLock('install', async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise<void>((resolve) => setImmediate(resolve));
          order.push(n);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([1, 2, 3]);
  });

  it('a lock left by a dead process is taken over', async () => {
    // A real process that has ended: its pid is free.
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    mkdirSync(join(cache, 'install.lock'));
    writeFileSync(join(cache, 'install.lock', 'owner.json'), JSON.stringify({ pid, at: Date.now() }));
    await expect(withLock('install', async () => 'ran', { waitMs: 5_000 })).resolves.toBe('ran');
  });

  it('a live holder is waited for, within the bound', async () => {
    mkdirSync(join(cache, 'install.lock'));
    writeFileSync(join(cache, 'install.lock', 'owner.json'), JSON.stringify({ pid: process.pid, at: Date.now() }));
    await expect(withLock('install', async () => 'ran', { waitMs: 600 })).rejects.toThrow(/timed out waiting for lock/);
  });

  describe('failure report', () => {
    let sim: Simulator;
    beforeAll(async () => {
      sim = await startSimulator({ host: '127.0.0.1' });
    });
    afterAll(async () => {
      await sim.close();
    });

    it('holds the n8n log tail and the simulator request log, and no whole token', async () => {
      const tokens = sim.seedGrant();
      await fetch(`${sim.apiUrl}/connections`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      const n8n = { version: '2.41.1', logTail: () => 'line one\nERROR the last line n8n wrote' } as unknown as N8nHandle;
      const report = diagnostics({ n8n, sim });
      expect(report).toContain('n8n 2.41.1 log (tail)');
      expect(report).toContain('ERROR the last line n8n wrote');
      expect(report).toContain('simulator request log');
      expect(report).toMatch(/request method=GET path=\/connections endpoint=connections status=200/);
      expect(report).toContain('tokenCalls=0');
      for (const token of [tokens.access_token, tokens.refresh_token!]) expect(report).not.toContain(token);
    });
  });
});
