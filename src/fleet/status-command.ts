import { existsSync, statSync } from 'node:fs';
import { systemClock, type Clock } from '../clock';
import { LedgerError } from '../errors';
import { LedgerConfigError } from '../ledger/config-error';
import { buildLedger } from '../ledger/create-ledger';
import { ledgerOptionsFromUrl, redact } from '../ledger/ledger-url';
import { PostgresLedger } from '../ledger/postgres-ledger';
import type { Ledger } from '../ledger/types';
import type { XeroTier } from '../xero-tiers';
import { formatCapLines, ledgerCapReports, shownCapReport } from './app-caps';
import { formatFleetTable } from './format';
import { listFleet, type FleetListing } from './list-fleet';
import { shownListing, type ShownFleetListing } from './shown-listing';

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
  /**
   * Also show each chain's key (`xero:<client id>:...`). Off by default: the output of a command is
   * pasted into tickets and chats, and keys name the apps; the operator who runs it owns the ledger
   * and may ask for them.
   */
  showKeys?: boolean;
  io: StatusIo;
  clock?: Clock;
  /** Count every Xero app against this tier's connection limit; default: the tier its chains noted, else Starter. */
  tier?: XeroTier;
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
    const raw = await listFleet(ledger, { clock });
    if (raw.chains.length === 0) return nothing(options, `The ${ledger.description} holds no Xero connections: nothing to list.`, ledger.description);
    const listing = shownListing(raw, options.encryptionKey);
    // Each app against its tier's connection limit (issue 28); a count that cannot be made leaves the listing as it was.
    const apps = (await ledgerCapReports(ledger, options.tier ? { force: options.tier } : {}).catch(() => [])).map(shownCapReport);
    if (options.json) io.out(JSON.stringify({ ...(options.showKeys ? withKeys(listing, raw) : listing), apps }, null, 2));
    else io.out([tableOf(listing, raw, options.showKeys === true, clock.now()), ...formatCapLines(apps)].join('\n'));
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

/** The shown listing with each chain's key beside its id, in the listing's order (the operator asked). */
function withKeys(listing: ShownFleetListing, raw: FleetListing): ShownFleetListing & { chains: Array<ShownFleetListing['chains'][number] & { key: string }> } {
  return { ...listing, chains: listing.chains.map((chain, i) => ({ ...chain, key: raw.chains[i].key })) };
}

/** The table of what is shown (the table never prints a key; its rows are the shown chains), then each key if asked. */
function tableOf(listing: ShownFleetListing, raw: FleetListing, showKeys: boolean, now: number): string {
  const table = formatFleetTable({ ...listing, chains: listing.chains.map((chain) => ({ ...chain, key: chain.id })) }, now);
  if (!showKeys) return table;
  return [table, '', 'Keys:', ...listing.chains.map((chain, i) => `  ${chain.name} (${chain.id}): ${raw.chains[i].key}`)].join('\n');
}

function reportUnreadable(listing: ShownFleetListing, options: StatusCommandOptions): number {
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
