/** xero-guard-ledger --key-kind: how the destination seals, while the source is read as it was written. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/xero-guard-ledger';
import { FIXTURE_KEYS, FIXTURE_SECRET } from '../../fixtures/ledger-0.1.0/records';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l), env: { XG_KEY: FIXTURE_SECRET } } };
}

function kdfsIn(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) =>
    readdirSync(join(directory, entry))
      .filter((n) => n.startsWith('doc.'))
      .map((n) => (JSON.parse(readFileSync(join(directory, entry, n), 'utf8')) as { kdf?: { name: string } }).kdf?.name ?? 'none'),
  );
}

it.each([
  ['random', 'hkdf-sha256'],
  ['passphrase', 'scrypt'],
])('migrates a 0.1.0 file ledger into one sealed for a %s key', async (keyKind, kdf) => {
  const from = mkdtempSync(join(tmpdir(), 'xg-mig-from-'));
  const to = mkdtempSync(join(tmpdir(), 'xg-mig-to-'));
  dirs.push(from, to);
  cpSync(join(__dirname, '../../fixtures/ledger-0.1.0/file'), from, { recursive: true });
  const { io: streams, err } = io();
  const code = await main(['migrate', '--from', `file:${from}`, '--to', `file:${to}`, '--encryption-key-env', 'XG_KEY', '--key-kind', keyKind], streams);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  expect(kdfsIn(to)).toEqual(FIXTURE_KEYS.map(() => kdf));
});

it('refuses a key kind it does not know, with exit status 2', async () => {
  const { io: streams, err } = io();
  expect(await main(['list', '--from', 'file:/tmp/xg-none', '--encryption-key-env', 'XG_KEY', '--key-kind', 'weak'], streams)).toBe(2);
  expect(err.join('\n')).toMatch(/--key-kind must be "random" or "passphrase"/);
});
