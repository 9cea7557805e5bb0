/**
 * Reading an n8n workflow export: JSON text into workflows, refused with the file, line and column when it is
 * not one. The text comes from anywhere (a shared workflow, a download), so its depth is bounded before any
 * step that recurses per level: JSON.stringify, the fault finder.
 */
import { N8N_CREDENTIAL_TYPE } from '../../src/host/credential-type';
import { findJsonFault, findTooDeep } from './json-position';

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** n8n's own Xero credential, and ours. */
export const SOURCE_CREDENTIAL = 'xeroOAuth2Api';
export const GUARDED_CREDENTIAL = N8N_CREDENTIAL_TYPE;

export interface CredentialRef {
  id?: string;
  name: string;
}

/**
 * Deeper than any workflow n8n writes (a node's parameters nest a few levels; pinned data holds API answers,
 * a few dozen), and far inside what JSON.stringify survives on Node's default stack (about 4,000 levels on Node 24).
 */
export const MAX_NESTING = 1000;

export class ConversionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionInputError';
  }
}

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** Refuses text nested deeper than MAX_NESTING, saying where, before anything that recurses per level reads it. */
export function refuseTooDeep(text: string, file: string): void {
  const tooDeep = findTooDeep(text, MAX_NESTING);
  if (tooDeep === null) return;
  const { line, column } = lineAndColumn(text, tooDeep);
  throw new ConversionInputError(
    `${file} nests lists and objects more than ${MAX_NESTING} levels deep (at line ${line}, column ${column}): no workflow n8n exports is built like that, so it is not converted. Pinned data is the usual place: unpin it in n8n and export again; the file was left untouched.`,
  );
}

export function parseJson(text: string, file: string): unknown {
  refuseTooDeep(text, file);
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

/** Points the node at the guarded credential in place of n8n's Xero credential; returns the name of the one it was on, if it had one. */
export function moveToGuardedCredential(node: Json, credential: CredentialRef): string | null {
  const credentials: Json = isObject(node.credentials) ? { ...node.credentials } : {};
  const old = credentials[SOURCE_CREDENTIAL];
  delete credentials[SOURCE_CREDENTIAL];
  credentials[GUARDED_CREDENTIAL] = { ...(credential.id ? { id: credential.id } : {}), name: credential.name };
  node.credentials = credentials;
  return isObject(old) && typeof old.name === 'string' ? old.name : null;
}
