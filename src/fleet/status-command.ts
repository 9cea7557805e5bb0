import { existsSync, statSync } from 'node:fs';
import { systemClock, type Clock } from '../clock';
import { LedgerError } from '../errors';
import { LedgerConfigError } from '../ledger/config-error';
import { buildLedger } from '../ledger/create-ledger';
import { ledgerOptionsFromUrl, redact } from '../ledger/ledger-url';
import { PostgresLedger } from '../ledger/postgres-ledger';
import type { Ledger } from '../ledger/types';
import { formatFleetTable } from './format';
import { listFleet, type FleetListing } from './list-fleet';

export interface StatusIo {
  out(line: string): void;
  err(line: string): void;
}

export interface StatusCommandOptions {
  /** file:/folder, postgres://..., redis://... (as for migrate). */
  location: string;
  encryptionKey: string;
  /** The variable the key came from, for messages. */
  keyEnv: string;
  json: boolean;
  io: StatusIo;
  clock?: Clock;
}

/**
 * `xero-guard-ledger status`: every chain of a ledger, read-only, without calling Xero.
 * Exit 0 when listed (also when there is nothing to list); 1 when a chain could not be opened
 * (another encryption key, damage) or the ledger could not be reached; 2 for a bad location.
 */
export async function runStatus(options: StatusCommandOptions): Promise<number> {
  const { io } = options;
  const clock = options.clock ?? systemClock;
  let ledger: Ledger;
  try {
    const parsed = ledgerOptionsFromUrl(options.location, options.encryptionKey);
    if (parsed.kind === 'file' && !isFolder(parsed.directory as string)) {
      return nothing(
        options,
        `No Xero Guard ledger at ${parsed.directory} (the folder does not exist): nothing to list.`,
        `file ledger at ${parsed.directory}`,
      );
    }
    ledger = buildLedger({ ...parsed, clock, logger: { warn: (line) => io.err(line) } });
  } catch (error) {
    io.err(
      `${error instanceof LedgerConfigError ? error.message : `The ledger location ${JSON.stringify(redact(options.location))} cannot be used: ${String(error)}`}\nRun xero-guard-ledger --help for usage.`,
    );
    return 2;
  }
  try {
    // A read-only command must not create tables in someone's database.
    if (ledger instanceof PostgresLedger && !(await ledger.exists())) {
      return nothing(options, `No Xero Guard ledger in the ${ledger.description} (the table does not exist): nothing to list.`, ledger.description);
    }
    const listing = await listFleet(ledger, { clock });
    if (listing.chains.length === 0) return nothing(options, `The ${ledger.description} holds no Xero connections: nothing to list.`, ledger.description);
    if (options.json) io.out(JSON.stringify(listing, null, 2));
    else io.out(formatFleetTable(listing, clock.now()));
    return reportUnreadable(listing, options);
  } catch (error) {
    io.err(
      error instanceof LedgerError ? error.message : `Could not list the ${ledger.description}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  } finally {
    await ledger.close().catch(() => undefined);
  }
}

function reportUnreadable(listing: FleetListing, options: StatusCommandOptions): number {
  const unreadable = listing.chains.filter((c) => c.state === 'unreadable');
  if (unreadable.length === 0) return 0;
  const wrongKey = unreadable.filter((c) => c.problemCode === 'LEDGER_WRONG_KEY').length;
  if (wrongKey > 0) {
    options.io.err(
      `${wrongKey} of ${listing.chains.length} connection(s) were written with a different encryption key than the one in ${options.keyEnv}: set ${options.keyEnv} to the key n8n (N8N_ENCRYPTION_KEY) or Node-RED (credentialSecret) uses for this ledger, or name another variable with --encryption-key-env.`,
    );
  }
  if (unreadable.length > wrongKey)
    options.io.err(`${unreadable.length - wrongKey} connection(s) could not be read; their REASON says what is wrong and how to fix it.`);
  return 1;
}

function nothing(options: StatusCommandOptions, message: string, ledger: string): number {
  if (options.json) {
    const empty: FleetListing & { note: string } = {
      ledger,
      listedAt: new Date((options.clock ?? systemClock).now()).toISOString(),
      chains: [],
      counts: {},
      note: message,
    };
    options.io.out(JSON.stringify(empty, null, 2));
  } else {
    options.io.out(message);
  }
  return 0;
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
