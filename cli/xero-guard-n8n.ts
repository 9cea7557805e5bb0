#!/usr/bin/env node
/**
 * The `xero-guard-n8n` command, over the converter library in n8n/convert/ (which stays free of files
 * and processes, so the tests drive it on strings):
 *
 * xero-guard-n8n convert-workflows <exported .json files or folders> [--credential <name>] [--credential-id <id>]
 *                                  [--credentials <credentials export .json>] [--write]
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import {
  chooseCredential,
  ConversionInputError,
  convertText,
  guardedCredentialsIn,
  GUARDED_CREDENTIAL,
  parseJson,
  workflowsOf,
  type CredentialRef,
} from '../n8n/convert/convert';
import { runCommand } from './run-command';

export const USAGE = `Usage: xero-guard-n8n convert-workflows <workflow .json files or folders> [options]

Rewrites every node of n8n's own Xero node (n8n-nodes-base.xero) into the Xero Guard node, with the
same resource, operation and fields, on a guarded Xero credential. Connections, positions, names and
expressions stay as they are. Files with nothing to convert are left untouched.

Options:
  --credential <name>       the guarded credential to use (its name in n8n); default: the only one found
  --credential-id <id>      its id, when you know it (n8n shows it in the credential's URL)
  --credentials <file>      an export of n8n's credentials (n8n export:credentials --all) to find it in
  --write                   overwrite the input files instead of writing <name>.xero-guard.json next to them
  -h, --help                this text
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface Options {
  paths: string[];
  write: boolean;
  credential?: string;
  credentialId?: string;
  credentialFiles: string[];
}

function parseArgs(args: string[]): Options | 'help' {
  const o: Options = { paths: [], write: false, credentialFiles: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new ConversionInputError(`${a} needs a value.`);
      return v;
    };
    if (a === '--write') o.write = true;
    else if (a === '--credential') o.credential = value();
    else if (a === '--credential-id') o.credentialId = value();
    else if (a === '--credentials') o.credentialFiles.push(value());
    else if (a === '-h' || a === '--help') return 'help';
    else if (a.startsWith('-')) throw new ConversionInputError(`Unknown option ${a}.`);
    else o.paths.push(a);
  }
  if (!o.paths.length) throw new ConversionInputError('Name at least one exported workflow .json file or a folder of them.');
  return o;
}

const OUTPUT_SUFFIX = '.xero-guard.json';

/** The .json files to read: those named, and those directly inside named folders (not earlier outputs). */
function inputFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new ConversionInputError(`${p} does not exist.`);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith('.json') && !f.endsWith(OUTPUT_SUFFIX) && statSync(join(p, f)).isFile()) files.push(join(p, f));
    } else files.push(p);
  }
  return files;
}

function credentialsFromExport(file: string): CredentialRef[] {
  const data = parseJson(readFileSync(file, 'utf8'), file);
  const list = Array.isArray(data) ? data : [data];
  return list
    .filter(
      (c): c is { id?: unknown; name: string; type: string } =>
        typeof c === 'object' && c !== null && (c as { type?: unknown }).type === GUARDED_CREDENTIAL && typeof (c as { name?: unknown }).name === 'string',
    )
    .map((c) => ({ ...(typeof c.id === 'string' ? { id: c.id } : {}), name: c.name }));
}

export const outputPathFor = (file: string): string => join(dirname(file), `${basename(file, extname(file))}${OUTPUT_SUFFIX}`);

/** Runs the command; returns the exit code (0 done, 1 some file refused, 2 nothing could run). */
export function convertWorkflowsCommand(args: string[], io: CliIo): number {
  let options: Options;
  try {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      io.out(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let refused = 0;
  const loaded: Array<{ file: string; text: string; data: unknown }> = [];
  let files: string[];
  try {
    files = inputFiles(options.paths);
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  for (const file of files) {
    try {
      const text = readFileSync(file, 'utf8');
      const data = parseJson(text, file);
      workflowsOf(data, file);
      loaded.push({ file, text, data });
    } catch (error) {
      refused++;
      io.err(`refused: ${(error as Error).message}`);
    }
  }
  let credential: CredentialRef;
  try {
    const known = [...options.credentialFiles.flatMap(credentialsFromExport), ...guardedCredentialsIn(loaded.flatMap((l) => workflowsOf(l.data, l.file)))];
    const unique = [...new Map(known.map((c) => [`${c.id ?? ''}|${c.name}`, c])).values()];
    credential = chooseCredential(unique, { name: options.credential, id: options.credentialId });
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  for (const { file, text, data } of loaded) {
    const result = convertText(text, file, data, credential);
    if (result.text === null) {
      io.out(`${file}: nothing to convert (left as it was)`);
      continue;
    }
    const target = options.write ? file : outputPathFor(file);
    writeFileSync(target, result.text);
    io.out(
      `${file}: converted ${result.converted} Xero node${result.converted === 1 ? '' : 's'} to Xero Guard on credential "${credential.name}" -> ${target}`,
    );
    for (const n of result.notes) io.out(`  left alone: workflow "${n.workflow}", node "${n.node}", field "${n.field}": ${n.reason}`);
  }
  return refused ? 1 : 0;
}

export function main(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === 'convert-workflows') return convertWorkflowsCommand(rest, io);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  io.err(`Unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

if (require.main === module) runCommand((argv) => main(argv, { out: (l) => console.log(l), err: (l) => console.error(l) }));
