/**
 * A simulator that outlives its process (`stateFile`; the demo keeps its Xero this way between runs).
 * What Xero itself would remember is kept: apps, users, organisations and connections, every token it
 * issued (live, spent or dead) and the key that signed them, each organisation's books in every API,
 * the grace mode, the connection limit, refused organisations and how far the clock runs ahead of
 * real time. What belongs to one run is not: faults, rate-limit counters, the request log and its
 * statistics, authorization codes (they live 5 minutes), webhooks and their queued deliveries.
 *
 * The file is V8's serialization of those structures, so what is shared stays shared (a grant and
 * every token rotated from it, a record and the set that says it came from the examples). It is
 * written whole to a temporary file and renamed over the old one: a crash leaves the old state or the
 * new, never half of one. It holds the signing key and every token: it is written for its owner only.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { systemClock } from '../clock';
import type { AccountingStore, TenantBookState } from './accounting/store';
import type { ApiBookState, ApiStore } from './apis/store';
import type { SimulatorCore } from './core';
import type { DirectoryState } from './directory';
import type { TokenStoreState } from './tokens';
import type { GraceMode } from './types';

const FORMAT = 'xero-guard simulator state';
const VERSION = 1;

interface SimulatorState {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** The simulator's clock minus real time when it was written. */
  clockLeadMs: number;
  signingKey: string;
  graceMode: GraceMode;
  connectionLimit: number | undefined;
  refusedTenants: Set<string>;
  directory: DirectoryState;
  tokens: TokenStoreState;
  accounting: TenantBookState[];
  apis: ApiBookState[];
}

/** The parts of a running simulator that hold what is kept. */
export interface KeptParts {
  core: SimulatorCore;
  accounting: AccountingStore;
  apis: ApiStore;
}

export class StateFile {
  private lastFailure: string | undefined;

  constructor(readonly path: string) {}

  /** Puts back what the file holds; false when there is no file yet (a fresh Xero). */
  load(parts: KeptParts): boolean {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.unreadable((error as NodeJS.ErrnoException).code ?? String(error));
    }
    restore(parts, this.parse(bytes));
    return true;
  }

  save(parts: KeptParts): void {
    const bytes = serialize(capture(parts));
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes, { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  /**
   * After a request has been answered there is nobody to tell but the terminal: a failure to write
   * is said there once (until a write succeeds again) and the simulator carries on in memory.
   */
  saveOrSay(parts: KeptParts): void {
    try {
      this.save(parts);
      this.lastFailure = undefined;
    } catch (error) {
      const failure = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      if (failure !== this.lastFailure) {
        process.stderr.write(
          `The Xero simulator cannot write its state to ${this.path} (${failure}): it carries on, but what changes now is lost when it stops.\n`,
        );
      }
      this.lastFailure = failure;
    }
  }

  private parse(bytes: Buffer): SimulatorState {
    let value: unknown;
    try {
      value = deserialize(bytes);
    } catch (error) {
      throw this.unreadable(error instanceof Error ? error.message : String(error));
    }
    const head = (typeof value === 'object' && value !== null ? value : {}) as Partial<SimulatorState>;
    if (head.format !== FORMAT) throw this.unreadable('it is not a state file of this simulator');
    if (head.version !== VERSION) throw this.unreadable(`it is in format ${String(head.version)}, and this simulator reads format ${VERSION}`);
    return value as SimulatorState;
  }

  private unreadable(why: string): Error {
    return new Error(
      `The Xero simulator's state file ${this.path} cannot be read: ${why}. Move it away or delete it to start with a fresh Xero (every connection made against the old one must then be made again).`,
    );
  }
}

function capture({ core, accounting, apis }: KeptParts): SimulatorState {
  return {
    format: FORMAT,
    version: VERSION,
    clockLeadMs: core.clock.now() - systemClock.now(),
    signingKey: core.signer.exportKey(),
    graceMode: core.graceMode,
    connectionLimit: core.connectionLimit,
    refusedTenants: core.refusedTenants,
    directory: core.directory.snapshot(),
    tokens: core.tokens.snapshot(),
    accounting: accounting.snapshot(),
    apis: apis.snapshot(),
  };
}

function restore({ core, accounting, apis }: KeptParts, state: SimulatorState): void {
  core.clock.advance(state.clockLeadMs - (core.clock.now() - systemClock.now()));
  core.signer.useKey(state.signingKey);
  core.graceMode = state.graceMode;
  core.connectionLimit = state.connectionLimit;
  core.refusedTenants.clear();
  for (const tenant of state.refusedTenants) core.refusedTenants.add(tenant);
  const directory = core.directory.snapshot();
  refill(directory.clients, state.directory.clients);
  refill(directory.users, state.directory.users);
  refill(directory.organisations, state.directory.organisations);
  refill(directory.connections, state.directory.connections);
  const tokens = core.tokens.snapshot();
  refill(tokens.refresh, state.tokens.refresh);
  refill(tokens.access, state.tokens.access);
  refill(tokens.counts, state.tokens.counts);
  accounting.restore(state.accounting);
  apis.restore(state.apis);
}

/** The live maps are referenced elsewhere (the directory's by its callers): filled in place, never replaced. */
function refill<V>(target: Map<string, V>, source: Map<string, V>): void {
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}
