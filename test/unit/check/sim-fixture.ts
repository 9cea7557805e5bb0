import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffsetClock } from '../../../src/clock';
import { connectionKeyFor, TokenEngine } from '../../../src/engine';
import { FileLedger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator, type Simulator, type SimulatorTokenResponse } from '../../../src/simulator';
import { XeroApiClient, XeroIdentityClient, type TokenSet } from '../../../src/xero';

export interface SimFixture {
  sim: Simulator;
  clock: OffsetClock;
  directory: string;
  engine: TokenEngine;
  api: XeroApiClient;
  /** Seeds a grant at the simulator and adopts it into the engine; returns the connection key and the raw token response. */
  connect(input?: Parameters<Simulator['seedGrant']>[0]): Promise<{ key: string; grant: SimulatorTokenResponse }>;
  close(): Promise<void>;
}

export function tokenSetOf(grant: SimulatorTokenResponse, now: number): TokenSet {
  return {
    accessToken: grant.access_token,
    refreshToken: grant.refresh_token,
    tokenType: 'Bearer',
    scope: grant.scope.split(' '),
    expiresAt: now + grant.expires_in * 1000,
    obtainedAt: now,
  };
}

export async function makeSimFixture(): Promise<SimFixture> {
  const clock = new OffsetClock();
  const sim = await startSimulator({ clock });
  const directory = mkdtempSync(join(tmpdir(), 'xg-check-'));
  const ledger = new FileLedger({ directory, sealer: new Sealer('check-test-key'), clock });
  const identity = new XeroIdentityClient({ endpoints: { tokenUrl: sim.tokenUrl }, clock });
  const engine = new TokenEngine({
    ledger,
    identity,
    clock,
    client: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET },
    policy: { retryBaseMs: 10, retryMaxMs: 20, leaseWaitMs: 2000 },
  });
  const api = new XeroApiClient({ endpoints: { apiUrl: sim.apiUrl } });
  return {
    sim,
    clock,
    directory,
    engine,
    api,
    async connect(input) {
      const grant = sim.seedGrant(input);
      const key = connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string);
      await engine.adoptGrant(key, tokenSetOf(grant, clock.now()));
      return { key, grant };
    },
    async close() {
      await sim.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
