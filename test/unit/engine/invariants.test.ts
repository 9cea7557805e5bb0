import { MINUTE, DAY, SECOND } from '../../../src/clock';
import { ConnectionBusyError, ConnectionStateError, RefreshOutcomeUnknownError } from '../../../src/engine';
import { KEY, makeFixture, readTree, rejectionOf, toTokenSet, type Fixture } from '../../helpers/engine-fixture';
import { GRACE_MODES } from '../../../tools/services/token-server';

let fx: Fixture;
afterEach(async () => fx?.close());

describe.each(GRACE_MODES)('token engine invariants (grace mode %s)', (mode) => {
  beforeEach(async () => {
    fx = await makeFixture({ mode });
  });

  test('invariant 1 (single flight): 50 concurrent callers in one process after expiry make one token call', async () => {
    await fx.seed(60);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => fx.engine.getAccessToken(KEY)));
    expect(fx.server.calls).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(await fx.server.isValidAccessToken(tokens[0])).toBe(true);
  });

  test('invariant 4 (unknown outcome is not failure): a dropped response is retried with the same refresh token and the chain works', async () => {
    const seeded = await fx.seed(60);
    fx.server.faults.push('drop_after_issue');
    const token = await fx.engine.getAccessToken(KEY);
    expect(await fx.server.isValidAccessToken(token)).toBe(true);
    expect(fx.server.calls).toBe(2);
    const presented = fx.events.filter((e) => e.type === 'refresh_started');
    expect(new Set(presented.map((e) => (e.type === 'refresh_started' ? e.refreshTokenFp : '')))).toHaveProperty('size', 1);
    expect(fx.server.deadTokenUses).toBe(0);
    // The chain goes on: the next rotation works from what the retry stored.
    fx.clock.advance(31 * MINUTE);
    expect(await fx.server.isValidAccessToken(await fx.engine.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(0);
    expect((await fx.engine.status(KEY)).state).toBe('active');
    expect(seeded.refreshToken).toBeDefined();
  });

  test('invariant 4: a 5xx and a reset are retried; after every attempt fails the caller gets a retryable error and the next caller resumes inside the grace window', async () => {
    await fx.seed(60);
    fx.server.faults.push('status_500', 'reset_before_issue', 'status_500');
    const error = await rejectionOf(fx.engine.getAccessToken(KEY));
    expect(error).toBeInstanceOf(RefreshOutcomeUnknownError);
    expect((error as RefreshOutcomeUnknownError).retryable).toBe(true);
    expect((await fx.engine.status(KEY)).state).not.toBe('needs_reauth');
    fx.clock.advance(5 * MINUTE);
    expect(await fx.server.isValidAccessToken(await fx.engine.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('invariant 5: invalid_grant after a sibling rotated -> adopt the sibling token set', async () => {
    const seeded = await fx.seed(60);
    const sibling = fx.server.seed();
    fx.engine = fx.makeEngine({
      onEvent: async (event) => {
        if (event.type === 'refresh_started' && event.attempt === 1 && event.source === 'current') {
          // Another holder rotates and the old refresh token dies before our call reaches Xero.
          const record = (await fx.ledger.read(KEY))!;
          await fx.ledger.write({ ...record, tokenSet: toTokenSet(sibling), lastRotationAt: fx.clock.now(), pending: null }, record.version);
          fx.server.revokeToken(seeded.refreshToken);
        }
      },
    });
    const token = await fx.engine.getAccessToken(KEY);
    expect(token).toBe(sibling.accessToken);
    const status = await fx.engine.status(KEY);
    expect(status.state).toBe('active');
    expect(status.history.map((h) => h.to)).toEqual(['active']);
  });

  test('invariant 5: invalid_grant with no sibling and no candidate -> needs_reauth once, tokens kept, no further token calls', async () => {
    await fx.seed(60);
    fx.server.revokeAll();
    const errors = await Promise.all(Array.from({ length: 10 }, () => rejectionOf(fx.engine.getAccessToken(KEY))));
    for (const error of errors) {
      expect(error).toBeInstanceOf(ConnectionStateError);
      expect((error as ConnectionStateError).state).toBe('needs_reauth');
      expect(error.message).toMatch(/needs to be reconnected/);
      // Host-neutral: no chain key, no host's button (each host adds its own step at the edge).
      expect(error.message).not.toContain(KEY);
      expect(error.message).not.toMatch(/Connect my account|Connect to Xero|n8n|Node-RED/);
    }
    expect(fx.server.calls).toBe(1);
    const other = fx.makeEngine();
    await expect(other.getAccessToken(KEY)).rejects.toBeInstanceOf(ConnectionStateError);
    fx.clock.advance(DAY);
    await expect(fx.engine.getAccessToken(KEY)).rejects.toBeInstanceOf(ConnectionStateError);
    expect(fx.server.calls).toBe(1);
    const status = await fx.engine.status(KEY);
    expect(status.history.filter((h) => h.to === 'needs_reauth')).toHaveLength(1);
    expect(fx.server.issuedTokens()).toContain((await fx.ledger.read(KEY))!.tokenSet.refreshToken);
  });

  test('invariant 3 (nothing forgotten): a live candidate is tried before the connection is declared broken', async () => {
    const seeded = await fx.seed(60);
    const spare = fx.server.seed();
    const record = (await fx.ledger.read(KEY))!;
    await fx.ledger.write({ ...record, candidates: [{ tokenSet: toTokenSet(spare), addedAt: fx.clock.now(), reason: 'test' }] }, record.version);
    fx.server.revokeToken(seeded.refreshToken);
    const token = await fx.engine.getAccessToken(KEY);
    expect(await fx.server.isValidAccessToken(token)).toBe(true);
    const after = (await fx.ledger.read(KEY))!;
    expect(after.state).toBe('active');
    // The rejected token set is kept, marked dead, never deleted.
    expect(after.candidates.some((c) => c.tokenSet.refreshToken === seeded.refreshToken && c.deadAt !== undefined)).toBe(true);
    // The candidate it used is spent now: retired, so it is never presented again as a dead token.
    expect(after.candidates.find((c) => c.tokenSet.refreshToken === spare.refreshToken)?.deadAt).toBeDefined();
  });

  test('invariant 7 (fencing): a holder whose lease expired mid-refresh cannot overwrite the newer token set; its set becomes a candidate', async () => {
    await fx.seed(60);
    let paused = false;
    const slow = fx.makeEngine({
      onEvent: async (event) => {
        fx.events.push(event);
        if (event.type === 'token_response' && !paused) {
          paused = true;
          // While this holder is "paused", its lease runs out and another process rotates.
          fx.clock.advance(fx.engine.policy.leaseTtlMs + SECOND);
          await fx.makeEngine().refresh(KEY, { force: true });
        }
      },
    });
    const before = fx.server.calls;
    await slow.getAccessToken(KEY);
    const record = (await fx.ledger.read(KEY))!;
    expect(fx.server.calls - before).toBe(2);
    expect(fx.events.some((e) => e.type === 'fenced')).toBe(true);
    // Under same-pair the fenced answer is the set the sibling stored: no second chance, so no candidate (Invariant 12).
    expect(record.candidates.some((c) => c.reason.includes('lease expired'))).toBe(mode !== 'same-pair');
    expect((await fx.server.isValidAccessToken(record.tokenSet.accessToken)) || mode === 'fresh-pair-revokes').toBe(true);
  });
});

describe('token engine invariants (grace-independent)', () => {
  beforeEach(async () => {
    fx = await makeFixture();
  });

  test('invariant 2 (write-ahead): the intent is stored before the token call and the result before it is used or the lease released', async () => {
    await fx.seed(60);
    await fx.engine.getAccessToken(KEY);
    const order = fx.events.map((e) => (e.type === 'ledger_written' ? `written:${e.why}` : e.type));
    expect(order.indexOf('written:intent')).toBeLessThan(order.indexOf('refresh_started'));
    expect(order.indexOf('written:rotated')).toBeGreaterThan(order.indexOf('token_response'));
    expect(order.indexOf('written:rotated')).toBeLessThan(order.indexOf('lease_released'));
  });

  test('invariant 2 (write-ahead): a token set that cannot be stored is never handed out', async () => {
    await fx.seed(60);
    const write = fx.ledger.write.bind(fx.ledger);
    let writes = 0;
    fx.ledger.write = async (record, expected) => {
      if (++writes === 2) throw new Error('disk full');
      return write(record, expected);
    };
    await expect(fx.engine.getAccessToken(KEY)).rejects.toThrow('disk full');
    fx.ledger.write = write;
    // The next call stores what this process kept in memory, with no second token call; another
    // process would retry the same refresh token inside the grace window.
    const calls = fx.server.calls;
    const token = await fx.engine.getAccessToken(KEY);
    expect(fx.server.calls).toBe(calls);
    expect(await fx.server.isValidAccessToken(token)).toBe(true);
    expect((await fx.ledger.read(KEY))!.tokenSet.accessToken).toBe(token);
    expect(fx.server.deadTokenUses).toBe(0);
  });

  test('invariant 6 (no uncoordinated refresh): lease not obtainable in time -> retryable busy error and zero token calls', async () => {
    await fx.seed(60);
    fx.clock.advance(2 * MINUTE);
    const held = await fx.ledger.acquireLease(KEY, { owner: 'other-process', ttlMs: 10 * MINUTE, waitMs: 0 });
    expect(held).not.toBeNull();
    const engine = fx.makeEngine({ policy: { leaseWaitMs: 2 * SECOND } });
    const error = await rejectionOf(engine.getAccessToken(KEY));
    expect(error).toBeInstanceOf(ConnectionBusyError);
    expect((error as ConnectionBusyError).retryable).toBe(true);
    expect(error.message).toMatch(/Another process is refreshing/);
    expect(fx.server.calls).toBe(0);
  });

  test('invariant 6: while waiting, a token the lease holder stored is used', async () => {
    await fx.seed(60);
    const held = (await fx.ledger.acquireLease(KEY, { owner: 'other-process', ttlMs: 10 * MINUTE, waitMs: 0 }))!;
    const fresh = fx.server.seed();
    const record = (await fx.ledger.read(KEY))!;
    await fx.ledger.write({ ...record, tokenSet: toTokenSet(fresh) }, record.version);
    const engine = fx.makeEngine({ policy: { leaseWaitMs: SECOND } });
    expect(await engine.getAccessToken(KEY)).toBe(fresh.accessToken);
    expect(fx.server.calls).toBe(0);
    await fx.ledger.releaseLease(held);
  });

  test('invariant 8 (ahead of time): refreshed under 5 minutes left, not before', async () => {
    await fx.seed(6 * 60);
    await fx.engine.getAccessToken(KEY);
    expect(fx.server.calls).toBe(0);
    fx.clock.advance(61 * SECOND);
    await fx.engine.getAccessToken(KEY);
    expect(fx.server.calls).toBe(1);
  });

  test('invariant 8: the JWT exp wins over a longer expires_in', async () => {
    const seeded = fx.server.seed();
    const payload = Buffer.from(JSON.stringify({ exp: Math.floor(fx.clock.now() / 1000) + 120 })).toString('base64url');
    await fx.engine.adoptGrant(KEY, toTokenSet({ ...seeded, accessToken: `h.${payload}.s`, expiresAt: fx.clock.now() + 1800_000, obtainedAt: fx.clock.now() }));
    // adoptGrant keeps the host's expiry; the parse path reads exp: check that path directly.
    const { parseTokenResponse } = await import('../../../src/xero');
    const parsed = parseTokenResponse(
      { status: 200, headers: {}, body: JSON.stringify({ access_token: `h.${payload}.s`, refresh_token: 'r', expires_in: 1800 }) },
      { now: fx.clock.now(), requireRefreshToken: true },
    );
    expect(parsed.ok && parsed.tokenSet.expiresAt).toBe(Math.floor(fx.clock.now() / 1000) * 1000 + 120_000);
  });

  test('invariant 8 (keep-alive): idle 59 days with the keep-alive sweep -> still alive', async () => {
    await fx.seed();
    for (let day = 1; day <= 59; day++) {
      fx.clock.advance(DAY);
      await fx.engine.keepAliveSweep();
    }
    expect(await fx.server.isValidAccessToken(await fx.engine.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(0);
    expect(fx.server.calls).toBeGreaterThanOrEqual(8);
    expect(fx.server.calls).toBeLessThanOrEqual(10);
  });

  test('invariant 8 (keep-alive): the same connection idle 61 days without keep-alive -> needs_reauth', async () => {
    await fx.seed();
    const engine = fx.makeEngine({ policy: { keepAliveAfterMs: null } });
    fx.clock.advance(61 * DAY);
    const error = await rejectionOf(engine.getAccessToken(KEY));
    expect(error).toBeInstanceOf(ConnectionStateError);
    expect((await engine.status(KEY)).state).toBe('needs_reauth');
    expect(error.message).toMatch(/60 days/);
  });

  test('invariant 9 (secrets at rest): ledger files, events and errors hold no token', async () => {
    const seeded = await fx.seed(60);
    await fx.engine.getAccessToken(KEY);
    fx.server.revokeAll();
    fx.clock.advance(31 * MINUTE);
    const error = await rejectionOf(fx.engine.getAccessToken(KEY));
    const record = (await fx.ledger.read(KEY))!;
    const everything = [
      readTree(fx.directory),
      JSON.stringify(fx.events),
      error.message,
      String(error.stack),
      JSON.stringify(await fx.engine.status(KEY)),
    ].join('\n');
    expect(fx.server.issuedTokens().length).toBeGreaterThanOrEqual(4);
    expect(fx.server.leaksToken(everything)).toBe(false);
    expect(everything).not.toContain(seeded.refreshToken);
    expect(everything).not.toContain(record.tokenSet.accessToken);
  });

  test('invariant 10 (warm path): 10,000 calls on a fresh token touch neither the ledger nor the network', async () => {
    await fx.seed();
    await fx.engine.getAccessToken(KEY);
    let ledgerCalls = 0;
    for (const method of ['read', 'write', 'acquireLease', 'renewLease', 'releaseLease', 'keys'] as const) {
      const original = fx.ledger[method].bind(fx.ledger) as (...args: unknown[]) => Promise<unknown>;
      (fx.ledger as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        ledgerCalls++;
        return original(...args);
      };
    }
    for (let i = 0; i < 10_000; i++) await fx.engine.getAccessToken(KEY);
    expect(ledgerCalls).toBe(0);
    expect(fx.server.calls).toBe(0);
  });
});
