#!/usr/bin/env node
/**
 * The `xero-guard-ledger` command: moves token chains between ledgers (migrate, list) and shows what a
 * ledger holds (status, the fleet listing). It lives in cli/, above the core, because it joins the
 * ledger layer with the fleet listing that sits above it; the core itself knows no command line.
 */
import { parseArgs } from 'node:util';
import { LedgerError } from '../src/errors';
import { runStatus } from '../src/fleet/status-command';
import { parseXeroTier, XERO_TIER_IDS } from '../src/xero-tiers';
import { createLedger } from '../src/ledger/create-ledger';
import { ledgerOptionsFromUrl, redact } from '../src/ledger/ledger-url';
import { migrateLedger, type MigrationStep } from '../src/ledger/migrate';
import type { Ledger } from '../src/ledger/types';
import { escapeControls } from '../src/terminal-text';
import { processIo, runCommand, terminalSafe, type CommandIo } from './run-command';

export const HELP = `xero-guard-ledger: move Xero Guard token chains between ledgers, and show what a ledger holds

Usage:
  xero-guard-ledger status --ledger <ledger> [--encryption-key-env NAME] [--json] [--show-keys] [--tier TIER]
  xero-guard-ledger migrate --from <ledger> --to <ledger> [options]
  xero-guard-ledger list --from <ledger> [options]

A <ledger> is one of:
  file:/home/node/.n8n/xero-guard                          the file ledger (embedded default)
  postgres://user:password@host:5432/n8n[?tablePrefix=xero_guard_&schema=public]
  redis://:password@host:6379/0[?keyPrefix=xero-guard:]
For the redis+postgres combination the chains live in PostgreSQL: migrate to or from its postgres:// URL.

Options:
  --ledger <ledger>               The ledger to show (status; --from works too)
  --json                          status: print JSON instead of a table
  --show-keys                     status: also print each connection's key (it holds the app's
                                  client id; by default connections are named by an id instead)
  --tier <tier>                   status: count every Xero app against this tier's connection limit
                                  (starter, core, plus, advanced, enterprise); default: the tier
                                  each app's credentials or config nodes are set to, else starter
  --from <ledger>                 Where the chains are now
  --to <ledger>                   Where they should go (migrate only)
  --key <connection key>          Move only this connection; repeat for more (default: all)
  --encryption-key-env <NAME>     Environment variable holding the encryption key
                                  (default N8N_ENCRYPTION_KEY)
  --to-encryption-key-env <NAME>  A different key for the destination (default: the same key)
  --key-kind <random|passphrase>  How the destination seals what it writes: "random" for a
                                  machine-generated key (n8n's generated key: HKDF), "passphrase"
                                  for a key a person may have typed (scrypt). Default passphrase.
                                  Every ledger is read as it was written, whatever this says.
  -h, --help                      Show this help

status lists every connection the ledger holds (name, state, reason, organisations, access-token
expiry, last rotation, days before Xero's 60-day idle limit, pending refresh, last error) without
calling Xero and without changing anything; tokens are never shown. Then each Xero app (named by a
short fingerprint, never its client id): the organisations its connections last saw, against its
tier's connection limit.

Each connection is copied whole (tokens, version, state, history, candidates) with no token
call, holding its lease at the source. A destination that holds a newer version of a chain is
left as it is. Stop n8n (main and every worker) before migrating, and start it again with the
new ledger (see docs/queue-mode.md).

Exit status: 0 when every connection is at the destination (status: when listed, also when
there is nothing to list), 1 when one was not (status: a connection could not be opened, e.g. another
encryption key, or the ledger could not be reached), 2 on bad usage.
`;

interface Io extends CommandIo {
  env: Record<string, string | undefined>;
}

export async function main(argv: string[], given: Io = { ...processIo, env: process.env }): Promise<number> {
  const io = terminalSafe(given);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        ledger: { type: 'string' },
        json: { type: 'boolean' },
        'show-keys': { type: 'boolean' },
        tier: { type: 'string' },
        to: { type: 'string' },
        key: { type: 'string', multiple: true },
        'encryption-key-env': { type: 'string', default: 'N8N_ENCRYPTION_KEY' },
        'to-encryption-key-env': { type: 'string' },
        'key-kind': { type: 'string', default: 'passphrase' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    (values.help ? io.out : io.err)(HELP);
    return values.help ? 0 : 2;
  }
  if (command !== 'migrate' && command !== 'list' && command !== 'status') return usage(io, `Unknown command "${command}": use status, migrate or list.`);
  if (command === 'status' && !values.ledger && !values.from)
    return usage(io, 'Missing --ledger <ledger> (file:/path/to/folder, postgres://... or redis://...).');
  if (command !== 'status' && !values.from) return usage(io, 'Missing --from <ledger>.');
  if (command === 'migrate' && !values.to) return usage(io, 'Missing --to <ledger>.');
  const keyKind = values['key-kind'];
  if (keyKind !== 'random' && keyKind !== 'passphrase') return usage(io, `--key-kind must be "random" or "passphrase" (got "${String(keyKind)}").`);
  const keyEnv = values['encryption-key-env'] as string;
  const toKeyEnv = values['to-encryption-key-env'] ?? keyEnv;
  const key = io.env[keyEnv];
  const toKey = io.env[toKeyEnv];
  if (!key)
    return usage(
      io,
      `The encryption key is not set: export ${keyEnv} (n8n's N8N_ENCRYPTION_KEY, or the key in <N8N_USER_FOLDER>/.n8n/config) or name another variable with --encryption-key-env.`,
    );
  if (command === 'migrate' && !toKey) return usage(io, `The destination's encryption key is not set: export ${toKeyEnv}.`);
  const tier = values.tier === undefined ? undefined : parseXeroTier(values.tier);
  if (tier === null) return usage(io, `--tier must be one of ${XERO_TIER_IDS.join(', ')} (got "${String(values.tier)}").`);
  if (command === 'status')
    return runStatus({
      ...(tier ? { tier } : {}),
      location: (values.ledger ?? values.from) as string,
      encryptionKey: key,
      keyEnv,
      json: values.json === true,
      showKeys: values['show-keys'] === true,
      io,
    });

  const opened: Ledger[] = [];
  try {
    const logger = { warn: (line: string) => io.err(line) };
    const from = await createLedger({ ...ledgerOptionsFromUrl(values.from as string, key), keyKind, logger });
    opened.push(from);
    if (command === 'list') {
      for (const connection of await from.keys()) {
        const record = await from.read(connection);
        io.out(`${escapeControls(connection)}\tversion ${record?.version ?? '-'}\t${record?.state ?? 'unreadable'}`);
      }
      return 0;
    }
    const to = await createLedger({ ...ledgerOptionsFromUrl(values.to as string, toKey as string), keyKind, logger });
    opened.push(to);
    io.out(`Migrating from ${from.description} to ${to.description}`);
    const report = await migrateLedger({ from, to, keys: values.key, onProgress: (step) => io.out(progressLine(step)) });
    const count = (outcome: MigrationStep['outcome']) => report.steps.filter((s) => s.outcome === outcome).length;
    io.out(
      `${report.steps.length} connection(s): ${count('copied')} copied, ${count('unchanged')} already there, ${report.steps.length - count('copied') - count('unchanged')} not moved.`,
    );
    return report.ok ? 0 : 1;
  } catch (error) {
    io.err(error instanceof LedgerError ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (const ledger of opened) await ledger.close().catch(() => undefined);
  }
}

function progressLine(step: MigrationStep): string {
  return `${step.outcome.padEnd(20)} ${escapeControls(step.key)}: ${escapeControls(step.message)}`;
}

function usage(io: Io, message: string): number {
  io.err(`${redact(message)}\nRun xero-guard-ledger --help for usage.`);
  return 2;
}

if (require.main === module) runCommand(main);
