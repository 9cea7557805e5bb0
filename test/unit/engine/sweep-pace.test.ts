import { DAY } from '../../../src/clock';
import { makeFixture, toTokenSet, type Fixture } from '../../helpers/engine-fixture';

let fx: Fixture;
afterEach(async () => fx?.close());

test('invariant 8 (keep-alive pace): a keep-alive sweep refreshes one connection at a time, paced at keepAliveCallsPerMinute (on the injected clock)', async () => {
  fx = await makeFixture({ policy: { keepAliveCallsPerMinute: 120 } });
  const keys = ['xero:TESTCLIENT:a', 'xero:TESTCLIENT:b', 'xero:TESTCLIENT:c'];
  for (const key of keys) await fx.engine.adoptGrant(key, toTokenSet(fx.server.seed()));
  fx.clock.advance(8 * DAY);
  const sent: number[] = [];
  const engine = fx.makeEngine({ onEvent: (e) => void (e.type === 'refresh_started' && sent.push(fx.clock.now())) });
  const results = await engine.keepAliveSweep();
  expect(results.map((r) => r.refreshed)).toEqual([true, true, true]);
  expect(fx.server.calls).toBe(3);
  // 120 a minute: half a second apart at least, so 1,000 connections take 8+ minutes per process, never a burst.
  expect(sent[1] - sent[0]).toBeGreaterThanOrEqual(500);
  expect(sent[2] - sent[1]).toBeGreaterThanOrEqual(500);
});
