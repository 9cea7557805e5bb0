/**
 * One table of Xero answers, run through both wings' connection watches: n8n's Connection Trigger
 * (its poll, through the n8n fixture) and Node-RED's `xero connection watch` (in a real Node-RED
 * runtime, node-red-node-test-helper), each against its own simulator over HTTP in the same
 * world: one user whose grant reaches two organisations. Each step changes that world the same way
 * in both (an organisation disconnected, refused with a 403, every organisation refused, few calls
 * left, the day rolling over, the grant revoked, a reconnect) and polls once. Both wings must
 * report the events the table names, with the same texts once each host's words (and its link)
 * are set aside, and make the same token rotations. The two watches drifted apart before they
 * became one step; this fails if either drifts again.
 */
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { N8N_WORDS } from '../../nodes/shared/node-support';
import { XeroGuardConnectionTrigger } from '../../nodes/XeroGuardConnectionTrigger/XeroGuardConnectionTrigger.node';
import { NODE_RED_WORDS } from '../../node-red/lib/status';
import { DAY, MINUTE, OffsetClock } from '../../src/clock';
import type { AlertWords } from '../../src/host';
import {
  SIMULATOR_DEFAULT_SCOPES,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  SECOND_TENANT_ID,
  startSimulator,
  type Simulator,
} from '../../src/simulator';
import { fakeContext, makeN8nFixture, NODE, type N8nFixture } from '../unit/n8n/n8n-fixture';
import { allowAtSimulator, callbackIn, connectionNode, expectNoSecrets, inputDone, issuedSecrets, startConnect } from './support';

const helper = require('node-red-node-test-helper');
const NODES = ['xero-connection', 'xero-connection-watch'].map((name) => require(`../../node-red/${name}`));

helper.init(require.resolve('node-red'));

const USER = 'parity@xero-guard.test';
const NAME = 'Acme books';
const DEMO = 'Demo Company (NZ)';
const SECOND = 'Guard Test Ltd (AU)';
const N8N_LINK = 'http://localhost:5678/home/credentials/cred-parity';
const NODE_RED_EDITOR = 'http://127.0.0.1:1880';

/** What a step may do to the world of one wing. */
interface World {
  sim: Simulator;
  clock: OffsetClock;
  /** The user connects again (n8n: "Switch account" stores a new grant; Node-RED: "Connect to Xero"), granting all it asks but `withoutScopes`. */
  reconnect(withoutScopes?: string[]): Promise<void>;
}

/** One event as both wings must report it, and its texts. */
/** An alert as the Node-RED watch sends it: the fields compared here (an organisation's and a budget's alert name it). */
interface WatchAlert {
  topic: string;
  payload: { organisation?: { tenantName: string }; title: string; advice?: string | null; message: string; summary: string };
}

interface Seen {
  what: string;
  title: string;
  advice: string | null;
  message: string;
  /** The one line a host shows first (n8n: `reason`, Node-RED: `summary`). */
  summary: string;
}

/** A wing: set up once, polled once per step. */
interface Wing {
  world: World;
  poll(): Promise<Seen[]>;
  words: AlertWords;
  link: string;
}

const THIRD = { tenantId: '00000000-0000-4000-8000-0000000000c3', name: 'Third Client Ltd' };
const FOURTH = { tenantId: '00000000-0000-4000-8000-0000000000c4', name: 'Fourth Client Ltd' };
const FIFTH = { tenantId: '00000000-0000-4000-8000-0000000000c5', name: 'Fifth Client Ltd' };

const connectionOf = (sim: Simulator, tenantId: string) => sim.connections().find((c) => c.tenantId === tenantId)!.id;

/** The table: what changes in Xero, and the events that change is (scope:kind:organisation). */
const TABLE: Array<{ step: string; act?: (w: World) => void | Promise<void>; events: string[] }> = [
  { step: 'the first poll of a healthy connection', events: [] },
  {
    step: 'one organisation disconnected from the app in Xero',
    act: ({ sim }) => sim.removeConnection(connectionOf(sim, SECOND_TENANT_ID)),
    events: [`organisation:organisation_disconnected:${SECOND}`],
  },
  { step: 'it stays disconnected', events: [] },
  {
    step: 'the user connects it again',
    act: ({ sim }) => void sim.seedGrant({ email: USER, tenants: [SECOND_TENANT_ID] }),
    events: [`organisation:organisation_recovered:${SECOND}`],
  },
  {
    step: 'Xero refuses one organisation it still lists (403)',
    act: ({ sim }) => sim.refuseTenant(SECOND_TENANT_ID, true),
    events: [`organisation:organisation_unreachable:${SECOND}`],
  },
  { step: 'it stays refused', events: [] },
  {
    step: 'Xero refuses every organisation: one forced rotation tells the grant still lives',
    act: ({ sim }) => sim.refuseTenant(DEMO_TENANT_ID, true),
    events: [`organisation:organisation_unreachable:${DEMO}`],
  },
  { step: 'every organisation stays refused: no rotation', events: [] },
  {
    step: 'both answer again',
    act: ({ sim }) => {
      sim.refuseTenant(DEMO_TENANT_ID, false);
      sim.refuseTenant(SECOND_TENANT_ID, false);
    },
    events: [`organisation:organisation_recovered:${DEMO}`, `organisation:organisation_recovered:${SECOND}`],
  },
  {
    step: "Xero's headers say few calls are left today for one organisation",
    act: ({ sim }) => sim.accounting.setTenantRateLimits(DEMO_TENANT_ID, { perDay: 60, enabled: false }),
    events: [`budget:budget_low:${DEMO}`],
  },
  { step: 'still few left', events: [] },
  {
    step: "Xero's rolling day passes: the calls are back",
    act: ({ sim, clock }) => {
      sim.accounting.setTenantRateLimits(DEMO_TENANT_ID, undefined);
      clock.advance(DAY + MINUTE);
    },
    events: [`budget:budget_recovered:${DEMO}`],
  },
  {
    // The app's tier is left at Starter in both (the default): its cap is 5 organisations, counted from each ledger.
    step: "the same user connects two more organisations, one consent each: the app is one connection short of Starter's cap",
    act: ({ sim }) => {
      sim.seedGrant({ email: USER, tenants: [{ tenantId: THIRD.tenantId, name: THIRD.name }] });
      sim.seedGrant({ email: USER, tenants: [{ tenantId: FOURTH.tenantId, name: FOURTH.name }] });
    },
    events: [`organisation:organisation_added:${THIRD.name}`, `organisation:organisation_added:${FOURTH.name}`, 'app:connection_cap_near'],
  },
  { step: 'still four', events: [] },
  {
    step: 'a fifth: the app is at its cap',
    act: ({ sim }) => void sim.seedGrant({ email: USER, tenants: [{ tenantId: FIFTH.tenantId, name: FIFTH.name }] }),
    events: [`organisation:organisation_added:${FIFTH.name}`, 'app:connection_cap_reached'],
  },
  { step: 'still five', events: [] },
  {
    step: 'the fix: the practice removes those three connections at Xero; back under the cap, nothing more about it',
    act: ({ sim }) => {
      for (const org of [THIRD, FOURTH, FIFTH]) sim.removeConnection(connectionOf(sim, org.tenantId));
    },
    events: [THIRD.name, FOURTH.name, FIFTH.name].map((name) => `organisation:organisation_disconnected:${name}`),
  },
  {
    step: 'the user revokes access in Xero: one connection-wide event, not one per organisation',
    act: ({ sim }) => void sim.revokeUser(USER),
    events: ['connection:problem'],
  },
  { step: 'it stays revoked', events: [] },
  { step: 'the user reconnects', act: (w) => w.reconnect(), events: ['connection:recovered'] },
  {
    step: 'a reconnect that grants fewer scopes: one message naming the lost one, no "works again"',
    act: (w) => w.reconnect(['accounting.contacts']),
    events: ['connection:scopes_lost'],
  },
  { step: 'the scope stays lost', events: [] },
  { step: 'a reconnect with every scope again', act: (w) => w.reconnect(), events: ['connection:scopes_restored'] },
];

/** A text with the host's own words (and its link) set aside, so the two hosts' texts compare. */
function neutral(text: string | null, words: AlertWords, link: string): string | null {
  if (text === null) return null;
  const keys = (Object.keys(N8N_WORDS) as Array<keyof AlertWords>).filter((k) => N8N_WORDS[k] !== NODE_RED_WORDS[k]);
  // Longest first, so a phrase is replaced before a shorter one inside it.
  const order = [...keys].sort((a, b) => words[b].length - words[a].length);
  let out = text.split(link).join('{link}');
  for (const key of order) {
    // The connection's label is `<noun> "<name>"`; the engine's own host-neutral words ("This Xero connection needs...") stay.
    const phrase = key === 'connectionNoun' ? `${words[key]} "` : words[key];
    out = out.split(phrase).join(key === 'connectionNoun' ? `{${key}} "` : `{${key}}`);
  }
  return out;
}

async function n8nWing(): Promise<{ wing: Wing; close(): Promise<void>; f: N8nFixture }> {
  const f = await makeN8nFixture();
  const trigger = new XeroGuardConnectionTrigger();
  const node = { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'cred-parity', name: NAME } } };
  const staticData: Record<string, unknown> = {};
  let credentials = f.credentials(f.seed({ email: USER, tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] }));
  const wing: Wing = {
    words: N8N_WORDS,
    link: N8N_LINK,
    world: {
      sim: f.sim,
      clock: f.clock,
      async reconnect(withoutScopes: string[] = []) {
        const scopes = SIMULATOR_DEFAULT_SCOPES.filter((s: string) => !withoutScopes.includes(s));
        credentials = f.credentials(f.seed({ email: USER, tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID], scopes }));
      },
    },
    async poll() {
      const context = {
        ...fakeContext({ credentials, staticData, parameters: { probeOrganisations: true, budgetWarnPercent: 25 } }),
        getNode: () => node,
        getInstanceBaseUrl: () => 'http://localhost:5678/',
      };
      const out = (await trigger.poll.call(context as unknown as IPollFunctions)) as INodeExecutionData[][] | null;
      return (out?.[0] ?? []).map(({ json }) => ({
        what: [json.scope, json.event, json.tenantName].filter((v) => v !== undefined && v !== null).join(':'),
        title: String(json.title),
        advice: (json.advice as string | null) ?? null,
        message: String(json.message),
        summary: String(json.reason),
      }));
    },
  };
  return { wing, f, close: () => f.close() };
}

async function nodeRedWing(): Promise<{ wing: Wing; close(): Promise<void>; sim: Simulator }> {
  const clock = new OffsetClock();
  const sim = await startSimulator({
    clock,
    clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, redirectUris: [], allowAnyLoopbackRedirect: true }],
  });
  const userDir = mkdtempSync(join(tmpdir(), 'xg-nr-parity-'));
  helper.settings({ userDir, xeroGuard: { clock, editorUrl: NODE_RED_EDITOR } });
  await helper.startServer();
  const { node: conn, credentials } = connectionNode(sim, 'parityconn', NAME);
  await helper.load(
    NODES,
    [
      { id: 'tab', type: 'tab', label: 'parity' },
      conn,
      {
        id: 'watch',
        z: 'tab',
        type: 'xero connection watch',
        connection: conn.id,
        interval: 1,
        intervalUnits: 'hours',
        checkOnStart: false,
        budgetWarnPercent: '25',
        wires: [['alerts']],
      },
      { id: 'alerts', z: 'tab', type: 'helper' },
    ],
    { [conn.id]: credentials },
  );
  const connect = async (withoutScopes?: string[]) => {
    const started = await startConnect(conn.id, { ...conn, ...credentials });
    expect(started.status).toBe(200);
    const callback = new URL(await allowAtSimulator(started.body.authorizeUrl, { email: USER, tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID], withoutScopes }));
    expect((await callbackIn(started, callback)).status).toBe(200);
  };
  await connect();
  const received: WatchAlert[] = [];
  helper.getNode('alerts').on('input', (msg: WatchAlert) => received.push(msg));
  const wing: Wing = {
    words: NODE_RED_WORDS,
    link: `${NODE_RED_EDITOR}/#node/${conn.id}`,
    world: { sim, clock, reconnect: connect },
    async poll() {
      received.length = 0;
      // Any input checks now; done once the check and its messages are through.
      await inputDone('watch');
      return received.map(({ topic, payload }) => {
        const [, scope, kind] = topic.split('/');
        const what =
          scope === 'connection' || scope === 'app'
            ? `${scope}:${kind}`
            : `${kind.startsWith('budget_') ? 'budget' : 'organisation'}:${kind}:${payload.organisation!.tenantName}`;
        return { what, title: payload.title, advice: payload.advice ?? null, message: payload.message, summary: payload.summary };
      });
    },
  };
  return {
    wing,
    sim,
    async close() {
      await helper.unload();
      await helper.stopServer();
      await sim.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

describe('the connection watch: one table, both wings', () => {
  it('the same events, texts and rotations for the same Xero answers', async () => {
    const n8n = await n8nWing();
    const nodeRed = await nodeRedWing();
    try {
      const rotations = (w: Wing) => w.world.sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
      for (const row of TABLE) {
        const seen: Record<string, { events: Seen[]; rotated: number }> = {};
        for (const [name, wing] of [
          ['n8n', n8n.wing],
          ['Node-RED', nodeRed.wing],
        ] as const) {
          await row.act?.(wing.world);
          const before = rotations(wing);
          const events = await wing.poll();
          seen[name] = { events, rotated: rotations(wing) - before };
          expect({ step: row.step, wing: name, events: events.map((e) => e.what) }).toEqual({ step: row.step, wing: name, events: row.events });
        }
        const texts = (name: 'n8n' | 'Node-RED', wing: Wing) =>
          seen[name].events.map((e) => ({
            what: e.what,
            title: neutral(e.title, wing.words, wing.link),
            advice: neutral(e.advice, wing.words, wing.link),
            message: neutral(e.message, wing.words, wing.link),
          }));
        expect({ step: row.step, texts: texts('Node-RED', nodeRed.wing) }).toEqual({ step: row.step, texts: texts('n8n', n8n.wing) });
        expect({ step: row.step, rotations: seen['Node-RED'].rotated }).toEqual({ step: row.step, rotations: seen.n8n.rotated });
        if (row.step.startsWith('Xero refuses every organisation')) expect(seen.n8n.rotated).toBe(1);
        if (row.step.startsWith('every organisation stays refused')) expect(seen.n8n.rotated).toBe(0);
        // The connection answers, so its check says "Connected": both hosts lead with the lost scope instead.
        if (row.step.startsWith('a reconnect that grants fewer scopes'))
          for (const wing of ['n8n', 'Node-RED'] as const)
            expect({ wing, summary: seen[wing].events[0].summary }).toEqual({ wing, summary: expect.stringContaining('accounting.contacts') });
        // Each host's texts carry only its own words.
        for (const e of seen.n8n.events) expect(e.message).not.toMatch(/Node-RED|xero-connection node|Connect to Xero/);
        for (const e of seen['Node-RED'].events) expect(e.message).not.toMatch(/n8n|Switch account|\bcredential\b/);
      }
      expectNoSecrets([['texts', JSON.stringify([TABLE])]], [DEMO_CLIENT_SECRET, ...issuedSecrets(n8n.f.sim), ...issuedSecrets(nodeRed.sim)]);
    } finally {
      await nodeRed.close();
      await n8n.close();
    }
  });
});
