/**
 * Each Xero app's connections against its tier's cap, from the ledger alone (issue 28): organisations
 * counted once per app across its chains (an n8n chain by its key, a Node-RED chain by its token's
 * client_id claim), each app against the tier its chains noted (the viewer's own setting winning), shown
 * by a fingerprint and never by the client id; the watch's events once each way up, in the host's words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/xero-guard-ledger';
import { ManualClock, MINUTE } from '../../../src/clock';
import { appLabel, capSummary, ledgerCapReports, noteTier, recordCheck, shownCapReport } from '../../../src/fleet';
import { capWatchStep } from '../../../src/host';
import { createLedger, hasChainNotes, ledgerOptionsFromUrl, MemoryLedger, type ConnectionRecord } from '../../../src/ledger';
import { N8N_WORDS } from '../../../nodes/shared/node-support';

const START = Date.UTC(2026, 4, 1, 12, 0, 0);
const APP = 'XEROGUARDCAPAPP00000000000000001';
const OTHER = 'XEROGUARDCAPAPP00000000000000002';

/** An unsigned JWT carrying the claims a count reads (the claim is never verified: it only groups chains). */
const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

function record(key: string, accessToken: string): ConnectionRecord {
  return {
    key,
    version: 0,
    grant: 'authorization_code',
    state: 'active',
    stateReason: null,
    tokenSet: { accessToken, refreshToken: `RT-${key}`, tokenType: 'Bearer', scope: ['offline_access'], expiresAt: START + 20 * MINUTE, obtainedAt: START },
    lastRotationAt: START,
    pending: null,
    candidates: [],
    history: [],
    createdAt: START,
    updatedAt: START,
  };
}

const org = (n: number) => ({
  tenantId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  tenantName: `Client ${n}`,
  tenantType: 'ORGANISATION',
  connectionId: `c-${n}`,
  createdDateUtc: null,
  updatedDateUtc: null,
});

describe('ledgerCapReports', () => {
  const clock = new ManualClock(START);

  async function ledgerWith(chains: Array<{ key: string; token?: string; orgs: number[] | null }>): Promise<MemoryLedger> {
    const ledger = new MemoryLedger({ clock });
    for (const c of chains) {
      await ledger.write(record(c.key, c.token ?? 'opaque'), 0);
      if (c.orgs) await recordCheck(ledger, c.key, { status: 'connected', tenants: c.orgs.map(org) }, clock);
    }
    return ledger;
  }

  test("counts each organisation once per app across its chains, n8n's by key and Node-RED's by the token's client_id", async () => {
    const ledger = await ledgerWith([
      { key: `xero:${APP}:aaaa`, orgs: [1, 2] },
      { key: `xero:${APP}:bbbb`, orgs: [2, 3] },
      { key: 'node-red-node-id-1', token: jwt({ client_id: APP }), orgs: [4] },
      { key: `xero:${APP}:cccc`, orgs: null },
      { key: `xero:${OTHER}:dddd`, orgs: [9] },
    ]);
    const reports = await ledgerCapReports(ledger);
    expect(reports.map((r) => [r.clientId, r.tier, r.connected, r.level, r.chainsNotCounted])).toEqual([
      [APP, 'starter', 4, 'cap_minus_one', 1],
      [OTHER, 'starter', 1, 'ok', 0],
    ]);
  });

  test("each app against the highest tier its chains noted; the viewer's own setting wins for its app; --tier for all", async () => {
    const ledger = await ledgerWith([
      { key: `xero:${APP}:aaaa`, orgs: [1, 2, 3, 4, 5] },
      { key: `xero:${OTHER}:dddd`, orgs: [9] },
    ]);
    await noteTier(ledger, `xero:${APP}:aaaa`, 'core', START);
    expect((await ledgerCapReports(ledger)).map((r) => [r.tier, r.level])).toEqual([
      ['core', 'ok'],
      ['starter', 'ok'],
    ]);
    const own = { key: `xero:${APP}:aaaa`, clientId: APP, tier: 'starter' as const };
    expect((await ledgerCapReports(ledger, { own, onlyClientId: APP })).map((r) => [r.clientId, r.tier, r.level])).toEqual([[APP, 'starter', 'at_cap']]);
    // A check just made stands for the chain's note.
    expect((await ledgerCapReports(ledger, { own: { ...own, tenantIds: [org(1).tenantId] }, onlyClientId: APP }))[0]?.connected).toBe(1);
    expect((await ledgerCapReports(ledger, { force: 'advanced' })).map((r) => r.tier)).toEqual(['advanced', 'advanced']);
  });

  test('shown: the app by a fingerprint, never the client id or the organisations; one sentence for each level', async () => {
    const ledger = await ledgerWith([{ key: `xero:${APP}:aaaa`, orgs: [1, 2, 3, 4, 5, 6] }]);
    const [report] = await ledgerCapReports(ledger);
    const shown = shownCapReport(report!);
    expect(shown).toMatchObject({ app: appLabel(APP), tierName: 'Starter', connected: 6, cap: 5, remaining: 0, level: 'over_cap' });
    expect(shown.app).toMatch(/^app [0-9a-f]{8}$/);
    expect(JSON.stringify(shown)).not.toContain(APP);
    expect(JSON.stringify(shown)).not.toContain(org(1).tenantId);
    expect(shown.summary).toMatch(/more than the tier allows, so the tier setting is probably lower/);
    const at = { tierName: 'Starter', cap: 5, chainsNotCounted: 0 };
    expect(capSummary({ ...at, connected: 4, level: 'cap_minus_one' })).toBe(
      "4 of 5 connections in use on Xero's Starter tier: one more organisation can be connected.",
    );
    expect(capSummary({ ...at, connected: 5, level: 'at_cap' })).toMatch(/next organisation's consent will end on Xero's "connection limit" page/);
    expect(capSummary({ tierName: 'Enterprise', cap: null, chainsNotCounted: 0, connected: 12, level: 'ok' })).toMatch(/no connection limit/);
  });
});

describe('capWatchStep', () => {
  const texts = { words: N8N_WORDS, connectionName: 'Practice books', link: 'http://n8n.local/home/credentials/c1', secrets: ['SECRET-CANARY'] };
  const report = (connected: number) => ({
    clientId: APP,
    tier: 'starter' as const,
    tierName: 'Starter',
    connected,
    cap: 5,
    remaining: Math.max(0, 5 - connected),
    level: (connected === 4 ? 'cap_minus_one' : connected >= 5 ? 'at_cap' : 'ok') as 'ok' | 'cap_minus_one' | 'at_cap',
    chainsNotCounted: 0,
    tenantIds: [],
  });

  test('one event at cap minus one and one at the cap, each once, with the fix in n8n words; the memory holds no client id', () => {
    let memory = null;
    const seen: string[] = [];
    for (const connected of [3, 4, 4, 5, 5, 5]) {
      const step = capWatchStep(memory, [report(connected)], START, texts);
      memory = step.state;
      seen.push(...step.events.map((e) => `${e.kind}@${connected}`));
      for (const event of step.events) {
        expect(event.alert.message).toMatch(/^Xero credential "Practice books": the Xero app has/);
        expect(event.alert.advice).toMatch(
          /^Remove a connection you no longer use at Xero .* or move the app to a higher tier .*set the tier in the credential/,
        );
        expect(JSON.stringify(event)).not.toContain(APP);
      }
    }
    expect(seen).toEqual(['connection_cap_near@4', 'connection_cap_reached@5']);
    expect(JSON.stringify(memory)).not.toContain(APP);
    // A connection removed arms it again.
    const down = capWatchStep(memory, [report(3)], START, texts);
    expect(capWatchStep(down.state, [report(4)], START, texts).events.map((e) => e.kind)).toEqual(['connection_cap_near']);
  });
});

describe('xero-guard-ledger status: each app against its cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xg-caps-status-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const KEY = 'caps-status-key';

  async function status(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['status', '--ledger', `file:${dir}`, '--encryption-key-env', 'XG_CAPS_KEY', ...args], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { XG_CAPS_KEY: KEY },
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  test('one line per app by its fingerprint, counted against the tier its chains noted or --tier; no client id anywhere', async () => {
    const clock = new ManualClock(START);
    const ledger = await createLedger({ ...ledgerOptionsFromUrl(`file:${dir}`, KEY), clock });
    if (!hasChainNotes(ledger)) throw new Error('the file ledger keeps notes');
    for (const [key, orgs] of [
      [`xero:${APP}:aaaa`, [1, 2]],
      [`xero:${APP}:bbbb`, [3, 4]],
    ] as const) {
      await ledger.write({ ...record(key, 'opaque'), displayName: `Books ${key.slice(-4)}` }, 0);
      await recordCheck(ledger, key, { status: 'connected', tenants: orgs.map(org) }, clock);
    }
    await ledger.close();
    const table = await status([]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`  ${appLabel(APP)}: 4 of 5 connections in use on Xero's Starter tier: one more organisation can be connected.`);
    expect(table.stdout).not.toContain(APP);
    const json = JSON.parse((await status(['--json', '--tier', 'core'])).stdout) as { apps: unknown[] };
    expect(json.apps).toEqual([expect.objectContaining({ app: appLabel(APP), tier: 'core', connected: 4, cap: 50, level: 'ok' })]);
    expect(JSON.stringify(json)).not.toContain(APP);
    expect(await status(['--tier', 'gold'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--tier must be one of starter, core, plus, advanced, enterprise'),
    });
  });
});
