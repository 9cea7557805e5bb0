/** What only the file event store has to get right: an append that died between its entry files and its state. */
import { promises as fs, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLedger, type InboxEntryInput, type InboxLimits } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';

const LIMITS: InboxLimits = { maxEntries: 100, memoryMs: 3_600_000, coverMs: 60_000, consumerIdleMs: 86_400_000 };
const entry = (n: number): InboxEntryInput => ({ id: `id-${n}`, resource: `t:INVOICE:r${n}`, at: n, source: 'xero', payload: { n } });

describe('file event store', () => {
  let directory: string;
  let ledger: FileLedger;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'xg-file-events-'));
    ledger = new FileLedger({ directory, sealer: new Sealer('unit-key', { keyKind: 'random' }) });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  test('an append that died after publishing its entries and before its state is folded back in: its ids stay seen, positions go on', async () => {
    const store = ledger.eventStore();
    await store.openConsumer('app', 'c1', 'head', 1);
    await store.append('app', [entry(1)], 1, LIMITS);
    const [inboxDir] = readdirSync(join(directory, 'events')).filter((n) => n.startsWith('inbox-'));
    const statePath = join(directory, 'events', inboxDir, 'state.json');
    const before = await fs.readFile(statePath, 'utf8');
    await store.append('app', [entry(2), entry(3)], 2, LIMITS);
    // The crash: entries 2 and 3 are published, the state that records them was never written.
    await fs.writeFile(statePath, before);
    const again = await ledger.eventStore().append('app', [entry(3), entry(4)], 3, LIMITS);
    expect(again).toMatchObject({ duplicates: 1 });
    expect(again.appended.map((e) => [e.id, e.position])).toEqual([['id-4', 4]]);
    const claim = await store.claimBatch('app', 'c1', { owner: 'p', max: 10, ttlMs: 1000, now: 4 });
    expect(claim.status === 'claimed' && claim.entries.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
  });

  test('events live in <folder>/events, apart from the connection folders the ledger lists', async () => {
    await ledger.eventStore().append('app', [entry(1)], 1, LIMITS);
    await ledger.eventStore().claimKeys('poll:wf', ['k'], { owner: 'p', ttlMs: 1000, now: 1 });
    expect(
      readdirSync(join(directory, 'events'))
        .map((n) => n.replace(/-[0-9a-f]{32}$/, ''))
        .sort(),
    ).toEqual(['claims', 'inbox']);
    expect(await ledger.keys()).toEqual([]);
  });
});
