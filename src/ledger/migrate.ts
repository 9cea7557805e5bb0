import { hostname } from 'node:os';
import { MINUTE, SECOND } from '../clock';
import { fingerprint } from '../secrets/fingerprint';
import { importChain } from './chain-import';
import type { ConnectionRecord, ConnectionState, Ledger } from './types';

export type MigrationOutcome = 'copied' | 'unchanged' | 'newer_at_destination' | 'diverged' | 'busy' | 'missing' | 'failed';

export interface MigrationStep {
  key: string;
  outcome: MigrationOutcome;
  /** The chain's version at the source (null when it could not be read). */
  version: number | null;
  state: ConnectionState | null;
  message: string;
}

export interface MigrationReport {
  steps: MigrationStep[];
  /** True when every connection is now at the destination (copied or already there). */
  ok: boolean;
}

export interface MigrateOptions {
  from: Ledger;
  to: Ledger;
  /** Default: every connection in the source. */
  keys?: string[];
  /** Names the migration in the source's lease. */
  owner?: string;
  leaseTtlMs?: number;
  /** How long to wait for a refresh in progress at the source before reporting the connection busy. */
  leaseWaitMs?: number;
  onProgress?: (step: MigrationStep) => void;
}

/**
 * Moves connection chains from one ledger to another, whole: current token set, version, state,
 * history, candidates and any pending-refresh note, with no token call in between (a refresh
 * would spend the refresh token the destination is about to receive). Each connection is copied
 * while holding its lease at the source, so a process still running there cannot rotate it
 * mid-copy. A destination that already holds a newer version of a chain is never overwritten.
 * Stop n8n (main and workers) before migrating and switch the ledger before starting it again.
 */
export async function migrateLedger(options: MigrateOptions): Promise<MigrationReport> {
  const { from, to } = options;
  const owner = options.owner ?? `xero-guard-migrate@${hostname()}:${process.pid}`;
  const keys = options.keys ?? (await from.keys());
  const steps: MigrationStep[] = [];
  for (const key of keys) {
    const step = await migrateOne(from, to, key, owner, options.leaseTtlMs ?? 2 * MINUTE, options.leaseWaitMs ?? 30 * SECOND);
    steps.push(step);
    options.onProgress?.(step);
  }
  return { steps, ok: steps.every((s) => s.outcome === 'copied' || s.outcome === 'unchanged') };
}

async function migrateOne(from: Ledger, to: Ledger, key: string, owner: string, ttlMs: number, waitMs: number): Promise<MigrationStep> {
  const step = (outcome: MigrationOutcome, record: ConnectionRecord | null, message: string): MigrationStep => ({
    key,
    outcome,
    version: record?.version ?? null,
    state: record?.state ?? null,
    message,
  });
  let lease;
  try {
    lease = await from.acquireLease(key, { owner, ttlMs, waitMs });
  } catch (error) {
    return step('failed', null, `could not take its lease at the source: ${messageOf(error)}`);
  }
  if (!lease)
    return step('busy', null, `a refresh held its lease at the source for more than ${Math.round(waitMs / 1000)} s; nothing copied, run the migration again`);
  try {
    const source = await from.read(key);
    if (!source) return step('missing', null, 'not in the source ledger');
    const existing = await to.read(key);
    if (existing && existing.version > source.version) {
      return step(
        'newer_at_destination',
        source,
        `the destination holds version ${existing.version}, newer than the source's ${source.version}: left as it is`,
      );
    }
    if (existing && existing.version === source.version) {
      return sameChain(existing, source)
        ? step('unchanged', source, `already at the destination as version ${source.version}`)
        : step(
            'diverged',
            source,
            `the destination holds a different chain at the same version ${source.version}: left as it is; decide which one is live before migrating it`,
          );
    }
    const written = await importChain(to, source, existing?.version ?? 0);
    if (!written.ok) return step('failed', source, 'the destination changed while copying; nothing overwritten, run the migration again');
    const placed =
      written.version === source.version ? `as version ${source.version}` : `as version ${written.version} (version ${source.version} at the source)`;
    return step('copied', source, `copied ${placed}, state ${source.state}`);
  } catch (error) {
    return step('failed', null, messageOf(error));
  } finally {
    await from.releaseLease(lease).catch(() => undefined);
  }
}

function sameChain(a: ConnectionRecord, b: ConnectionRecord): boolean {
  const fp = (r: ConnectionRecord) => `${r.tokenSet.refreshToken ? fingerprint(r.tokenSet.refreshToken) : '-'}:${fingerprint(r.tokenSet.accessToken)}`;
  return fp(a) === fp(b);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
