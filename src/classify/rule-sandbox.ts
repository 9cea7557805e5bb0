/**
 * Custom rules run in a sandbox: a small pool of child processes with a capped heap, supervised by one
 * worker thread.
 *
 * Why a process and not this thread or a worker thread: a JSONata rule is code a user typed, and some
 * expressions end the V8 isolate that runs them (`$count($split($pad('', 150000000, 'x'), ''))` is a
 * V8 fatal error, not an exception, and a worker thread does not contain it), while a native call
 * such as a backtracking regex is never interrupted by JSONata's own time limit. Only a separate
 * process can be killed mid-call and can die without taking the host (n8n, Node-RED) with it.
 *
 * Why the worker thread: `classifyXeroError` is synchronous, and a blocked thread cannot read a
 * child's IPC messages. The worker owns the children, enforces the deadlines and kills; the calling
 * thread either awaits the worker's answer (async path: the event loop is never blocked) or waits on
 * Atomics until it comes (sync path: blocked at most for the item's rule budget and one rule's hard
 * limit, which is what a synchronous caller asked for). Both paths evaluate rules in the same place.
 *
 * Why callers take turns (issue 24): every workflow of the process shares these evaluators. Work
 * arrives as rounds (custom-rules.ts cuts an item's rules into rounds within the item's budget), each
 * labelled with its caller. A caller runs on one evaluator at a time, so with two evaluators a second
 * caller finds one free however many items the first has in flight; with more callers, a round gives
 * its evaluator back between rules once it has run for a slice and the next caller in line gets it.
 * A round that waits past its item's budget is answered at once, unrun. A kill ends only the process
 * of the rule that caused it: the round it was running is answered, the other evaluator and the
 * queue go on.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** Limits a rule runs under; the evaluator's own JSONata guardrails are inside these. */
export const SANDBOX_LIMITS = {
  /** JSONata's own time limit per rule, checked between evaluation steps. */
  ruleTimeoutMs: 250,
  /** The hard limit per rule: its evaluator process is killed when one rule runs this long. */
  ruleKillMs: 1000,
  /** Heap of each evaluator process (old generation). */
  heapMb: 96,
  /** Time for an evaluator process to start (spawn, load JSONata). */
  startMs: 10_000,
  /** Evaluator processes at most: one per core of a small host; a process per caller would be too many. */
  evaluators: 2,
  /** A round hands its evaluator back after the rule that takes it past this, so callers take turns. */
  sliceMs: 50,
} as const;

/** One round of one item's rules: whose they are, the expressions still to evaluate, and the budget left. */
export interface SandboxRound {
  /** The caller the rules belong to; rounds of different callers take turns for the evaluators. */
  caller: string;
  expressions: readonly string[];
  /** What is left of the item's time budget: a round that has not started by then is answered unrun. */
  budgetMs: number;
}

export interface SandboxOutcome {
  /** Index of the first expression that evaluated truthy, or -1. */
  matched: number;
  /** Expressions (by index) that threw inside JSONata, with its message. */
  errors: { index: number; message: string }[];
  /** The expression that was running when its evaluator had to be stopped, and why (index -1: none could run). */
  stopped: { index: number; reason: string } | null;
  /** How many expressions, from the first, were evaluated to an answer or an error (the rest did not run). */
  evaluated: number;
  /** The part of the item's budget this round used: waiting for a turn included, the evaluators' first start not. */
  spentMs: number;
}

interface Request {
  id: number;
  caller: string;
  rules: readonly string[];
  budgetMs: number;
  input: unknown;
  nowMs: number;
  options: object;
}

/** An evaluator: plain CommonJS run with `node -e`, so it is the same from ts (jest, tsx) and from dist. */
const CHILD_SOURCE = `
'use strict';
const jsonata = require(process.argv[1]);
const cache = new Map();
${truthySource()}
process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  const started = Date.now();
  const out = { id: msg.id, matched: -1, errors: [], evaluated: 0 };
  for (let i = 0; i < msg.rules.length; i++) {
    if (i > 0) {
      // Between rules: the item's budget, and the other callers' turn.
      const used = Date.now() - started;
      if (used >= msg.leftMs || used >= msg.sliceMs) break;
      // The supervisor names the rule that was running if this process has to be stopped.
      process.send({ id: msg.id, progress: i });
    }
    try {
      let expr = cache.get(msg.rules[i]);
      if (!expr) {
        expr = jsonata(msg.rules[i], msg.options);
        if (cache.size > 500) cache.clear();
        cache.set(msg.rules[i], expr);
      }
      const now = msg.nowMs;
      const value = await expr.evaluate(msg.input, { now: () => new Date(now).toISOString(), millis: () => now });
      out.evaluated = i + 1;
      if (truthy(value)) { out.matched = i; break; }
    } catch (e) {
      out.evaluated = i + 1;
      out.errors.push({ index: i, message: String((e && e.message) || e).slice(0, 500) });
    }
  }
  process.send(out);
});
process.send({ ready: true });
`;

/** The supervisor: a worker thread that owns the evaluators and gives callers their turns. */
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { port, signal, jsonataPath, limits, childSource } = workerData;
/** The evaluator processes, at most limits.evaluators. */
const evaluators = new Set();
/** Rounds waiting for an evaluator, per caller, and the callers in the order of their turns. */
const waiting = new Map();
const turns = [];
/** Until an evaluator has started once, no round's budget runs: a cold start is not the rules' time. */
let everReady = false;

function reply(msg) {
  port.postMessage(msg);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function answer(round, out) {
  clearTimeout(round.expiry);
  const spentMs = round.budgetFrom === null ? 0 : Date.now() - round.budgetFrom;
  reply({ id: round.id, matched: out.matched, errors: out.errors, stopped: out.stopped, evaluated: out.evaluated, spentMs });
}

const UNRUN = { matched: -1, errors: [], stopped: null, evaluated: 0 };

function leftOf(round) {
  return round.budgetMs - (Date.now() - round.budgetFrom);
}

function startBudget(round) {
  round.budgetFrom = Date.now();
  round.expiry = setTimeout(() => expire(round), Math.max(0, round.budgetMs));
}

/** The item's budget ran out while this round waited for its turn: answered unrun, nothing else is touched. */
function expire(round) {
  const queue = waiting.get(round.caller);
  const at = queue ? queue.indexOf(round) : -1;
  if (at < 0) return;
  queue.splice(at, 1);
  if (queue.length === 0) {
    waiting.delete(round.caller);
    turns.splice(turns.indexOf(round.caller), 1);
  }
  answer(round, UNRUN);
}

function why(ev, code, sig) {
  const err = ev.stderrTail;
  if (/out of memory|invalid size error|invalid array length|allocation failed|heap limit/i.test(err)) return 'used more memory than the ' + limits.heapMb + ' MB a rule may use';
  if (ev.killedForTime) return 'ran longer than ' + limits.ruleKillMs + ' ms';
  return 'ended the rule evaluator (' + (sig ? 'signal ' + sig : 'exit code ' + code) + ')';
}

function startEvaluator() {
  const c = spawn(process.execPath, ['--max-old-space-size=' + limits.heapMb, '--max-semi-space-size=8', '-e', childSource, jsonataPath], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Nothing of the host's environment: no secrets, no NODE_OPTIONS that could load code.
    env: {},
    windowsHide: true,
  });
  const ev = { child: c, ready: false, round: null, timer: null, killedForTime: false, stderrTail: '', startTimer: null };
  evaluators.add(ev);
  c.stderr.setEncoding('utf8');
  c.stderr.on('data', (d) => { ev.stderrTail = (ev.stderrTail + d).slice(-4096); });
  c.on('message', (msg) => heard(ev, msg));
  c.on('error', (e) => gone(ev, 'could not start the rule evaluator: ' + ((e && e.message) || e)));
  c.on('close', (code, sig) => gone(ev, why(ev, code, sig)));
  ev.startTimer = setTimeout(() => { if (!ev.ready) gone(ev, 'the rule evaluator did not start within ' + limits.startMs + ' ms'); }, limits.startMs);
}

function heard(ev, msg) {
  if (!evaluators.has(ev) || !msg) return;
  if (msg.ready) {
    ev.ready = true;
    clearTimeout(ev.startTimer);
    if (!everReady) {
      everReady = true;
      for (const queue of waiting.values()) for (const round of queue) startBudget(round);
    }
    schedule();
    return;
  }
  const round = ev.round;
  if (!round || msg.id !== round.id) return;
  if (typeof msg.progress === 'number') { round.at = msg.progress; arm(ev); return; }
  clearTimeout(ev.timer);
  ev.round = null;
  answer(round, { matched: msg.matched, errors: msg.errors, stopped: null, evaluated: msg.evaluated });
  schedule();
}

/**
 * An evaluator is gone (killed, crashed, never started). Only the round it was running is answered
 * for it; waiting rounds go to the other evaluator or a fresh one, unless none can start at all.
 */
function gone(ev, reason) {
  if (!evaluators.delete(ev)) return;
  clearTimeout(ev.startTimer);
  clearTimeout(ev.timer);
  try { ev.child.kill('SIGKILL'); } catch (e) {}
  const round = ev.round;
  ev.round = null;
  if (round) {
    answer(round, { matched: -1, errors: [], stopped: { index: round.at, reason }, evaluated: round.at });
  } else if (!ev.ready && evaluators.size === 0) {
    // It never started and no other can serve: nothing waiting can run now (the next round tries again).
    for (const queue of waiting.values()) for (const r of queue) answer(r, { matched: -1, errors: [], stopped: { index: -1, reason }, evaluated: 0 });
    waiting.clear();
    turns.length = 0;
    return;
  }
  schedule();
}

function arm(ev) {
  clearTimeout(ev.timer);
  ev.timer = setTimeout(() => {
    if (!evaluators.has(ev)) return;
    ev.killedForTime = true;
    ev.child.kill('SIGKILL');
  }, limits.ruleKillMs);
}

/**
 * Free evaluators go to callers in turn, one evaluator per caller at a time: a caller with more waiting
 * goes to the back of the line, and one already running waits for its own evaluator, so the other stays
 * free for everyone else (one caller's kills and slow rules then never hold both).
 */
function schedule() {
  for (;;) {
    let free = null;
    const running = new Set();
    for (const ev of evaluators) {
      if (ev.round) running.add(ev.round.caller);
      else if (ev.ready && !free) free = ev;
    }
    const turn = turns.findIndex((caller) => !running.has(caller));
    if (turn < 0) return;
    if (!free) {
      let starting = 0;
      for (const ev of evaluators) if (!ev.ready) starting++;
      if (starting === 0 && evaluators.size < limits.evaluators) startEvaluator();
      return;
    }
    const caller = turns.splice(turn, 1)[0];
    const queue = waiting.get(caller);
    const round = queue.shift();
    if (queue.length > 0) turns.push(caller);
    else waiting.delete(caller);
    clearTimeout(round.expiry);
    if (leftOf(round) <= 0) { answer(round, UNRUN); continue; }
    free.round = round;
    round.at = 0;
    arm(free);
    free.child.send({ id: round.id, rules: round.rules, input: round.input, nowMs: round.nowMs, options: round.options, leftMs: leftOf(round), sliceMs: limits.sliceMs });
  }
}

port.on('message', (req) => {
  const round = Object.assign(req, { at: 0, budgetFrom: null, expiry: null });
  if (everReady) startBudget(round);
  let queue = waiting.get(round.caller);
  if (!queue) {
    queue = [];
    waiting.set(round.caller, queue);
    turns.push(round.caller);
  }
  queue.push(round);
  schedule();
});
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
  /** Rounds whose caller stopped waiting (the net below): their late answers are dropped. */
  abandoned: Set<number>;
  /** When the supervisor last answered anyone: only one silent for a whole net period is stuck. */
  lastHeard: number;
  /** Async requests in flight: the port keeps the event loop alive only while there are some. */
  pending: number;
}

let supervisor: Supervisor | null = null;

function deliver(s: Supervisor, r: Reply): void {
  s.lastHeard = Date.now();
  if (s.abandoned.delete(r.id)) return;
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
  const s: Supervisor = {
    worker,
    port: port1,
    signal,
    nextId: 1,
    waiting: new Map(),
    early: new Map(),
    abandoned: new Set(),
    lastHeard: Date.now(),
    pending: 0,
  };
  // A 'message' listener refs the port; it is unref'd after, so an idle sandbox never keeps a process alive.
  port1.on('message', (r: Reply) => deliver(s, r));
  worker.unref();
  port1.unref();
  // A supervisor that dies is replaced on the next call; its error must not crash the host process.
  worker.on('error', () => retire(s, 'the rule supervisor stopped'));
  worker.on('exit', () => retire(s, 'the rule supervisor stopped'));
  return s;
}

function unavailable(id: number, reason: string): Reply {
  return { id, matched: -1, errors: [], stopped: { index: -1, reason }, evaluated: 0, spentMs: 0 };
}

function retire(s: Supervisor, reason: string): void {
  if (supervisor === s) supervisor = null;
  for (const [id, waiter] of s.waiting) waiter(unavailable(id, reason));
  s.waiting.clear();
}

function send(s: Supervisor, round: SandboxRound, input: unknown, nowMs: number, options: object): number {
  const id = s.nextId++;
  const req: Request = { id, caller: round.caller, rules: round.expressions, budgetMs: round.budgetMs, input, nowMs, options };
  s.port.postMessage(req);
  return id;
}

function plain(r: Reply): SandboxOutcome {
  return { matched: r.matched, errors: r.errors, stopped: r.stopped, evaluated: r.evaluated, spentMs: r.spentMs };
}

/** The longest a round may take: its budget, one rule's hard limit, and the evaluators' first start. */
function netMs(round: SandboxRound): number {
  return Math.max(0, round.budgetMs) + SANDBOX_LIMITS.ruleKillMs + SANDBOX_LIMITS.startMs + 1000;
}

const NO_ANSWER = 'the rule supervisor did not answer';

/**
 * The net under the supervisor fired for one round. Its caller stops waiting; the supervisor, which
 * other callers share, is replaced only when it answered nobody since the round was sent (stuck),
 * never because one caller's round was slow.
 */
function giveUp(s: Supervisor, id: number, sentAt: number): Reply {
  s.waiting.delete(id);
  s.abandoned.add(id);
  if (s.lastHeard < sentAt) {
    retire(s, NO_ANSWER);
    void s.worker.terminate();
  }
  return unavailable(id, NO_ANSWER);
}

/** Evaluates one round over `input` in the sandbox, in the caller's turn; never rejects. */
export function evaluateInSandbox(round: SandboxRound, input: unknown, nowMs: number, options: object): Promise<SandboxOutcome> {
  supervisor ??= start();
  const s = supervisor;
  const sentAt = Date.now();
  const id = send(s, round, input, nowMs, options);
  if (s.pending++ === 0) s.port.ref();
  return new Promise<SandboxOutcome>((resolve) => {
    const finish = (r: Reply): void => {
      clearTimeout(timer);
      if (--s.pending === 0) s.port.unref();
      resolve(plain(r));
    };
    // The supervisor enforces every limit itself; this is only the net under it.
    const timer = setTimeout(() => finish(giveUp(s, id, sentAt)), netMs(round));
    const early = s.early.get(id);
    if (early) {
      s.early.delete(id);
      finish(early);
    } else {
      s.waiting.set(id, finish);
    }
  });
}

/** The same, blocking the calling thread until the answer comes (at most the round's budget and one rule's hard limit). */
export function evaluateInSandboxSync(round: SandboxRound, input: unknown, nowMs: number, options: object): SandboxOutcome {
  supervisor ??= start();
  const s = supervisor;
  const sentAt = Date.now();
  const id = send(s, round, input, nowMs, options);
  const until = sentAt + netMs(round);
  for (;;) {
    const seen = Atomics.load(s.signal, 0);
    for (let msg = receiveMessageOnPort(s.port); msg !== undefined; msg = receiveMessageOnPort(s.port)) {
      const r = msg.message as Reply;
      if (r.id === id) {
        s.lastHeard = Date.now();
        return plain(r);
      }
      deliver(s, r);
    }
    const early = s.early.get(id);
    if (early) {
      s.early.delete(id);
      return plain(early);
    }
    const left = until - Date.now();
    if (left <= 0 || Atomics.wait(s.signal, 0, seen, left) === 'timed-out') return plain(giveUp(s, id, sentAt));
  }
}
