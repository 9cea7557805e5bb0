/**
 * Rewrites n8n's own Xero nodes (n8n-nodes-base.xero, and its AI tool form) in exported workflow JSON
 * into Xero Guard nodes on the guarded credential, and moves HTTP Request nodes off n8n's Xero credential
 * (http-request.ts). Pure: text in, text out, the changes, notes and date warnings (xero-dates.ts) for the user.
 * Which fields exist comes from the manifest read out of n8n-nodes-base 2.41.1 (tools/n8n/xero-manifest.ts).
 */
import { moveHttpRequestNode, usesN8nXeroCredential } from './http-request';
import { escapeControls } from '../../src/terminal-text';
import manifestJson from './n8n-xero-2.41.1.json';
import { ConversionInputError, isObject, moveToGuardedCredential, refuseTooDeep, workflowsOf, type CredentialRef, type Json } from './workflow-json';
import { oldDateParsingAfter, type DateWarning } from './xero-dates';

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
/** Parameters n8n adds to every node used as an AI tool. */
const TOOL_PARAMETERS = new Set(['descriptionType', 'toolDescription']);

/** Something left alone, named so the user can find it in the editor. */
export interface ConversionNote {
  workflow: string;
  node: string;
  field: string;
  reason: string;
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

const nameOf = (node: Json): string => (typeof node.name === 'string' ? node.name : '(unnamed node)');

/** Converts one node in place; returns false when it is not one of n8n's Xero nodes. */
export function convertNode(node: Json, workflow: string, credential: CredentialRef, notes: ConversionNote[]): boolean {
  const target = SOURCE_TYPES[node.type as string];
  if (!target) return false;
  const name = nameOf(node);
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
  moveToGuardedCredential(node, credential);
  return true;
}

/** Nodes the converter changes: n8n's Xero nodes, and HTTP Request nodes on n8n's Xero credential. */
export function countSourceNodes(workflows: Json[]): number {
  return workflows.reduce((sum, w) => sum + (w.nodes as Json[]).filter((n) => SOURCE_TYPES[n.type as string] || usesN8nXeroCredential(n)).length, 0);
}

/** One node the converter changed, for the report. */
export interface NodeChange {
  workflow: string;
  node: string;
  /** `xero`: n8n's Xero node (or its tool form) became the Xero Guard node; `httpRequest`: an HTTP Request node moved credential. */
  kind: 'xero' | 'httpRequest';
  /** For httpRequest: the n8n Xero credential it was on (null when the export did not name it). */
  from?: string | null;
}

export interface FileResult {
  /** The converted text, or null when there was nothing to convert (the file stays as it was). */
  text: string | null;
  changes: NodeChange[];
  notes: ConversionNote[];
  /** Expressions after a converted Xero node that parse Xero's `/Date(...)/` form. */
  warnings: DateWarning[];
}

/** Indentation and final newline of the input, so a converted file diffs cleanly against it. */
function layoutOf(text: string): { indent: string | number; newline: boolean } {
  const m = /^[{[]\r?\n([ \t]+)/.exec(text);
  return { indent: m ? (m[1].startsWith('\t') ? '\t' : m[1].length) : text.includes('\n') ? 2 : 0, newline: text.endsWith('\n') };
}

/** `data` is `text` parsed; the text's depth is checked here too, since writing the result recurses per level. */
export function convertText(text: string, file: string, data: unknown, credential: CredentialRef): FileResult {
  refuseTooDeep(text, file);
  const workflows = workflowsOf(data, file);
  if (countSourceNodes(workflows) === 0) return { text: null, changes: [], notes: [], warnings: [] };
  const changes: NodeChange[] = [];
  const notes: ConversionNote[] = [];
  const warnings: DateWarning[] = [];
  for (const w of workflows) {
    const workflow = typeof w.name === 'string' ? w.name : file;
    const converted: string[] = [];
    for (const n of w.nodes as Json[]) {
      if (usesN8nXeroCredential(n)) changes.push({ workflow, node: nameOf(n), kind: 'httpRequest', from: moveHttpRequestNode(n, credential) });
      else if (convertNode(n, workflow, credential, notes)) {
        changes.push({ workflow, node: nameOf(n), kind: 'xero' });
        converted.push(nameOf(n));
      }
    }
    warnings.push(...oldDateParsingAfter(w, workflow, converted));
  }
  const { indent, newline } = layoutOf(text);
  const body = JSON.stringify(Array.isArray(data) ? workflows : workflows[0], null, indent);
  return { text: newline ? `${body}\n` : body, changes, notes, warnings };
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
    `Several guarded Xero credentials are in use (${known.map((c) => `"${escapeControls(c.name)}"`).join(', ')}): choose one with --credential "<name>".`,
  );
}
