/** One engine over one shared-backend ledger in this process, with a ManualClock and a token server. */
import { ManualClock } from '../../../src/clock';
import { TokenEngine, type TokenEngineOptions } from '../../../src/engine';
import type { EngineEvent } from '../../../src/engine/events';
import type { Ledger } from '../../../src/ledger';
import { XeroIdentityClient } from '../../../src/xero';
import { KEY, START, toTokenSet } from '../../helpers/engine-fixture';
import { dropLedgerSpec, makeLedgerSpec, openLedger, type LedgerKind, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { CLIENT, startTokenServer, type GraceMode, type TokenServer } from '../../../tools/services/token-server';

export interface LedgerFixture {
  kind: LedgerKind;
  spec: LedgerSpec;
  clock: ManualClock;
  server: TokenServer;
  ledger: Ledger;
  engine: TokenEngine;
  events: EngineEvent[];
  makeEngine(overrides?: Partial<TokenEngineOptions>): TokenEngine;
  seed(expiresInSeconds?: number): Promise<{ accessToken: string; refreshToken: string }>;
  close(): Promise<void>;
}

export async function ledgerFixture(kind: LedgerKind, mode: GraceMode = 'same-pair'): Promise<LedgerFixture> {
  const clock = new ManualClock(START);
  const server = await startTokenServer({ clock, mode });
  const spec = makeLedgerSpec(kind);
  const ledger = await openLedger(spec, clock);
  const identity = new XeroIdentityClient({ endpoints: { tokenUrl: server.tokenUrl }, clock });
  const events: EngineEvent[] = [];
  const makeEngine = (overrides: Partial<TokenEngineOptions> = {}) =>
    new TokenEngine({ ledger, identity, client: CLIENT, clock, onEvent: (e) => void events.push(e), ...overrides });
  const engine = makeEngine();
  return {
    kind,
    spec,
    clock,
    server,
    ledger,
    engine,
    events,
    makeEngine,
    async seed(expiresInSeconds) {
      const seeded = server.seed(expiresInSeconds);
      await engine.adoptGrant(KEY, toTokenSet(seeded));
      return seeded;
    },
    async close() {
      await server.close();
      await ledger.close();
      await dropLedgerSpec(spec);
    },
  };
}
