import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINUTE } from '../../../src/clock';
import { LedgerCorruptError, LedgerKeyError, LedgerUnavailableError } from '../../../src/errors';
import { ConnectionStateError, RefreshOutcomeUnknownError, XeroUnreachableError } from '../../../src/engine';
import { FileLedger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { KEY, makeFixture, readTree, rejectionOf, toTokenSet, type Fixture } from '../../helpers/engine-fixture';
import { CLIENT } from '../../../tools/services/token-server';
import { makeReadOnly } from '../../helpers/read-only-dir';
import type { Fault } from '../../../tools/services/token-server';

let fx: Fixture;
beforeEach(async () => {
  fx = await makeFixture();
});
afterEach(async () => fx.close());

function connectionDir(): string {
  const [entry] = readdirSync(fx.directory);
  return join(fx.directory, entry);
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'base64')]));
}

describe('ledger faults', () => {
  test('a corrupt ledger file -> a clear error naming the file, the file kept byte for byte, no token call', async () => {
    await fx.seed(60);
    const dir = connectionDir();
    const doc = readdirSync(dir).find((n) => n.startsWith('doc.'))!;
    const path = join(dir, doc);
    writeFileSync(path, '{"format":"xero-guard-ledger", truncated');
    const before = readFileSync(path);
    const error = await rejectionOf(fx.makeEngine().getAccessToken(KEY));
    expect(error).toBeInstanceOf(LedgerCorruptError);
    expect(error.message).toBe(`Ledger file ${path} is not valid JSON (kept untouched; restore it or delete it to reconnect)`);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(fx.server.calls).toBe(0);
  });

  test('the wrong encryption key -> a clear error, nothing overwritten, no token call', async () => {
    await fx.seed(60);
    const dir = connectionDir();
    const before = snapshot(dir);
    const otherKey = new FileLedger({ directory: fx.directory, sealer: new Sealer('another-key'), clock: fx.clock });
    const engine = fx.makeEngine({ ledger: otherKey });
    const error = await rejectionOf(engine.getAccessToken(KEY));
    expect(error).toBeInstanceOf(LedgerKeyError);
    expect(error.message).toMatch(/was written with a different encryption key .*nothing was changed.*N8N_ENCRYPTION_KEY/);
    expect(error.message).toContain(dir);
    await expect(engine.adoptGrant(KEY, (await fx.ledger.read(KEY))!.tokenSet)).rejects.toBeInstanceOf(LedgerKeyError);
    expect(snapshot(dir)).toEqual(before);
    expect(fx.server.calls).toBe(0);
  });

  test('an unwritable ledger folder -> a clear error before any token call (never rotate what cannot be saved)', async () => {
    await fx.seed(60);
    const restore = makeReadOnly(connectionDir());
    try {
      const error = await rejectionOf(fx.makeEngine().getAccessToken(KEY));
      expect(error).toBeInstanceOf(LedgerUnavailableError);
      expect(error.message).toMatch(/Cannot .* for the Xero Guard file ledger at .*: E(PERM|ACCES)\. To fix: make .* writable/);
      expect(fx.server.calls).toBe(0);
    } finally {
      restore();
    }
  });

  test('a ledger folder that cannot be created -> a clear error naming it', async () => {
    const blocker = join(fx.directory, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const ledger = new FileLedger({ directory: join(blocker, 'ledger'), sealer: fx.sealer, clock: fx.clock });
    const error = await rejectionOf(
      fx.makeEngine({ ledger }).adoptGrant(KEY, { accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', scope: [], expiresAt: 1, obtainedAt: 1 }),
    );
    expect(error).toBeInstanceOf(LedgerUnavailableError);
    expect(error.message).toContain(join(blocker, 'ledger'));
  });
});

describe.each<[Fault, RegExp]>([
  ['no_refresh_token', /without a refresh_token \(the scopes must include offline_access\)/],
  ['non_numeric_expires_in', /with a non-numeric expires_in/],
  ['not_json', /the body is not a JSON object/],
])('token response fault %s', (fault, message) => {
  test('-> a clear error and the old chain untouched', async () => {
    const seeded = await fx.seed(60);
    fx.server.faults.push(fault, fault, fault);
    const error = await rejectionOf(fx.engine.getAccessToken(KEY));
    expect(error).toBeInstanceOf(RefreshOutcomeUnknownError);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/current token set is kept/);
    const record = (await fx.ledger.read(KEY))!;
    expect(record.tokenSet.refreshToken).toBe(seeded.refreshToken);
    expect(record.tokenSet.accessToken).toBe(seeded.accessToken);
    expect(record.state).toBe('active');
    expect(fx.server.leaksToken(error.message)).toBe(false);
    // The pending note keeps the grace window: a later caller gets a working chain without a dead-token use.
    fx.clock.advance(MINUTE);
    expect(await fx.server.isValidAccessToken(await fx.engine.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(0);
  });
});

test('invalid_client marks the connection misconfigured with the fix, clears the intent, and keeps the tokens', async () => {
  const seeded = await fx.seed(60);
  const engine = fx.makeEngine({ client: { clientId: 'TESTCLIENT', clientSecret: 'wrong' } });
  const error = await rejectionOf(engine.getAccessToken(KEY));
  expect(error.message).toMatch(/misconfigured: Xero does not recognise the client id and secret/);
  const record = (await fx.ledger.read(KEY))!;
  expect(record.state).toBe('misconfigured');
  expect(record.pending).toBeNull();
  expect(record.tokenSet.refreshToken).toBe(seeded.refreshToken);
  // A human fixes the secret and forces a retry.
  expect((await fx.engine.refresh(KEY, { force: true })).refreshed).toBe(true);
  expect((await fx.engine.status(KEY)).state).toBe('active');
});

test('invariant 4 (the grace window bounds the retries): a pending refresh older than the grace window is not retried: needs_reauth without presenting a dead token', async () => {
  await fx.seed(60);
  fx.server.faults.push('drop_after_issue', 'drop_after_issue', 'drop_after_issue');
  await expect(fx.engine.getAccessToken(KEY)).rejects.toBeInstanceOf(RefreshOutcomeUnknownError);
  fx.clock.advance(40 * MINUTE);
  const calls = fx.server.calls;
  const error = await rejectionOf(fx.engine.getAccessToken(KEY));
  expect(error.message).toMatch(/never got Xero's answer, and the 30-minute window to retry it has passed/);
  expect(fx.server.calls).toBe(calls);
  expect(fx.server.deadTokenUses).toBe(0);
});

test('adoptGrant with ifAbsent leaves an existing chain alone', async () => {
  await fx.seed(60);
  await fx.engine.getAccessToken(KEY);
  const rotated = (await fx.ledger.read(KEY))!;
  const status = await fx.engine.adoptGrant(KEY, { ...fx.server.seed(), tokenType: 'Bearer', scope: [] }, { ifAbsent: true });
  expect(status.version).toBe(rotated.version);
  expect((await fx.ledger.read(KEY))!.tokenSet.refreshToken).toBe(rotated.tokenSet.refreshToken);
});

test('adoptGrant refuses a token set without a refresh token for an authorization-code grant', async () => {
  await expect(fx.engine.adoptGrant(KEY, { accessToken: 'a', tokenType: 'Bearer', scope: [], expiresAt: 1, obtainedAt: 1 })).rejects.toThrow(/offline_access/);
});

describe('fixes from the engine review', () => {
  test('a token endpoint that cannot be reached spends nothing: retryable error, intent cleared, chain intact 40 minutes later', async () => {
    await fx.seed(60);
    const { XeroIdentityClient, fetchTransport } = await import('../../../src/xero');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    // The chain's own token URL, with the network delivering to a port where nothing listens (Invariant 16: another URL would not be tried at all).
    const dead = `http://127.0.0.1:${port}`;
    const unreachable: typeof fetchTransport = (request) => fetchTransport({ ...request, url: request.url.replace(new URL(fx.server.tokenUrl).origin, dead) });
    const offline = fx.makeEngine({
      identity: new XeroIdentityClient({ endpoints: { tokenUrl: fx.server.tokenUrl }, clock: fx.clock, transport: unreachable }),
    });
    const error = await rejectionOf(offline.getAccessToken(KEY));
    expect(error).toBeInstanceOf(XeroUnreachableError);
    expect((error as XeroUnreachableError).retryable).toBe(true);
    expect(error.message).toMatch(/could not be reached \(ECONNREFUSED\), so the refresh token was not used/);
    expect((await fx.ledger.read(KEY))!.pending).toBeNull();
    fx.clock.advance(40 * MINUTE);
    expect(await fx.server.isValidAccessToken(await fx.engine.getAccessToken(KEY))).toBe(true);
    expect((await fx.engine.status(KEY)).state).toBe('active');
  });

  test('a missing client id fails before the write-ahead intent, so no stale intent is left behind', async () => {
    await fx.seed(60);
    const unconfigured = fx.makeEngine({ client: undefined });
    await expect(unconfigured.getAccessToken(KEY)).rejects.toThrow(/no client id and secret are configured/);
    expect((await fx.ledger.read(KEY))!.pending).toBeNull();
    expect(fx.server.calls).toBe(0);
  });

  test('an observer that throws does not break a refresh', async () => {
    await fx.seed(60);
    const engine = fx.makeEngine({
      onEvent: () => {
        throw new Error('metrics backend down');
      },
    });
    expect(await fx.server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
  });

  test('a forced retry of a connection that needs reauth presents its refresh token once more, even an hour later', async () => {
    await fx.seed(60);
    fx.server.revokeAll();
    await expect(fx.engine.getAccessToken(KEY)).rejects.toBeInstanceOf(ConnectionStateError);
    fx.clock.advance(60 * MINUTE);
    const calls = fx.server.calls;
    await expect(fx.engine.refresh(KEY, { force: true })).rejects.toThrow(/needs to be reconnected/);
    expect(fx.server.calls).toBe(calls + 1);
    expect((await fx.engine.status(KEY)).history.filter((h) => h.to === 'needs_reauth')).toHaveLength(1);
  });

  test('a dead current token is not presented again while a candidate is retried', async () => {
    const seeded = await fx.seed(60);
    const spare = fx.server.seed();
    const record = (await fx.ledger.read(KEY))!;
    await fx.ledger.write({ ...record, candidates: [{ tokenSet: toTokenSet(spare), addedAt: fx.clock.now(), reason: 'test' }] }, record.version);
    fx.server.revokeToken(seeded.refreshToken);
    let faulted = false;
    const engine = fx.makeEngine({
      onEvent: (event) => {
        // The candidate's refresh meets a failing Xero, after the current token was rejected.
        if (event.type === 'refresh_started' && event.source === 'candidate' && !faulted) {
          faulted = true;
          fx.server.faults.push('status_500', 'status_500', 'status_500');
        }
      },
    });
    await expect(engine.getAccessToken(KEY)).rejects.toBeInstanceOf(RefreshOutcomeUnknownError);
    const deadUses = fx.server.deadTokenUses;
    expect(deadUses).toBe(1);
    expect(await fx.server.isValidAccessToken(await engine.getAccessToken(KEY))).toBe(true);
    expect(fx.server.deadTokenUses).toBe(deadUses);
  });

  test('the client secret never reaches an error, an event or the ledger', async () => {
    await fx.seed(60);
    fx.server.revokeAll();
    const error = await rejectionOf(fx.engine.getAccessToken(KEY));
    const everything = [error.message, String(error.stack), JSON.stringify(error), JSON.stringify(fx.events), readTree(fx.directory)].join('\n');
    expect(everything).not.toContain(CLIENT.clientSecret);
  });

  test('sealed tokens are ciphertext: no part of a ledger document decodes to a token', async () => {
    await fx.seed(60);
    await fx.engine.getAccessToken(KEY);
    const decoded = readTree(fx.directory)
      .split(/[^A-Za-z0-9_-]+/)
      .filter((part) => part.length > 16)
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('\n');
    expect(fx.server.issuedTokens().length).toBeGreaterThanOrEqual(4);
    expect(fx.server.leaksToken(decoded)).toBe(false);
  });
});
