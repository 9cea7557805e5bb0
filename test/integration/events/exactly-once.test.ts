/**
 * Exactly once across processes, on every ledger backend the credential may use: several OS
 * processes receive the same Xero deliveries (retries) and run the same consumers over one inbox;
 * each consumer emits each event once. A process SIGKILLed after emitting and before committing
 * makes its batch come again, flagged `redelivered` (the documented at-least-once window); one
 * killed after claiming and before emitting loses nothing. Two processes polling the same trigger
 * at once emit each change once between them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { MINUTE } from '../../../src/clock';
import { eventId, type PollState, type XeroDelivery, type XeroEvent } from '../../../src/events';
import { dropLedgerSpec, makeLedgerSpec, type LedgerKind, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import type { ChildConfig, ChildMessage, ParentMessage } from './events-child';
import { dropEventTables } from './fixture';

const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const CONSUMERS = ['wf-1:trigger', 'wf-2:trigger', 'wf-3:trigger'];
const CLAIM_TTL_MS = 60_000;

interface Emission {
  child: string;
  eventId: string;
  redelivered: boolean;
}

class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
    emissions: Map<string, Emission[]>,
  ) {
    process.on('message', (message: ChildMessage) => {
      if (message.type !== 'emitted') return;
      const list = emissions.get(message.consumer) ?? [];
      list.push(...message.items.map((i) => ({ child: name, ...i })));
      emissions.set(message.consumer, list);
    });
    this.exited = new Promise((resolve) => process.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(name: string, config: Omit<ChildConfig, 'name'>, emissions: Map<string, Emission[]>): Promise<Child> {
    const process = fork(join(__dirname, 'events-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...globalThis.process.env, EVENTS_CHILD_CONFIG: JSON.stringify({ ...config, name }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(name, process, emissions);
    await child.next('ready');
    return child;
  }

  /** Sends `message` and resolves with the child's answer to it. */
  async ask(message: ParentMessage): Promise<unknown> {
    const done = this.next('done', message.type);
    this.process.send(message);
    return ((await done) as Extract<ChildMessage, { type: 'done' }>).detail;
  }

  /** Sends `message` to a child that is to kill itself, and resolves when it is gone. */
  async askToDie(message: ParentMessage): Promise<NodeJS.Signals | null> {
    this.process.send(message);
    return (await this.exited).signal;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.send({ type: 'exit' } satisfies ParentMessage);
    await this.exited;
  }

  /** The next message of `type` (for 'done': the answer to a request of type `answering`). */
  private next(type: ChildMessage['type'], answering?: ParentMessage['type']): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type || (answering && message.type === 'done' && message.for !== answering)) return;
        cleanup();
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        reject(new Error(`events child ${this.name} exited (code ${code}, signal ${signal}) while waiting for "${type}"`));
      };
      const cleanup = () => {
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
      };
      this.process.on('message', onMessage);
      this.process.on('exit', onExit);
    });
  }
}

let serial = 0;
function events(count: number): XeroEvent[] {
  return Array.from({ length: count }, () => {
    serial++;
    const id = `aaaaaaaa-0000-4000-8000-${String(serial).padStart(12, '0')}`;
    return {
      resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${id}`,
      resourceId: id,
      tenantId: TENANT,
      tenantType: 'ORGANISATION',
      eventCategory: 'INVOICE',
      eventType: 'UPDATE',
      eventDateUtc: new Date(Date.UTC(2026, 2, 1) + serial * 1000).toISOString().replace('Z', ''),
    };
  });
}

/** Deliveries of 1 to 6 events, as Xero batches them. */
function deliveries(list: XeroEvent[]): XeroDelivery[] {
  const out: XeroDelivery[] = [];
  for (let i = 0; i < list.length;) {
    const size = 1 + (i % 6);
    out.push({ events: list.slice(i, i + size), firstEventSequence: i + 1, lastEventSequence: i + size, entropy: `e${i}` });
    i += size;
  }
  return out;
}

/** Consume rounds on every live child until a round emits nothing anywhere. */
async function drain(children: Child[], emissions: Map<string, Emission[]>, consumers = CONSUMERS): Promise<void> {
  for (;;) {
    const before = [...emissions.values()].reduce((n, list) => n + list.length, 0);
    await Promise.all(children.map((c) => c.ask({ type: 'consume', consumers })));
    const after = [...emissions.values()].reduce((n, list) => n + list.length, 0);
    if (after === before) return;
  }
}

function idsOf(list: XeroEvent[]): string[] {
  // The inbox identity of each event, as the consumer reports it (eventId).
  return list.map((e) => eventId(e));
}

function counts(emissions: Emission[] | undefined): Map<string, Emission[]> {
  const byId = new Map<string, Emission[]>();
  for (const e of emissions ?? []) byId.set(e.eventId, [...(byId.get(e.eventId) ?? []), e]);
  return byId;
}

const KINDS: LedgerKind[] = ['file', 'postgres', 'redis'];

describe.each(KINDS)('exactly once across processes on the %s ledger', (kind) => {
  let spec: LedgerSpec;
  let children: Child[] = [];
  const emissions = new Map<string, Emission[]>();
  const inbox = `app-${kind}`;
  beforeAll(() => {
    spec = makeLedgerSpec(kind);
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await dropEventTables(spec);
    await dropLedgerSpec(spec);
  });

  test('3 consumers x 3 processes, every delivery received twice by different processes: each consumer emits each event once', async () => {
    children = await Promise.all(['p0', 'p1', 'p2'].map((name) => Child.start(name, { ledger: spec, inbox }, emissions)));
    await Promise.all(children.map((c) => c.ask({ type: 'open', consumers: CONSUMERS })));
    const sent = events(120);
    const batches = deliveries(sent);
    // Each delivery goes to two processes (Xero retrying, several webhook processes), while every process consumes.
    const appends = children.map((child, i) => child.ask({ type: 'append', deliveries: batches.filter((_, n) => n % 3 === i || (n + 1) % 3 === i) }));
    const consuming = children.map((child) => child.ask({ type: 'consume', consumers: CONSUMERS }));
    const appended = (await Promise.all(appends)) as number[];
    await Promise.all(consuming);
    await drain(children, emissions);
    expect(appended.reduce((a, b) => a + b, 0)).toBe(120);
    for (const consumer of CONSUMERS) {
      const byId = counts(emissions.get(consumer));
      expect([...byId.keys()].sort()).toEqual(idsOf(sent).sort());
      expect([...byId.values()].filter((list) => list.length !== 1)).toEqual([]);
    }
  });

  test('a process SIGKILLed after emitting and before committing: that batch comes again from another process, flagged; nothing else twice', async () => {
    emissions.clear();
    const sent = events(20);
    await children[1].ask({ type: 'append', deliveries: deliveries(sent) });
    const victim = children[0];
    expect(await victim.askToDie({ type: 'consume', consumers: [CONSUMERS[0]], dieAt: 'after-emit' })).toBe('SIGKILL');
    children = children.slice(1);
    const emittedByVictim = (emissions.get(CONSUMERS[0]) ?? []).filter((e) => e.child === victim.name).map((e) => e.eventId);
    expect(emittedByVictim.length).toBeGreaterThan(0);
    // The survivors' clocks pass the dead holder's claim.
    await Promise.all(children.map((c) => c.ask({ type: 'advance', ms: CLAIM_TTL_MS })));
    await drain(children, emissions);
    const first = counts(emissions.get(CONSUMERS[0]));
    expect([...first.keys()].sort()).toEqual(idsOf(sent).sort());
    for (const [id, list] of first) {
      if (emittedByVictim.includes(id))
        expect(list.map((e) => [e.child === victim.name, e.redelivered])).toEqual([
          [true, false],
          [false, true],
        ]);
      else expect(list).toHaveLength(1);
    }
    for (const consumer of CONSUMERS.slice(1)) {
      const byId = counts(emissions.get(consumer));
      expect([...byId.keys()].sort()).toEqual(idsOf(sent).sort());
      expect([...byId.values()].every((list) => list.length === 1)).toBe(true);
    }
  });

  test('a process SIGKILLed after claiming and before emitting: its batch is emitted once, by another process', async () => {
    emissions.clear();
    const late = await Child.start('p3', { ledger: spec, inbox }, emissions);
    children.push(late);
    const sent = events(20);
    await children[0].ask({ type: 'append', deliveries: deliveries(sent) });
    expect(await late.askToDie({ type: 'consume', consumers: [CONSUMERS[1]], dieAt: 'after-claim' })).toBe('SIGKILL');
    children = children.filter((c) => c !== late);
    await Promise.all(children.map((c) => c.ask({ type: 'advance', ms: CLAIM_TTL_MS })));
    await drain(children, emissions);
    for (const consumer of CONSUMERS) {
      const byId = counts(emissions.get(consumer));
      expect([...byId.keys()].sort()).toEqual(idsOf(sent).sort());
      expect([...byId.values()].every((list) => list.length === 1 && list[0].child !== 'p3')).toBe(true);
    }
  });

  test('two processes polling the same trigger at once: each change is claimed and emitted by one of them', async () => {
    emissions.clear();
    const base = Date.now() + 60 * MINUTE;
    const records = Array.from({ length: 50 }, (_, i) => ({
      InvoiceID: `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`,
      Type: 'ACCREC',
      Status: 'AUTHORISED',
      UpdatedDateUTC: new Date(base + i * 1000).toISOString(),
    }));
    const states = (await Promise.all(
      children.slice(0, 2).map((c) => c.ask({ type: 'poll', consumer: 'wf-poll', records, tenantId: TENANT, state: null })),
    )) as PollState[];
    const emitted = emissions.get('wf-poll') ?? [];
    expect(emitted).toHaveLength(50);
    expect(new Set(emitted.map((e) => e.eventId)).size).toBe(50);
    // Both stored cursors moved past the batch, and polling again emits nothing anywhere.
    for (const state of states) expect(state.watches[`${TENANT}:sales_invoices`].cursor).toBeGreaterThanOrEqual(base);
    await Promise.all(children.slice(0, 2).map((c, i) => c.ask({ type: 'poll', consumer: 'wf-poll', records, tenantId: TENANT, state: states[i] })));
    expect(emissions.get('wf-poll')).toHaveLength(50);
  });
});
