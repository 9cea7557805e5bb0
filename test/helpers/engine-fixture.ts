import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock';
import { TokenEngine, type TokenEngineOptions } from '../../src/engine';
import type { EngineEvent } from '../../src/engine/events';
import { FileLedger, MemoryLedger, type Ledger } from '../../src/ledger';
import { Sealer } from '../../src/secrets';
import { XeroIdentityClient } from '../../src/xero';
import type { TokenSet } from '../../src/xero/token-set';
import { CLIENT, startTokenServer, type GraceMode, type TokenServer } from '../../tools/services/token-server';

export const KEY = 'xero:TESTCLIENT:root';
export const START = Date.UTC(2026, 0, 1, 9, 0, 0);

export interface Fixture {
  clock: ManualClock;
  server: TokenServer;
  ledger: Ledger;
  directory: string;
  sealer: Sealer;
  engine: TokenEngine;
  events: EngineEvent[];
  identity: XeroIdentityClient;
  makeEngine(overrides?: Partial<TokenEngineOptions>): TokenEngine;
  seed(expiresInSeconds?: number): Promise<{ accessToken: string; refreshToken: string }>;
  close(): Promise<void>;
}

export async function makeFixture(options: { mode?: GraceMode; ledger?: 'file' | 'memory'; policy?: TokenEngineOptions['policy'] } = {}): Promise<Fixture> {
  const clock = new ManualClock(START);
  const server = await startTokenServer({ clock, mode: options.mode ?? 'same-pair' });
  const directory = mkdtempSync(join(tmpdir(), 'xg-ledger-'));
  const sealer = new Sealer('test-encryption-key');
  const ledger = options.ledger === 'memory' ? new MemoryLedger({ clock }) : new FileLedger({ directory, sealer, clock });
  const identity = new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock, transport: server.transport });
  const events: EngineEvent[] = [];
  const makeEngine = (overrides: Partial<TokenEngineOptions> = {}) =>
    new TokenEngine({ ledger, identity, client: CLIENT, clock, policy: options.policy, onEvent: (e) => void events.push(e), ...overrides });
  const engine = makeEngine();
  return {
    clock,
    server,
    ledger,
    directory,
    sealer,
    engine,
    events,
    identity,
    makeEngine,
    async seed(expiresInSeconds) {
      const seeded = server.seed(expiresInSeconds);
      await engine.adoptGrant(KEY, toTokenSet(seeded));
      return seeded;
    },
    close: () => server.close(),
  };
}

export function toTokenSet(t: { accessToken: string; refreshToken: string; expiresAt: number; obtainedAt: number }): TokenSet {
  return {
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    tokenType: 'Bearer',
    scope: ['offline_access'],
    expiresAt: t.expiresAt,
    obtainedAt: t.obtainedAt,
  };
}

/** Every file under `dir`, as text, for canary scans. */
export function readTree(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? readTree(path) : readFileSync(path, 'utf8');
  }
  return out;
}

/** Captures an async call's rejection (or fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
