/**
 * `xero events` in a real Node-RED 5 on Node 24 (the packed package installed in its userDir),
 * with the simulator delivering real signed webhooks to it (issue 26, item 2): the intent-to-receive
 * check passes on the node's route; a wrong or missing signature gets 401 and no message, a body
 * over the cap 413; a change is delivered once to every node reading the app's inbox (a replay of
 * the same delivery emits nothing); polling emits each change once, also across a restart (the
 * cursor in a file context store, the claims in the ledger); the webhook key is in no message, log
 * or file. One Node-RED boot for all (a restart in the middle).
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINUTE, OffsetClock } from '../../src/clock';
import { WebhookKey, XERO_SIGNATURE_HEADER } from '../../src/events';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, startSimulator, type Simulator } from '../../src/simulator';
import { createNodeRed, type NodeRed } from './runtime-harness';
import { allowAtSimulator, connectionNode, expectNoSecrets, until, withNodeRedLog } from './support';

const KEY = 'canary-webhook-key-2c9f7e1a6b3d8f40aa17';
const TAB = 'e7e7000000000010';
const CONN = 'e7e7000000000001';
const RECEIVER = 'e7e7000000000011';
const READER = 'e7e7000000000012';
const POLLER = 'e7e7000000000013';
const SCOPES = ['offline_access', 'accounting.settings', 'accounting.contacts', 'accounting.transactions'];

let sim: Simulator;
let nodeRed: NodeRed | undefined;
let userDir = '';
let collector: Server;
let collectorUrl = '';
let token = '';
/**
 * The `xero` part of a message from xero events (node-red/lib/events-listen.ts and events-poll.ts):
 * a webhook event names its resource, a polled change its record.
 */
interface XeroPart {
  source: string;
  redelivered: boolean;
  resourceId?: string;
  recordId?: string;
  recordError?: unknown;
}

/** What the flow's nodes sent, in arrival order: which node, and the message. */
const got: Array<{ from: string; topic: string; payload: Record<string, unknown>; xero: XeroPart }> = [];

/** The xero-connection on the simulator's endpoints (file ledger in the userDir, the demo app). */
const connection = () => connectionNode(sim, CONN, 'Rehearsal');
const from = (node: string) => got.filter((m) => m.from === node);
const webhookUrl = () => `${nodeRed!.url}/xero/webhook`;

/** The Accounting API's answers, with the fields read here. */
type Contacts = { Contacts: Array<{ ContactID: string }> };
type Invoices = { Invoices: Array<{ InvoiceID: string; Total: number }> };

function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return fetch(`${sim.apiUrl}/api.xro/2.0/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'xero-tenant-id': DEMO_TENANT_ID, accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json() as Promise<T>);
}

/** A delivery as Xero would send it, signed with `key` (or not signed at all). */
function post(body: string | Buffer, signature: string | null): Promise<number> {
  return fetch(webhookUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { [XERO_SIGNATURE_HEADER]: signature }) },
    body,
  }).then((r) => r.status);
}

/** A body sent in chunks with no Content-Length, so only reading can find it too large; resolves with the status. */
function postChunked(chunks: number, chunkBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json', [XERO_SIGNATURE_HEADER]: 'x'.repeat(44) } }, (res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    // Once the answer came, the server may close the connection under the rest of the upload.
    req.on('error', (error) => reject(error));
    const write = (left: number): void => {
      if (left === 0) return void req.end();
      if (req.write(Buffer.alloc(chunkBytes, 0x20))) write(left - 1);
      else req.once('drain', () => write(left - 1));
    };
    write(chunks);
  });
}

function fakeDelivery(resourceId: string): string {
  return JSON.stringify({
    events: [
      {
        resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${resourceId}`,
        resourceId,
        tenantId: DEMO_TENANT_ID,
        tenantType: 'ORGANISATION',
        eventCategory: 'CONTACT',
        eventType: 'UPDATE',
        eventDateUtc: '2026-04-01T09:00:00.123',
      },
    ],
    firstEventSequence: 900,
    lastEventSequence: 900,
    entropy: 'ABCDEFGHIJKLMNOPQRST',
  });
}

/** The flow: a receiving node, a reader of the same inbox (invoices only, no records), a poller; each sends what it emits to the collector. */
function flow(): unknown[] {
  const forward = (id: string, name: string) => ({
    id,
    type: 'function',
    z: TAB,
    name,
    func: `msg.payload = { from: ${JSON.stringify(name)}, topic: msg.topic, payload: msg.payload, xero: msg.xero }; msg.headers = { 'content-type': 'application/json' }; return msg;`,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    wires: [['e7e7000000000030']],
  });
  const events = { type: 'xero events', z: TAB, connection: CONN, categories: 'CONTACT,INVOICE,CREDITNOTE', eventTypes: 'CREATE,UPDATE', direction: 'both' };
  return [
    { id: TAB, type: 'tab', label: 'xero events' },
    { ...connection().node, credentials: connection().credentials },
    {
      ...events,
      id: RECEIVER,
      name: 'receiver',
      mode: 'webhook',
      path: '/xero/webhook',
      fetch: true,
      catchUp: 60,
      credentials: { webhookKey: KEY },
      wires: [['e7e7000000000021']],
    },
    {
      ...events,
      id: READER,
      name: 'reader',
      mode: 'webhook',
      path: '',
      categories: 'INVOICE',
      fetch: false,
      catchUp: 0,
      credentials: { webhookKey: KEY },
      wires: [['e7e7000000000022']],
    },
    {
      ...events,
      id: POLLER,
      name: 'poller',
      mode: 'poll',
      watches: 'contacts,sales_invoices',
      interval: 1,
      ceiling: 60,
      contextStore: '',
      wires: [['e7e7000000000023']],
    },
    forward('e7e7000000000021', 'receiver'),
    forward('e7e7000000000022', 'reader'),
    forward('e7e7000000000023', 'poller'),
    {
      id: 'e7e7000000000030',
      type: 'http request',
      z: TAB,
      name: '',
      method: 'POST',
      ret: 'txt',
      paytoqs: 'ignore',
      url: `${collectorUrl}/messages`,
      tls: '',
      persist: false,
      proxy: '',
      insecureHTTPParser: false,
      authType: '',
      senderr: false,
      headers: [],
      wires: [[]],
    },
    // GET /xg/poll: the poller polls now; answered once that poll is done.
    { id: 'e7e7000000000040', type: 'http in', z: TAB, name: '', url: '/xg/poll', method: 'get', upload: false, swaggerDoc: '', wires: [[POLLER]] },
    { id: 'e7e7000000000041', type: 'complete', z: TAB, name: '', scope: [POLLER], uncaught: false, wires: [['e7e7000000000042']] },
    { id: 'e7e7000000000042', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

/** "Connect to Xero" as the editor does it, over HTTP: the start route, the simulator's consent, the callback in the same browser (its cookie). */
async function connect(): Promise<void> {
  const admin = await nodeRed!.login('admin');
  const started = await nodeRed!.api(`/xero-guard/connections/${CONN}/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', origin: nodeRed!.url },
    body: JSON.stringify({
      ...connection().node,
      ...connection().credentials,
      redirectUri: `${nodeRed!.url}/xero-guard/connect/callback`,
    }),
  });
  const body = (await started.json()) as { authorizeUrl?: string; error?: string };
  if (!body.authorizeUrl) throw new Error(`Connect to Xero answered ${started.status}: ${body.error}`);
  const callback = await allowAtSimulator(body.authorizeUrl);
  const cookie = started.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const page = await fetch(callback, { headers: { cookie } });
  expect(await page.text()).toContain('Connected to Xero');
}

/**
 * Every file Node-RED wrote in its userDir (the package left out), for the canary. Node-RED is still
 * running (its inbox reader compacts entries every few seconds), so a file listed may be gone by the
 * time it is read: what is gone holds nothing to leak.
 */
function userDirFiles(dir = userDir): Array<[string, string]> {
  return readdirSync(dir).flatMap((name): Array<[string, string]> => {
    const full = join(dir, name);
    if (name === 'node_modules') return [];
    try {
      if (statSync(full).isDirectory()) return userDirFiles(full);
      return [[full, readFileSync(full, 'latin1')]];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  });
}

beforeAll(async () => {
  sim = await startSimulator({ clock: new OffsetClock() });
  token = sim.seedGrant({ scopes: SCOPES }).access_token;
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  userDir = mkdtempSync(join(tmpdir(), 'xg-nr-events-'));
  nodeRed = await createNodeRed(userDir);
  // The poller's cursor in a file context store, as the node's help asks, so a restart goes on where it stopped.
  const settings = join(userDir, 'settings.js');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace(/\n};\s*$/, "\n  contextStorage: { default: { module: 'localfilesystem' } },\n};\n"));
  await nodeRed.start();
  // As a user does: the connection first, connected; then the flow that listens (polling starts from that deploy).
  await nodeRed.deploy(flow().slice(0, 2));
  await connect();
  await nodeRed.deploy(flow());
}, 240_000);

afterAll(async () => {
  await nodeRed?.stop();
  await sim?.close();
  await new Promise<void>((r) => (collector ? collector.close(() => r()) : r()));
  const left = nodeRed?.leftovers() ?? [];
  if (userDir && !process.env.XG_KEEP) rmSync(userDir, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 60_000);

const withLog = (fn: () => Promise<void>) => withNodeRedLog(() => nodeRed, fn);

it(
  "passes the simulator's intent-to-receive check, refuses what is not Xero's, and delivers each change once to every node reading the inbox",
  withLog(async () => {
    const { webhook } = await sim.webhooks.configure({ clientId: DEMO_CLIENT_ID, url: webhookUrl(), key: KEY });
    expect(webhook.intentToReceive?.checks.map((c) => [c.signature, c.status])).toEqual([
      ['correct', 200],
      ['wrong', 401],
    ]);
    expect(webhook.status).toBe('on');

    const contact = (await api<Contacts>('PUT', 'Contacts', { Name: 'Kauri Legal' })).Contacts[0];
    const invoice = (
      await api<Invoices>('PUT', 'Invoices', {
        Type: 'ACCREC',
        Contact: { ContactID: contact.ContactID },
        LineItems: [{ Description: 'Advice', Quantity: 1, UnitAmount: 250, AccountCode: '200' }],
      })
    ).Invoices[0];
    await sim.webhooks.deliverDue();
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ deliveredEvents: 2, failedAttempts: 0 });
    await until('the receiver and the reader to send the changes', () => (from('receiver').length >= 2 && from('reader').length >= 1 ? true : undefined));
    // Each message is its own HTTP request to the collector: compared in topic order, not arrival order.
    const byTopic = (node: string) => [...from(node)].sort((a, b) => a.topic.localeCompare(b.topic));
    expect(byTopic('receiver').map((m) => [m.topic, m.xero.resourceId, m.xero.source, m.xero.redelivered])).toEqual([
      ['xero/contact/create', contact.ContactID, 'webhook', false],
      ['xero/invoice/create', invoice.InvoiceID, 'webhook', false],
    ]);
    // The receiver reads the records the events name; the reader takes invoices only, events alone.
    expect(byTopic('receiver')[1]?.payload).toMatchObject({ InvoiceID: invoice.InvoiceID, Total: invoice.Total, Contact: { Name: 'Kauri Legal' } });
    expect(from('reader').map((m) => [m.topic, m.payload.resourceId, m.payload.eventCategory])).toEqual([
      ['xero/invoice/create', invoice.InvoiceID, 'INVOICE'],
    ]);

    // Not Xero's: a wrong signature, none, a body over the 1 MiB cap. Then the same body correctly signed, twice (a replay).
    const id = '0a0b0c0d-1111-4222-8333-444455556666';
    const body = fakeDelivery(id);
    expect(await post(body, new WebhookKey('not-the-key').sign(body))).toBe(401);
    expect(await post(body, null)).toBe(401);
    expect(await post(Buffer.alloc(1024 * 1024 + 1, 0x20), new WebhookKey(KEY).sign(Buffer.alloc(1024 * 1024 + 1, 0x20)))).toBe(413);
    expect(await postChunked(17, 64 * 1024)).toBe(413);
    expect(await post(body, new WebhookKey(KEY).sign(body))).toBe(200);
    expect(await post(body, new WebhookKey(KEY).sign(body))).toBe(200);
    // A real change after them, to know every earlier delivery has been read.
    const after = (await api<Contacts>('PUT', 'Contacts', { Name: 'After The Attacks' })).Contacts[0];
    await sim.webhooks.deliverDue();
    await until('the change after the attacks', () => (from('receiver').some((m) => m.xero.resourceId === after.ContactID) ? true : undefined));
    const fake = from('receiver').filter((m) => m.xero.resourceId === id);
    expect(fake).toHaveLength(1);
    // Xero has no such contact: the event comes alone, saying why.
    expect(fake[0]?.xero.recordError).toMatchObject({ code: 'not_found' });
    expect(from('receiver')).toHaveLength(4);
    expect(from('reader')).toHaveLength(1);
  }),
  120_000,
);

it(
  'polls each change once, also across a restart of Node-RED; webhook deliveries that failed meanwhile arrive once after it',
  withLog(async () => {
    const poll = async (): Promise<void> => {
      expect((await nodeRed!.api('/xg/poll')).status).toBe(200);
    };
    await poll();
    // Kauri Legal, its invoice, and After The Attacks (the fake event names no record).
    await until('the poller to send the changes so far', () => (from('poller').length >= 3 ? true : undefined));
    await poll();
    await poll();
    const polled = from('poller').map((m) => `${m.topic} ${m.xero.recordId}`);
    expect(polled.filter((t) => t.startsWith('xero/contacts/changed'))).toHaveLength(2);
    expect(polled.filter((t) => t.startsWith('xero/sales_invoices/changed'))).toHaveLength(1);
    expect(polled).toHaveLength(3);
    const before = from('poller').length;

    const receivedBefore = from('receiver').length;
    await nodeRed!.stop();
    const changed = (
      await api<Contacts>('POST', 'Contacts', { Name: 'Kauri Legal', ContactID: from('receiver')[0]?.xero.resourceId, EmailAddress: 'accounts@kauri.example' })
    ).Contacts[0];
    const added = (await api<Contacts>('PUT', 'Contacts', { Name: 'While Down Ltd' })).Contacts[0];
    // Node-RED is down: the delivery fails and waits for its retry, the second change behind it.
    await sim.webhooks.deliverDue();
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({
      status: 'on',
      queuedEvents: 2,
      failedAttempts: 1,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    await nodeRed!.start();
    sim.clock.advance(MINUTE);
    expect(await sim.webhooks.deliverDue()).toMatchObject({ failed: 0 });
    expect(sim.webhooks.view(DEMO_CLIENT_ID)).toMatchObject({ queuedEvents: 0, failingSince: null });
    await poll();
    await until('the changes made while Node-RED was down', () =>
      from('poller').length >= before + 2 && from('receiver').some((m) => m.xero.resourceId === added.ContactID) ? true : undefined,
    );
    await poll();
    const since = from('poller').slice(before);
    expect(since.map((m) => [m.topic, m.xero.recordId])).toEqual(
      expect.arrayContaining([
        ['xero/contacts/changed', changed.ContactID.toLowerCase()],
        ['xero/contacts/changed', added.ContactID.toLowerCase()],
      ]),
    );
    expect(since).toHaveLength(2);
    const afterRestart = from('receiver').slice(receivedBefore);
    expect(afterRestart.map((m) => [m.topic, m.xero.resourceId]).sort()).toEqual([
      ['xero/contact/create', added.ContactID],
      ['xero/contact/update', changed.ContactID],
    ]);
    expect(from('reader')).toHaveLength(1);
  }),
  180_000,
);

it('keeps the webhook key out of every message, the log and every file Node-RED wrote', () => {
  expectNoSecrets([['messages', JSON.stringify(got)], ['Node-RED log', nodeRed!.log()], ...userDirFiles()], [KEY]);
});
