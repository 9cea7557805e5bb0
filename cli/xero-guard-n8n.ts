#!/usr/bin/env node
/**
 * The `xero-guard-n8n` command, over the converter library in n8n/convert/ (which stays free of files
 * and processes, so the tests drive it on strings):
 *
 * xero-guard-n8n convert-workflows <exported .json files or folders> [--credential <name>] [--credential-id <id>]
 *                                  [--credentials <credentials export .json>] [--write] [--overwrite]
 *
 * Its files are read and written by workflow-files.ts (no link followed, nothing replaced unasked, atomic writes).
 */
import { basename, dirname, extname, join } from 'node:path';
import { chooseCredential, convertText, type FileResult } from '../n8n/convert/convert';
import { ConversionInputError, GUARDED_CREDENTIAL, guardedCredentialsIn, parseJson, workflowsOf, type CredentialRef } from '../n8n/convert/workflow-json';
import { escapeControls } from '../src/terminal-text';
import { processIo, runCommand, terminalSafe, type CommandIo } from './run-command';
import { listInputs, readInput, shown, writeOutput } from './workflow-files';

export const USAGE = `Usage: xero-guard-n8n convert-workflows <workflow .json files or folders> [options]

Rewrites every node of n8n's own Xero node (n8n-nodes-base.xero) into the Xero Guard node, with the
same resource, operation and fields, and moves every HTTP Request node on n8n's own Xero credential to
the guarded Xero credential. Connections, positions, names and expressions stay as they are. Files with
nothing to convert are left untouched. The result is <name>.xero-guard.json next to each input.

Options:
  --credential <name>       the guarded credential to use (its name in n8n); default: the only one found
  --credential-id <id>      its id, when you know it (n8n shows it in the credential's URL)
  --credentials <file>      an export of n8n's credentials (n8n export:credentials --all) to find it in
  --write                   overwrite the input files instead of writing <name>.xero-guard.json next to them
  --overwrite               replace a <name>.xero-guard.json that exists already (kept otherwise)
  -h, --help                this text

Symbolic links are not followed, as inputs or outputs. Exit status: 0 done, 1 a file was refused (the
others are still converted), 2 nothing could run (bad usage, no credential to point at).
`;

interface Options {
  paths: string[];
  write: boolean;
  overwrite: boolean;
  credential?: string;
  credentialId?: string;
  credentialFiles: string[];
}

function parseArgs(args: string[]): Options | 'help' {
  const o: Options = { paths: [], write: false, overwrite: false, credentialFiles: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new ConversionInputError(`${a} needs a value.`);
      return v;
    };
    if (a === '--write') o.write = true;
    else if (a === '--overwrite') o.overwrite = true;
    else if (a === '--credential') o.credential = value();
    else if (a === '--credential-id') o.credentialId = value();
    else if (a === '--credentials') o.credentialFiles.push(value());
    else if (a === '-h' || a === '--help') return 'help';
    else if (a.startsWith('-')) throw new ConversionInputError(`Unknown option ${escapeControls(a)}.`);
    else o.paths.push(a);
  }
  if (!o.paths.length) throw new ConversionInputError('Name at least one exported workflow .json file or a folder of them.');
  return o;
}

const OUTPUT_SUFFIX = '.xero-guard.json';

export const outputPathFor = (file: string): string => join(dirname(file), `${basename(file, extname(file))}${OUTPUT_SUFFIX}`);

async function credentialsFromExport(file: string): Promise<CredentialRef[]> {
  const data = parseJson((await readInput(file)).text, shown(file));
  const list = Array.isArray(data) ? data : [data];
  return list
    .filter(
      (c): c is { id?: unknown; name: string; type: string } =>
        typeof c === 'object' && c !== null && (c as { type?: unknown }).type === GUARDED_CREDENTIAL && typeof (c as { name?: unknown }).name === 'string',
    )
    .map((c) => ({ ...(typeof c.id === 'string' ? { id: c.id } : {}), name: c.name }));
}

/** Why a file was refused, naming it: the converter's own words, or what the system said. */
function refusal(error: unknown, file: string): string {
  if (error instanceof ConversionInputError) return error.message;
  return `${shown(file)} could not be converted: ${escapeControls(error instanceof Error ? error.message : String(error))}`;
}

const quoted = (text: string): string => `"${escapeControls(text)}"`;
const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** What was done to one file, node by node; every name in it is escaped, since a workflow names its nodes freely. */
function report(file: string, target: string, result: FileResult, credential: CredentialRef): string[] {
  const xero = result.changes.filter((c) => c.kind === 'xero');
  const http = result.changes.filter((c) => c.kind === 'httpRequest');
  const done = [
    ...(xero.length ? [`converted ${count(xero.length, 'Xero node')} to Xero Guard`] : []),
    ...(http.length ? [`moved ${count(http.length, 'HTTP Request node')} off n8n's Xero credential`] : []),
  ].join(' and ');
  const where = (c: { workflow: string; node: string }) => `workflow ${quoted(c.workflow)}, node ${quoted(c.node)}`;
  return [
    `${shown(file)}: ${done}, onto credential ${quoted(credential.name)} -> ${shown(target)}`,
    ...xero.map((c) => `  converted: ${where(c)}: n8n's Xero node -> Xero Guard`),
    ...http.map((c) => `  moved: ${where(c)}: HTTP Request on n8n's Xero credential${c.from ? ` ${quoted(c.from)}` : ''} -> ${quoted(credential.name)}`),
    ...result.notes.map((n) => `  left alone: ${where(n)}, field ${quoted(n.field)}: ${n.reason}`),
    ...result.warnings.map(
      (w) =>
        `  warning: ${where(w)}, field ${quoted(w.field)} runs after ${quoted(w.after)} and parses Xero's /Date(...)/ form, but Xero Guard gives ISO dates (2024-05-01T00:00:00); check it: ${escapeControls(w.text)}`,
    ),
  ];
}

/** Runs the command; resolves to the exit code (0 done, 1 some file refused, 2 nothing could run). */
export async function convertWorkflowsCommand(args: string[], io: CommandIo): Promise<number> {
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
  const { files, refusals } = await listInputs(options.paths, (name) => name.endsWith(OUTPUT_SUFFIX));
  let refused = refusals.length;
  for (const message of refusals) io.err(`refused: ${message}`);

  // First pass: which files are workflows, and which guarded credentials they use. One file in memory at a time.
  const workflowFiles: string[] = [];
  const known: CredentialRef[] = [];
  for (const file of files) {
    try {
      const data = parseJson((await readInput(file)).text, shown(file));
      known.push(...guardedCredentialsIn(workflowsOf(data, shown(file))));
      workflowFiles.push(file);
    } catch (error) {
      refused++;
      io.err(`refused: ${refusal(error, file)}`);
    }
  }
  let credential: CredentialRef;
  try {
    for (const file of options.credentialFiles) known.push(...(await credentialsFromExport(file)));
    const unique = [...new Map(known.map((c) => [`${c.id ?? ''}|${c.name}`, c])).values()];
    credential = chooseCredential(unique, { name: options.credential, id: options.credentialId });
  } catch (error) {
    io.err(error instanceof ConversionInputError ? error.message : String(error));
    return 2;
  }

  // Second pass: each file converted and written on its own; one that fails is refused and the rest go on.
  for (const file of workflowFiles) {
    try {
      const { text, mode } = await readInput(file);
      const result = convertText(text, shown(file), parseJson(text, shown(file)), credential);
      if (result.text === null) {
        io.out(`${shown(file)}: nothing to convert (left as it was)`);
        continue;
      }
      const target = options.write ? file : outputPathFor(file);
      await writeOutput(target, result.text, { replace: options.write || options.overwrite, mode });
      for (const line of report(file, target, result, credential)) io.out(line);
    } catch (error) {
      refused++;
      io.err(`refused: ${refusal(error, file)}`);
    }
  }
  return refused ? 1 : 0;
}

export async function main(argv: string[], given: CommandIo = processIo): Promise<number> {
  const io = terminalSafe(given);
  const [command, ...rest] = argv;
  if (command === 'convert-workflows') return convertWorkflowsCommand(rest, io);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  io.err(`Unknown command ${quoted(command)}.\n\n${USAGE}`);
  return 2;
}

if (require.main === module) runCommand((argv) => main(argv));
