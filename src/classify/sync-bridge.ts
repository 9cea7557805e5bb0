/**
 * JSONata 2.x evaluates only asynchronously (every step of its evaluator is an async function), but
 * the contract makes classifyXeroError synchronous. This bridge runs the real JSONata in one worker
 * thread and blocks the caller on Atomics.wait until the worker answers, so a synchronous caller gets
 * exactly the language JSONata documents, not a look-alike subset. The worker starts on first use,
 * is unref'd (it never keeps a process alive) and is replaced if it ever stops answering.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

export interface BridgeRule {
  expression: string;
}

export interface BridgeOutcome {
  /** Index of the first rule that evaluated truthy, or -1. */
  matched: number;
  /** Rules (by index) that threw, with JSONata's message. */
  errors: { index: number; message: string }[];
}

/** Worker source, CommonJS, evaluated as a string so it runs the same from ts (jest, tsx) and from dist. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, signal, jsonataPath, options } = workerData;
let jsonata = null;
let loadError = null;
try { jsonata = require(jsonataPath); } catch (e) { loadError = String(e && e.message || e); }
const cache = new Map();
${truthySource()}
port.on('message', async (msg) => {
  const out = { id: msg.id, matched: -1, errors: [] };
  for (let i = 0; i < msg.rules.length; i++) {
    try {
      if (loadError) throw new Error('JSONata could not be loaded: ' + loadError);
      let expr = cache.get(msg.rules[i]);
      if (!expr) {
        expr = jsonata(msg.rules[i], options);
        if (cache.size > 500) cache.clear();
        cache.set(msg.rules[i], expr);
      }
      const now = msg.nowMs;
      const value = await expr.evaluate(msg.input, { now: () => new Date(now).toISOString(), millis: () => now });
      if (truthy(value)) { out.matched = i; break; }
    } catch (e) {
      out.errors.push({ index: i, message: String((e && e.message) || e) });
    }
  }
  port.postMessage(out);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/** JSONata's own boolean casting ($boolean), shared by the worker and the async path. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'function') return false;
  if (Array.isArray(v)) return v.some(truthy);
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return false;
}

function truthySource(): string {
  return `function truthy(v) {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'function') return false;
  if (Array.isArray(v)) return v.some(truthy);
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return false;
}`;
}

interface Bridge {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  nextId: number;
}

let bridge: Bridge | null = null;

function start(options: object): Bridge {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, signal, jsonataPath: require.resolve('jsonata'), options },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  // A worker that dies is replaced on the next call; its error must not crash the host process.
  worker.on('error', () => {
    if (bridge?.worker === worker) bridge = null;
  });
  return { worker, port: port1, signal, nextId: 1 };
}

/**
 * Evaluates `rules` in order over `input`, synchronously. Throws only when the worker cannot answer in
 * `timeoutMs` or cannot start; the caller turns that into a configuration error.
 */
export function evaluateSync(rules: readonly string[], input: unknown, nowMs: number, timeoutMs: number, options: object): BridgeOutcome {
  bridge ??= start(options);
  const b = bridge;
  const id = b.nextId++;
  Atomics.store(b.signal, 0, 0);
  b.port.postMessage({ id, rules, input, nowMs });
  // One request is in flight at a time (the caller is blocked), so the next message is our answer.
  if (Atomics.wait(b.signal, 0, 0, timeoutMs) === 'timed-out') {
    bridge = null;
    void b.worker.terminate();
    throw new Error(`custom rules did not finish within ${timeoutMs} ms`);
  }
  for (let msg = receiveMessageOnPort(b.port); msg !== undefined; msg = receiveMessageOnPort(b.port)) {
    const reply = msg.message as BridgeOutcome & { id: number };
    if (reply.id === id) return { matched: reply.matched, errors: reply.errors };
  }
  bridge = null;
  void b.worker.terminate();
  throw new Error('custom rules worker answered out of turn');
}
