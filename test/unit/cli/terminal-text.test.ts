/**
 * What the command line tools print reaches an operator's terminal, and a terminal obeys control characters
 * wherever they come from (issue 24, item 8): an organisation's name in Xero, a reason kept in a ledger, a node
 * name in a shared workflow, a file name, a server's answer. Each command is run as a user runs it, with a
 * hostile value planted where it comes from; nothing it prints may hold a raw control character, and JSON
 * output stays JSON with the same value.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as ledgerMain } from '../../../cli/xero-guard-ledger';
import { main as convertMain } from '../../../cli/xero-guard-n8n';
import { main as simMain } from '../../../cli/xero-guard-sim';
import { createLedger } from '../../../src/ledger/create-ledger';
import type { ConnectionRecord } from '../../../src/ledger/types';
import { TENANTS_NOTE } from '../../../src/fleet/notes';
import { escapeControls, escapeControlsInLines } from '../../../src/terminal-text';
import { folderPerTest } from '../n8n/converter/sample-workflow';

/** Retitles the window, clears the screen, moves the cursor up, rings the bell, C1 CSI, a fake row, a bidi override. */
const HOSTILE = '\u001b]0;owned\u0007Acme\u001b[2J\u001b[1A\u009b31m\r\nfake row\u202eevil';
// eslint-disable-next-line no-control-regex -- finding raw control characters in the output is the test
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('escapeControls', () => {
  test('shows every control character as its JSON escape, and leaves other text as it is', () => {
    expect(escapeControls(HOSTILE)).toBe('\\u001b]0;owned\\u0007Acme\\u001b[2J\\u001b[1A\\u009b31m\\r\\nfake row\\u202eevil');
    expect(escapeControls('Ngā Tāngata Ltd · 株式会社 · 🧾 \\ "q"')).toBe('Ngā Tāngata Ltd · 株式会社 · 🧾 \\ "q"');
    expect(escapeControls('a\tb\u007f\u2028')).toBe('a\\tb\\u007f\\u2028');
  });

  test('is idempotent, so text escaped on its way in is not escaped twice', () => {
    expect(escapeControls(escapeControls(HOSTILE))).toBe(escapeControls(HOSTILE));
  });

  test('escapeControlsInLines keeps a block’s own line breaks and tabs and escapes the rest', () => {
    expect(escapeControlsInLines('NAME\tSTATE\nAcme\u001b[2J\tactive\r')).toBe('NAME\tSTATE\nAcme\\u001b[2J\tactive\\r');
  });

  test('JSON printed through it stays JSON with the same value', () => {
    const value = { name: HOSTILE, list: ['\u009b', '\u202e', '\u2028'] };
    const printed = escapeControlsInLines(JSON.stringify(value, null, 2));
    expect(printed).not.toMatch(RAW);
    expect(JSON.parse(printed)).toEqual(value);
  });
});

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
};

describe('xero-guard-ledger', () => {
  const KEY = 'ledger-escaping-test-key';
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xg-escape-ledger-'));
    const ledger = await createLedger({ kind: 'file', directory: dir, encryptionKey: KEY });
    const now = Date.now();
    const record: ConnectionRecord = {
      key: `xero:client\u001b[2J:authorization_code`,
      version: 0,
      grant: 'authorization_code',
      state: 'needs_reauth',
      stateReason: `Xero rejected the refresh token for ${HOSTILE}`,
      tokenSet: { accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', scope: [], expiresAt: now, obtainedAt: now },
      lastRotationAt: now,
      pending: null,
      candidates: [],
      history: [],
      createdAt: now,
      updatedAt: now,
      displayName: `Books ${HOSTILE}`,
    };
    expect((await ledger.write(record, 0)).ok).toBe(true);
    const notes = ledger as unknown as { writeNotes(key: string, fields: Record<string, unknown>): Promise<void> };
    await notes.writeNotes(record.key, { [TENANTS_NOTE]: { at: now, tenants: [{ tenantId: 't1', tenantName: HOSTILE, tenantType: 'ORGANISATION' }] } });
    await ledger.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[]) => {
    const c = capture();
    const code = await ledgerMain(args, { ...c.io, env: { XG_ESCAPE_KEY: KEY } });
    return { code, stdout: c.out.join('\n'), stderr: c.err.join('\n') };
  };

  test('status: the organisation name, the connection name and the reason are shown escaped, one row per connection', async () => {
    const r = await run(['status', '--ledger', `file:${dir}`, '--encryption-key-env', 'XG_ESCAPE_KEY']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('Books \\u001b]0;owned\\u0007Acme\\u001b[2J');
    expect(r.stdout).toContain('\\u001b]0;owned\\u0007Acme');
    expect(r.stdout).toContain('Xero rejected the refresh token for \\u001b]0;owned\\u0007Acme\\u001b[2J\\u001b[1A\\u009b31m\\r');
    // The summary, a blank line, the header and one row: the \r\n in the names added no row.
    expect(r.stdout.split('\n')).toHaveLength(4);
  });

  test('status --json: JSON with the values as they are', async () => {
    const r = await run(['status', '--ledger', `file:${dir}`, '--encryption-key-env', 'XG_ESCAPE_KEY', '--json']);
    expect(r.stdout).not.toMatch(RAW);
    const listing = JSON.parse(r.stdout) as { chains: Array<{ name: string; reason: string; organisations: Array<{ tenantName: string }> }> };
    expect(listing.chains[0].organisations[0].tenantName).toBe(HOSTILE);
    expect(listing.chains[0].reason).toContain(HOSTILE);
  });

  test('list and migrate: the connection key is shown escaped', async () => {
    const list = await run(['list', '--from', `file:${dir}`, '--encryption-key-env', 'XG_ESCAPE_KEY']);
    expect(list.stdout).toBe('xero:client\\u001b[2J:authorization_code\tversion 1\tneeds_reauth');
    const to = mkdtempSync(join(tmpdir(), 'xg-escape-to-'));
    try {
      const migrate = await run(['migrate', '--from', `file:${dir}`, '--to', `file:${to}`, '--encryption-key-env', 'XG_ESCAPE_KEY']);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).not.toMatch(RAW);
      expect(migrate.stdout).toContain('xero:client\\u001b[2J:authorization_code');
    } finally {
      rmSync(to, { recursive: true, force: true });
    }
  });

  test('errors: a ledger location with control characters is shown escaped', async () => {
    const r = await run(['status', '--ledger', `file:${dir}/\u001b]0;x\u0007`, '--encryption-key-env', 'XG_ESCAPE_KEY']);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(RAW);
    expect(r.stdout).toContain('\\u001b]0;x\\u0007');
  });
});

describe('xero-guard-n8n convert-workflows', () => {
  const folder = folderPerTest('xg-escape-convert-');

  test('node, workflow, field and file names from a shared workflow are shown escaped in the report and in refusals', async () => {
    const workflow = {
      name: `Invoices ${HOSTILE}`,
      nodes: [
        {
          name: `Xero ${HOSTILE}`,
          type: 'n8n-nodes-base.xero',
          typeVersion: 1,
          position: [0, 0],
          parameters: { resource: 'contact', operation: 'get', [`x${HOSTILE}`]: 1 },
        },
        {
          name: `Code ${HOSTILE}`,
          type: 'n8n-nodes-base.code',
          typeVersion: 2,
          position: [200, 0],
          parameters: { jsCode: `return $json.Date.replace('/Date(', '') // ${HOSTILE}` },
        },
      ],
      connections: { [`Xero ${HOSTILE}`]: { main: [[{ node: `Code ${HOSTILE}`, type: 'main', index: 0 }]] } },
    };
    writeFileSync(join(folder(), `w${HOSTILE}.json`), JSON.stringify(workflow));
    writeFileSync(join(folder(), `bad${HOSTILE}.json`), '{');
    const c = capture();
    expect(await convertMain(['convert-workflows', folder(), '--credential', `G ${HOSTILE}`], c.io)).toBe(1);
    const printed = [...c.out, ...c.err];
    expect(printed.join('\n')).not.toMatch(RAW);
    // One line per thing reported: the \n in the names did not add any.
    expect(c.out.map((l) => l.split(':')[0].trim())).toEqual([expect.stringContaining('w\\u001b]0;owned'), 'converted', 'left alone', 'warning']);
    expect(c.err).toEqual([expect.stringMatching(/^refused: .*bad\\u001b\]0;owned\\u0007.*is not valid JSON/)]);
  });

  test('an unknown command or option is shown escaped', async () => {
    const c = capture();
    await convertMain([`\u001b[2J`], c.io);
    await convertMain(['convert-workflows', 'x', `--\u001b[2J`], c.io);
    expect(c.err.join('\n')).not.toMatch(RAW);
    expect(c.err.join('\n')).toContain('Unknown command "\\u001b[2J"');
  });
});

describe('xero-guard-sim seed', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`refused ${HOSTILE}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a server's answer is shown escaped", async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    try {
      expect(await simMain(['seed', '--url', url, '--tenant', 't1'])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).not.toMatch(RAW);
    expect(written.join('')).toContain('The simulator refused the seed (HTTP 500): refused \\u001b]0;owned\\u0007Acme');
  });
});
