/**
 * The engines of this Node-RED runtime, from the core's reference-counted registry: what is
 * Node-RED's own here is where the ledger lives by default (<userDir>/xero-guard) and where its
 * key comes from (a key file, else credentialSecret).
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LedgerUnavailableError } from '../../src/errors';
import { EngineRegistry, type EngineSpec, type SharedEngine } from '../../src/host';
import { createLedger, type CreateLedgerOptions } from '../../src/ledger';
import type { RED } from './red';
import { runtimeOptions, userDirOf, type ConnectionSettings } from './settings';

/** The engines of this Node-RED runtime: the xero-connection nodes' sessions and the editor's routes share them. */
export const engines = EngineRegistry.shared('node-red-xero-guard.engines');

/**
 * The key that seals tokens at rest. A key file written by an earlier start wins (so setting
 * credentialSecret later does not orphan the ledger); else Node-RED's credentialSecret; else a
 * random key generated once and kept in <userDir>/xero-guard.key with mode 0600, next to the
 * default ledger and Node-RED's own flows_cred.json. Node-RED's generated `_credentialSecret`
 * is an internal of its runtime settings file, so it is not borrowed.
 */
export function encryptionKey(red: RED): { key: string; source: string } {
  const file = join(userDirOf(red), 'xero-guard.key');
  const existing = readKeyFile(file);
  if (existing) return { key: existing, source: file };
  const secret = red.settings?.credentialSecret;
  if (typeof secret === 'string' && secret !== '') return { key: secret, source: 'credentialSecret' };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(32).toString('base64url'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link() never replaces: of two processes starting at once, one key wins and both use it.
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  const written = readKeyFile(file);
  if (!written) throw new LedgerUnavailableError(`The Xero Guard key file ${file} is empty: delete it and restart Node-RED to generate a new one.`);
  return { key: written, source: file };
}

function readKeyFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Options for createLedger: the node's choice, with the default folder in the userDir. A PostgreSQL
 * or Redis ledger spools a token set whose write failed to <userDir>/xero-guard-spool (Invariant 14;
 * the file ledger spools inside its own folder).
 */
export function ledgerOptions(red: RED, settings: ConnectionSettings, key: { key: string; source: string }): CreateLedgerOptions {
  // A credentialSecret is typed by a person: seal with a memory-hard derivation. The key file holds 32 random bytes.
  const keyKind = key.source === 'credentialSecret' ? ('passphrase' as const) : ('random' as const);
  const base = { encryptionKey: key.key, keyKind, clock: runtimeOptions(red).clock };
  const spoolFolder = resolve(userDirOf(red), 'xero-guard-spool');
  switch (settings.ledger.kind) {
    case 'postgres':
      return { ...base, kind: 'postgres', connectionString: settings.ledger.postgresUrl, spoolFolder };
    case 'redis':
      return { ...base, kind: 'redis', redisUrl: settings.ledger.redisUrl, spoolFolder };
    default:
      return { ...base, kind: 'file', directory: settings.ledger.folder || join(userDirOf(red), 'xero-guard') };
  }
}

/** A file ledger's folder must exist and be a folder we can write: say so now, not at the first refresh. */
function probeFolder(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    accessSync(directory, constants.W_OK);
    if (!statSync(directory).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new LedgerUnavailableError(
      `The Xero Guard file ledger folder ${directory} cannot be used (${e.code ?? e.message}): set "Ledger folder" in the xero-connection node to a folder Node-RED can write, or leave it empty for <userDir>/xero-guard.`,
    );
  }
}

/** The engine a xero-connection's settings need: its ledger (and key), endpoints, clock and policy. */
export function engineSpec(red: RED, settings: ConnectionSettings): EngineSpec {
  const own = runtimeOptions(red);
  return {
    ledger: ledgerOptions(red, settings, encryptionKey(red)),
    // Connects now, so a database that is down shows on the node's status at deploy.
    openLedger: (options) => {
      if (options.kind === 'file' && options.directory) probeFolder(options.directory);
      return createLedger(options);
    },
    endpoints: settings.endpoints,
    clock: own.clock,
    policy: own.policy,
  };
}

/** Runs `work` on a shared engine for a moment (the editor's routes, a connect before a deploy), and gives it back. */
export async function withEngine<T>(red: RED, settings: ConnectionSettings, work: (shared: SharedEngine) => Promise<T>): Promise<T> {
  const shared = await engines.acquire(engineSpec(red, settings));
  try {
    return await work(shared);
  } finally {
    await engines.release(shared);
  }
}
