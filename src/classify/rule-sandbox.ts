/**
 * Custom rules run in a sandbox: a child process with a capped heap, supervised by one worker thread.
 *
 * Why a process and not this thread or a worker thread: a JSONata rule is code a user typed, and some
 * expressions end the V8 isolate that runs them (`$count($split($pad('', 150000000, 'x'), ''))` is a
 * V8 fatal error, not an exception, and a worker thread does not contain it), while a native call
 * such as a backtracking regex is never interrupted by JSONata's own time limit. Only a separate
 * process can be killed mid-call and can die without taking the host (n8n, Node-RED) with it.
 *
 * Why the worker thread: `classifyXeroError` is synchronous, and a blocked thread cannot read a
 * child's IPC messages. The worker owns the child, enforces the deadlines and kills it; the calling
 * thread either awaits the worker's answer (async path: the event loop is never blocked) or waits on
 * Atomics until it comes (sync path: blocked at most for the rule time limit, which is what a
 * synchronous caller asked for). Both paths therefore evaluate rules in exactly the same place.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** Limits a rule runs under; the evaluator's own JSONata guardrails are inside these. */
export const SANDBOX_LIMITS = {
  /** JSONata's own time limit per rule, checked between evaluation steps. */
  ruleTimeoutMs: 250,
  /** The hard limit per rule: the evaluator process is killed when one rule runs this long. */
  ruleKillMs: 1000,
  /** Heap of the evaluator process (old generation). */
  heapMb: 96,
  /** Time for the evaluator process to start (spawn, load JSONata). */
  startMs: 10_000,
} as const;

export interface SandboxOutcome {
  /** Index of the first rule that evaluated truthy, or -1. */
  matched: number;
  /** Rules (by index) that threw inside JSONata, with its message. */
  errors: { index: number; message: string }[];
  /** The rule that was running when the evaluator had to be stopped, and why; later rules did not run. */
  stopped: { index: number; reason: string } | null;
}

interface Request {
  id: number;
  rules: readonly string[];
  input: unknown;
  nowMs: number;
  options: object;
}

/** The evaluator: plain CommonJS run with `node -e`, so it is the same from ts (jest, tsx) and from dist. */
const CHILD_SOURCE = `
'use strict';
const jsonata = require(process.argv[1]);
const cache = new Map();
${truthySource()}
process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  const out = { id: msg.id, matched: -1, errors: [] };
  for (let i = 0; i < msg.rules.length; i++) {
    // The supervisor names the rule that was running if this process has to be stopped.
    if (i > 0) process.send({ id: msg.id, progress: i });
    try {
      let expr = cache.get(msg.rules[i]);
      if (!expr) {
        expr = jsonata(msg.rules[i], msg.options);
        if (cache.size > 500) cache.clear();
        cache.set(msg.rules[i], expr);
      }
      const now = msg.nowMs;
      const value = await expr.evaluate(msg.input, { now: () => new Date(now).toISOString(), millis: () => now });
      if (truthy(value)) { out.matched = i; break; }
    } catch (e) {
      out.errors.push({ index: i, message: String((e && e.message) || e).slice(0, 500) });
    }
  }
  process.send(out);
});
process.send({ ready: true });
`;

/** The supervisor: a worker thread that owns the evaluator process, one request at a time. */
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { port, signal, jsonataPath, limits, childSource } = workerData;
let child = null;
let ready = false;
let current = null;
const queue = [];

function reply(msg) {
  port.postMessage(msg);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function why(c, code, sig) {
  const err = c.stderrTail;
  if (/out of memory|invalid size error|invalid array length|allocation failed|heap limit/i.test(err)) return 'used more memory than the ' + limits.heapMb + ' MB a rule may use';
  if (c.killedForTime) return 'ran longer than ' + limits.ruleKillMs + ' ms';
  return 'ended the rule evaluator (' + (sig ? 'signal ' + sig : 'exit code ' + code) + ')';
}

function startChild() {
  const c = spawn(process.execPath, ['--max-old-space-size=' + limits.heapMb, '--max-semi-space-size=8', '-e', childSource, jsonataPath], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Nothing of the host's environment: no secrets, no NODE_OPTIONS that could load code.
    env: {},
    windowsHide: true,
  });
  c.stderrTail = '';
  c.stderr.setEncoding('utf8');
  c.stderr.on('data', (d) => { c.stderrTail = (c.stderrTail + d).slice(-4096); });
  c.on('message', (msg) => {
    if (c !== child) return;
    if (msg && msg.ready) { ready = true; clearTimeout(c.startTimer); next(); return; }
    if (!current || !msg || msg.id !== current.id) return;
    if (typeof msg.progress === 'number') { current.at = msg.progress; arm(); return; }
    clearTimeout(current.timer);
    const done = current;
    current = null;
    reply({ id: done.id, matched: msg.matched, errors: msg.errors, stopped: null });
    next();
  });
  c.on('error', (e) => { if (c === child) fail('could not start the rule evaluator: ' + (e && e.message || e)); });
  c.on('close', (code, sig) => { if (c === child) fail(why(c, code, sig), true); });
  c.startTimer = setTimeout(() => { if (c === child && !ready) { c.kill('SIGKILL'); fail('the rule evaluator did not start within ' + limits.startMs + ' ms'); } }, limits.startMs);
  return c;
}

/** The evaluator is gone: the running request names its rule; queued ones get a fresh evaluator. */
function fail(reason, ruleCaused) {
  const dead = child;
  child = null;
  ready = false;
  if (dead) { clearTimeout(dead.startTimer); try { dead.kill('SIGKILL'); } catch (e) {} }
  if (current) {
    clearTimeout(current.timer);
    const done = current;
    current = null;
    reply({ id: done.id, matched: -1, errors: [], stopped: { index: done.at, reason } });
  } else if (!ruleCaused) {
    // It never started: nothing queued can run either.
    while (queue.length > 0) reply({ id: queue.shift().id, matched: -1, errors: [], stopped: { index: -1, reason } });
    return;
  }
  next();
}

function arm() {
  clearTimeout(current.timer);
  const c = child;
  current.timer = setTimeout(() => {
    if (c !== child) return;
    c.killedForTime = true;
    c.kill('SIGKILL');
  }, limits.ruleKillMs);
}

function next() {
  if (current || queue.length === 0) return;
  if (!child) child = startChild();
  if (!ready) return;
  current = queue.shift();
  current.at = 0;
  arm();
  child.send({ id: current.id, rules: current.rules, input: current.input, nowMs: current.nowMs, options: current.options });
}

port.on('message', (req) => { queue.push(req); next(); });
`;

/** JSONata's own boolean casting ($boolean); the evaluator carries the same function as source. */
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

type Reply = SandboxOutcome & { id: number };

interface Supervisor {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  nextId: number;
  /** Answers read on the sync path that belong to an async caller (and the reverse). */
  waiting: Map<number, (r: Reply) => void>;
  early: Map<number, Reply>;
  /** Async requests in flight: the port keeps the event loop alive only while there are some. */
  pending: number;
}

let supervisor: Supervisor | null = null;

function deliver(s: Supervisor, r: Reply): void {
  const waiter = s.waiting.get(r.id);
  if (waiter) {
    s.waiting.delete(r.id);
    waiter(r);
  } else {
    s.early.set(r.id, r);
  }
}

function start(): Supervisor {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, signal, jsonataPath: require.resolve('jsonata'), limits: SANDBOX_LIMITS, childSource: CHILD_SOURCE },
    transferList: [port2],
  });
  const s: Supervisor = { worker, port: port1, signal, nextId: 1, waiting: new Map(), early: new Map(), pending: 0 };
  // A 'message' listener refs the port; it is unref'd after, so an idle sandbox never keeps a process alive.
  port1.on('message', (r: Reply) => deliver(s, r));
  worker.unref();
  port1.unref();
  // A supervisor that dies is replaced on the next call; its error must not crash the host process.
  worker.on('error', () => retire(s, 'the rule supervisor stopped'));
  worker.on('exit', () => retire(s, 'the rule supervisor stopped'));
  return s;
}

function retire(s: Supervisor, reason: string): void {
  if (supervisor === s) supervisor = null;
  for (const [id, waiter] of s.waiting) waiter({ id, matched: -1, errors: [], stopped: { index: -1, reason } });
  s.waiting.clear();
}

function send(s: Supervisor, rules: readonly string[], input: unknown, nowMs: number, options: object): number {
  const id = s.nextId++;
  const req: Request = { id, rules, input, nowMs, options };
  s.port.postMessage(req);
  return id;
}

function plain(r: Reply): SandboxOutcome {
  return { matched: r.matched, errors: r.errors, stopped: r.stopped };
}

/** The longest a whole request may take, evaluator start-up included. */
function deadlineMs(ruleCount: number): number {
  return SANDBOX_LIMITS.startMs + ruleCount * SANDBOX_LIMITS.ruleKillMs + 1000;
}

/** Evaluates `rules` in order over `input` in the sandbox; never rejects. */
export function evaluateInSandbox(rules: readonly string[], input: unknown, nowMs: number, options: object): Promise<SandboxOutcome> {
  supervisor ??= start();
  const s = supervisor;
  const id = send(s, rules, input, nowMs, options);
  if (s.pending++ === 0) s.port.ref();
  return new Promise<SandboxOutcome>((resolve) => {
    const finish = (r: Reply): void => {
      clearTimeout(timer);
      if (--s.pending === 0) s.port.unref();
      resolve(plain(r));
    };
    // The supervisor enforces every limit itself; this is only the net under it.
    const timer = setTimeout(() => {
      s.waiting.delete(id);
      retireAndTerminate(s);
      finish({ id, matched: -1, errors: [], stopped: { index: -1, reason: 'the rule supervisor did not answer' } });
    }, deadlineMs(rules.length));
    const early = s.early.get(id);
    if (early) {
      s.early.delete(id);
      finish(early);
    } else {
      s.waiting.set(id, finish);
    }
  });
}

function retireAndTerminate(s: Supervisor): void {
  retire(s, 'the rule supervisor did not answer');
  void s.worker.terminate();
}

/** The same, blocking the calling thread until the answer comes (at most the rule time limits). */
export function evaluateInSandboxSync(rules: readonly string[], input: unknown, nowMs: number, options: object): SandboxOutcome {
  supervisor ??= start();
  const s = supervisor;
  const id = send(s, rules, input, nowMs, options);
  const until = Date.now() + deadlineMs(rules.length);
  for (;;) {
    const seen = Atomics.load(s.signal, 0);
    for (let msg = receiveMessageOnPort(s.port); msg !== undefined; msg = receiveMessageOnPort(s.port)) {
      const r = msg.message as Reply;
      if (r.id === id) return plain(r);
      deliver(s, r);
    }
    const early = s.early.get(id);
    if (early) {
      s.early.delete(id);
      return plain(early);
    }
    const left = until - Date.now();
    if (left <= 0 || Atomics.wait(s.signal, 0, seen, left) === 'timed-out') {
      retireAndTerminate(s);
      return { matched: -1, errors: [], stopped: { index: -1, reason: 'the rule supervisor did not answer' } };
    }
  }
}
