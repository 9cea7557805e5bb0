import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionBusyError } from '../../../src/engine';
import { listFleet, recordCheck } from '../../../src/fleet';
import { cleanDisplayName, decodeRecord, encodeRecord, FileLedger, MAX_DISPLAY_NAME_LENGTH } from '../../../src/ledger';
import { KEY, makeFixture, rejectionOf, toTokenSet, type Fixture } from '../../helpers/engine-fixture';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(() => f.close());

/** The newest stored document of KEY, as JSON on disk. */
function storedDocument(): { path: string; doc: Record<string, unknown> } {
  const [dir] = readdirSync(f.directory);
  const name = readdirSync(join(f.directory, dir))
    .filter((n) => n.startsWith('doc.'))
    .sort()
    .at(-1) as string;
  const path = join(f.directory, dir, name);
  return { path, doc: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
}

describe('display names stored with the chain', () => {
  test('adoptGrant stores the name in clear next to the chain; status and a reconnect keep it', async () => {
    const seeded = f.server.seed();
    const status = await f.engine.adoptGrant(KEY, toTokenSet(seeded), { displayName: '  Acme   Books\n(Xero) ' });
    expect(status.displayName).toBe('Acme Books (Xero)');
    expect(storedDocument().doc.displayName).toBe('Acme Books (Xero)');
    // A reconnect (new grant on the same key) without a name keeps the name.
    await f.engine.adoptGrant(KEY, toTokenSet(f.server.seed()));
    expect((await f.engine.status(KEY)).displayName).toBe('Acme Books (Xero)');
    // With a name, takes it.
    await f.engine.adoptGrant(KEY, toTokenSet(f.server.seed()), { displayName: 'Acme Books 2' });
    expect((await f.engine.status(KEY)).displayName).toBe('Acme Books 2');
  });

  test('a host calling adoptGrant(ifAbsent) on every request stores a renamed credential, with one write and none when unchanged', async () => {
    const seeded = f.server.seed();
    await f.engine.adoptGrant(KEY, toTokenSet(seeded), { displayName: 'Old name' });
    const v1 = (await f.ledger.read(KEY))!.version;
    await f.engine.adoptGrant(KEY, toTokenSet(seeded), { ifAbsent: true, displayName: 'Old name' });
    expect((await f.ledger.read(KEY))!.version).toBe(v1);
    const status = await f.engine.adoptGrant(KEY, toTokenSet(seeded), { ifAbsent: true, displayName: 'New name' });
    expect(status.displayName).toBe('New name');
    expect((await f.ledger.read(KEY))!.version).toBe(v1 + 1);
    // Without the option, nothing about the name changes.
    await f.engine.adoptGrant(KEY, toTokenSet(seeded), { ifAbsent: true });
    expect((await f.engine.status(KEY)).displayName).toBe('New name');
  });

  test('a rename never writes while another process holds the refresh lease: adoptGrant goes on without it, setDisplayName reports busy', async () => {
    const seeded = f.server.seed();
    await f.engine.adoptGrant(KEY, toTokenSet(seeded), { displayName: 'Before' });
    const version = (await f.ledger.read(KEY))!.version;
    const lease = await f.ledger.acquireLease(KEY, { owner: 'other-process', ttlMs: 30_000, waitMs: 0 });
    expect(lease).not.toBeNull();
    const status = await f.engine.adoptGrant(KEY, toTokenSet(seeded), { ifAbsent: true, displayName: 'After' });
    expect(status.displayName).toBe('Before');
    const engine = f.makeEngine({ policy: { leaseWaitMs: 50 } });
    expect(await rejectionOf(engine.setDisplayName(KEY, 'After'))).toBeInstanceOf(ConnectionBusyError);
    expect((await f.ledger.read(KEY))!.version).toBe(version);
    await f.ledger.releaseLease(lease!);
    expect((await engine.setDisplayName(KEY, 'After')).displayName).toBe('After');
    // null removes the name.
    expect((await engine.setDisplayName(KEY, null)).displayName).toBeNull();
    expect(storedDocument().doc).not.toHaveProperty('displayName');
  });

  test('setDisplayName on a connection that is not stored says so', async () => {
    const error = await rejectionOf(f.engine.setDisplayName('xero:none:none', 'x'));
    expect(error.message).toMatch(/not stored in the ledger/);
    // The key is for code and logs, not for the message a user reads.
    expect(error).toMatchObject({ code: 'NOT_CONNECTED', connectionKey: 'xero:none:none' });
  });

  test('names are cleaned: blank is no name, control characters fold, very long names are cut', () => {
    expect(cleanDisplayName('   ')).toBeNull();
    expect(cleanDisplayName(42)).toBeNull();
    expect(cleanDisplayName('a\u0000\u0007b')).toBe('a b');
    const long = cleanDisplayName('x'.repeat(500)) as string;
    expect(long).toHaveLength(MAX_DISPLAY_NAME_LENGTH);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('records written before display names existed', () => {
  test('decode without the field, encode without it, and list under the organisations they reach, never the internal key when that is known', async () => {
    const seeded = f.server.seed();
    await f.engine.adoptGrant(KEY, toTokenSet(seeded));
    const { path, doc } = storedDocument();
    expect(doc).not.toHaveProperty('displayName');
    const decoded = await decodeRecord(doc, f.sealer, { key: KEY, version: Number(doc.version), where: 'test', restoreHint: 'restore it' });
    expect(decoded).not.toHaveProperty('displayName');
    expect(await encodeRecord(decoded, f.sealer)).not.toHaveProperty('displayName');
    // An older release's document has exactly the fields of format 1: still read as before.
    writeFileSync(path, JSON.stringify({ ...doc, displayName: undefined }));
    expect((await f.ledger.read(KEY))!.tokenSet.refreshToken).toBe(seeded.refreshToken);

    let listing = await listFleet(f.ledger, { clock: f.clock });
    expect(listing.chains[0]).toMatchObject({ name: KEY, nameSource: 'key' });
    await recordCheck(
      f.ledger as FileLedger,
      KEY,
      {
        status: 'connected',
        tenants: ['Acme Ltd', 'Beta Ltd', 'Gamma Ltd'].map((name, i) => ({
          tenantId: `t${i}`,
          tenantName: name,
          tenantType: 'ORGANISATION',
          connectionId: `c${i}`,
          createdDateUtc: null,
          updatedDateUtc: null,
        })),
      },
      f.clock,
    );
    listing = await listFleet(f.ledger, { clock: f.clock });
    expect(listing.chains[0]).toMatchObject({ name: 'Xero: Acme Ltd, Beta Ltd and 1 more', nameSource: 'organisations' });
  });
});
