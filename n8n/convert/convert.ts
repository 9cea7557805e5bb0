/**
 * Rewrites n8n's own Xero nodes (n8n-nodes-base.xero, and its AI tool form) in exported workflow JSON
 * into Xero Guard nodes on the guarded credential. Pure: text in, text out, notes for the user.
 * Which fields exist comes from the manifest read out of n8n-nodes-base 2.41.1 (tools/n8n/xero-manifest.ts).
 */
import { N8N_CREDENTIAL_TYPE } from '../../src/host/credential-type';
import { findJsonFault } from './json-position';
import manifestJson from './n8n-xero-2.41.1.json';

export interface ManifestField {
  type: string;
  default: unknown;
  values?: unknown[];
  fields?: Record<string, ManifestField>;
}
interface Manifest {
  resource: { default: string; values: string[] };
  operations: Record<string, { default: string; values: string[] }>;
  fields: Record<string, Record<string, ManifestField>>;
}
export const N8N_XERO: Manifest = manifestJson as Manifest;

export const SOURCE_TYPES: Record<string, string> = {
  'n8n-nodes-base.xero': 'n8n-nodes-xero-guard.xeroGuard',
  'n8n-nodes-base.xeroTool': 'n8n-nodes-xero-guard.xeroGuardTool',
};
export const SOURCE_CREDENTIAL = 'xeroOAuth2Api';
export const GUARDED_CREDENTIAL = N8N_CREDENTIAL_TYPE;
/** Parameters n8n adds to every node used as an AI tool. */
const TOOL_PARAMETERS = new Set(['descriptionType', 'toolDescription']);

export interface CredentialRef {
  id?: string;
  name: string;
}

/** Something left alone, named so the user can find it in the editor. */
export interface ConversionNote {
  workflow: string;
  node: string;
  field: string;
  reason: string;
}

export class ConversionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionInputError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

export function parseJson(text: string, file: string): unknown {
  try {
    // A byte order mark is how some editors save UTF-8; n8n's own import accepts it.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const fault = findJsonFault(text) ?? { offset: text.length, found: error instanceof Error ? error.message : String(error) };
    const { line, column } = lineAndColumn(text, fault.offset);
    throw new ConversionInputError(
      `${file} is not valid JSON at line ${line}, column ${column} (found ${fault.found}). Export the workflow again from n8n (Download, or n8n export:workflow) and retry; the file was left untouched.`,
    );
  }
}

/** The workflows of an export: one workflow object, or the array `n8n export:workflow --all` writes. */
export function workflowsOf(data: unknown, file: string): Json[] {
  const list = Array.isArray(data) ? data : [data];
  list.forEach((w, i) => {
    const where = Array.isArray(data) ? `entry ${i + 1} of the top-level array` : 'the top level';
    if (!isObject(w))
      throw new ConversionInputError(
        `${file} is not an n8n workflow export: ${where} is not an object. Expected the JSON n8n downloads for a workflow ({"nodes": [...], "connections": {...}}).`,
      );
    if (!Array.isArray(w.nodes))
      throw new ConversionInputError(`${file} is not an n8n workflow export: ${where} has no "nodes" list. Expected the JSON n8n downloads for a workflow.`);
    if (w.connections !== undefined && !isObject(w.connections))
      throw new ConversionInputError(`${file} is not an n8n workflow export: "connections" of ${where} is not an object.`);
    w.nodes.forEach((n, j) => {
      if (!isObject(n) || typeof n.type !== 'string')
        throw new ConversionInputError(`${file} is not an n8n workflow export: node ${j + 1} of ${where} has no "type".`);
    });
  });
  return list as Json[];
}

/** Guarded credentials a set of workflows already uses (for "the only one"). */
export function guardedCredentialsIn(workflows: Json[]): CredentialRef[] {
  const found = new Map<string, CredentialRef>();
  for (const w of workflows)
    for (const n of w.nodes as Json[]) {
      const ref = isObject(n.credentials) ? n.credentials[GUARDED_CREDENTIAL] : undefined;
      if (isObject(ref) && typeof ref.name === 'string')
        found.set(`${String(ref.id ?? '')}|${ref.name}`, { ...(typeof ref.id === 'string' ? { id: ref.id } : {}), name: ref.name });
    }
  return [...found.values()];
}

/** n8n's Xero node lists an organisation by ID; ours takes a resource locator with the same name. */
function organisationLocator(value: unknown): Json {
  if (isObject(value) && value.__rl === true) return value;
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return { __rl: true, mode: text ? 'id' : 'list', value: text };
}

const UNKNOWN =
  "not a field of n8n's Xero node 2.41.1: copied into the file as it was, but neither node reads it and n8n drops it when the node is saved again; check what it was for";

/** Notes for every value inside a collection or fixedCollection that n8n's own node does not have. */
function checkValue(value: unknown, field: ManifestField, path: string, note: (field: string, reason: string) => void): void {
  if (typeof value === 'string' && value.startsWith('=')) return; // an expression: kept as written
  if (field.type === 'collection' && isObject(value) && field.fields) {
    for (const [k, v] of Object.entries(value)) {
      const inner = field.fields[k];
      if (!inner) note(`${path}.${k}`, UNKNOWN);
      else checkValue(v, inner, `${path}.${k}`, note);
    }
  }
  if (field.type === 'fixedCollection' && isObject(value) && field.fields) {
    for (const [group, entries] of Object.entries(value)) {
      const g = field.fields[group];
      if (!g) {
        note(`${path}.${group}`, UNKNOWN);
        continue;
      }
      const list = Array.isArray(entries) ? entries : [entries];
      list.forEach((entry, i) => {
        if (!isObject(entry)) return;
        for (const k of Object.keys(entry)) if (!g.fields?.[k]) note(`${path}.${group}[${i}].${k}`, UNKNOWN);
      });
    }
  }
}

/** Converts one node in place; returns false when it is not one of n8n's Xero nodes. */
export function convertNode(node: Json, workflow: string, credential: CredentialRef, notes: ConversionNote[]): boolean {
  const target = SOURCE_TYPES[node.type as string];
  if (!target) return false;
  const name = typeof node.name === 'string' ? node.name : '(unnamed node)';
  const note = (field: string, reason: string) => notes.push({ workflow, node: name, field, reason });
  if (node.typeVersion !== undefined && node.typeVersion !== 1)
    note('typeVersion', `n8n's Xero node version ${String(node.typeVersion)} is not 2.41.1's version 1; converted as version 1, check the fields`);

  const parameters: Json = isObject(node.parameters) ? { ...node.parameters } : {};
  const resource = typeof parameters.resource === 'string' ? parameters.resource : N8N_XERO.resource.default;
  const operations = N8N_XERO.operations[resource];
  const operation = typeof parameters.operation === 'string' ? parameters.operation : operations?.default;
  const fields = N8N_XERO.fields[`${resource}.${operation}`];
  if (!operations || !fields) {
    note(
      resource.startsWith('=') || String(operation).startsWith('=') ? 'resource/operation' : `${resource}.${String(operation)}`,
      "resource and operation are not ones of n8n's Xero node 2.41.1 (or are expressions); the node was converted as written, check it in the editor",
    );
  }
  // Written out, so the converted node never depends on which defaults the two nodes share.
  const out: Json = { resource, operation };
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'resource' || key === 'operation') continue;
    if (key === 'organizationId') {
      out.organizationId = organisationLocator(value);
      continue;
    }
    out[key] = value;
    if (TOOL_PARAMETERS.has(key) || !fields) continue;
    const field = fields[key];
    if (!field) note(key, `${UNKNOWN} (for ${resource} ${String(operation)})`);
    else checkValue(value, field, key, note);
  }
  if (!('organizationId' in out)) out.organizationId = organisationLocator('');

  node.type = target;
  node.typeVersion = 1;
  node.parameters = out;
  const credentials: Json = isObject(node.credentials) ? { ...node.credentials } : {};
  delete credentials[SOURCE_CREDENTIAL];
  credentials[GUARDED_CREDENTIAL] = { ...(credential.id ? { id: credential.id } : {}), name: credential.name };
  node.credentials = credentials;
  return true;
}

export function countSourceNodes(workflows: Json[]): number {
  return workflows.reduce((sum, w) => sum + (w.nodes as Json[]).filter((n) => SOURCE_TYPES[n.type as string]).length, 0);
}

export interface FileResult {
  /** The converted text, or null when there was nothing to convert (the file stays as it was). */
  text: string | null;
  converted: number;
  notes: ConversionNote[];
}

/** Indentation and final newline of the input, so a converted file diffs cleanly against it. */
function layoutOf(text: string): { indent: string | number; newline: boolean } {
  const m = /^[{[]\r?\n([ \t]+)/.exec(text);
  return { indent: m ? (m[1].startsWith('\t') ? '\t' : m[1].length) : text.includes('\n') ? 2 : 0, newline: text.endsWith('\n') };
}

export function convertText(text: string, file: string, data: unknown, credential: CredentialRef): FileResult {
  const workflows = workflowsOf(data, file);
  if (countSourceNodes(workflows) === 0) return { text: null, converted: 0, notes: [] };
  const notes: ConversionNote[] = [];
  let converted = 0;
  for (const w of workflows) {
    const wname = typeof w.name === 'string' ? w.name : file;
    for (const n of w.nodes as Json[]) if (convertNode(n, wname, credential, notes)) converted++;
  }
  const { indent, newline } = layoutOf(text);
  const body = JSON.stringify(Array.isArray(data) ? workflows : workflows[0], null, indent);
  return { text: newline ? `${body}\n` : body, converted, notes };
}

/** The guarded credential to point at: the one named, or the only one known. */
export function chooseCredential(known: CredentialRef[], wanted: { name?: string; id?: string }): CredentialRef {
  if (wanted.id || wanted.name) {
    const match = known.find((c) => (wanted.id ? c.id === wanted.id : c.name === wanted.name));
    if (match) return match;
    if (wanted.name) return { ...(wanted.id ? { id: wanted.id } : {}), name: wanted.name };
    throw new ConversionInputError(`No guarded Xero credential with id ${wanted.id} is known: give its name too (--credential "<name>").`);
  }
  if (known.length === 1) return known[0];
  if (known.length === 0)
    throw new ConversionInputError(
      'No guarded Xero credential found to point the nodes at. Create a "Xero OAuth2 (Guarded) API" credential in n8n and connect it, then pass its name: --credential "<name>" (or pass a credentials export with --credentials <file>).',
    );
  throw new ConversionInputError(
    `Several guarded Xero credentials are in use (${known.map((c) => `"${c.name}"`).join(', ')}): choose one with --credential "<name>".`,
  );
}
