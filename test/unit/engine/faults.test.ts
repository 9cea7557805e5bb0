import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINUTE } from '../../../src/clock';
import { LedgerCorruptError, LedgerKeyError, LedgerUnavailableError } from '../../../src/errors';
import { RefreshOutcomeUnknownError } from '../../../src/engine';
import { FileLedger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { KEY, makeFixture, rejectionOf, type Fixture } from '../../helpers/engine-fixture';
import { makeReadOnly } from '../../helpers/read-only-dir';
import type { Fault } from '../../helpers/token-server';

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
    const error = await rejectionOf(fx.makeEngine({ ledger }).adoptGrant(KEY, { accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', scope: [], expiresAt: 1, obtainedAt: 1 }));
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

test('a pending refresh older than the grace window is not retried: needs_reauth without presenting a dead token', async () => {
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

test('adoptGrant of a reconnect supersedes the old chain and keeps its tokens as a candidate', async () => {
  await fx.seed();
  const fresh = fx.server.seed();
  await fx.engine.adoptGrant('xero:TESTCLIENT:new-root', { ...fresh, tokenType: 'Bearer', scope: [] }, { supersedes: [KEY] });
  const old = await fx.engine.status(KEY);
  expect(old.state).toBe('superseded');
  await expect(fx.engine.getAccessToken(KEY)).rejects.toThrow(/replaced by a newer connection/);
  expect(await fx.engine.getAccessToken('xero:TESTCLIENT:new-root')).toBe(fresh.accessToken);
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
