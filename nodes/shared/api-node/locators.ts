/**
 * n8n's resource locators (From List, By ID, By Name) in an item's parameters, as the plain IDs a plan
 * takes. A value picked from the list or typed as an ID is its ID already; a name is looked up in the
 * chosen organisation by the node's resolver for that list (one look-up per name and organisation per
 * execution). A plain string, as a workflow converted from n8n's own node holds, is an ID.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { Parameters } from './types';

export interface LocatorChoice {
  mode: string;
  value: string;
}

/** A locator's mode and value; a plain string or number is an ID; null when nothing was given. */
export function readLocator(raw: unknown): LocatorChoice | null {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const rl = raw as { mode?: unknown; value?: unknown };
    const value = typeof rl.value === 'string' ? rl.value.trim() : typeof rl.value === 'number' ? String(rl.value) : '';
    return value ? { mode: typeof rl.mode === 'string' ? rl.mode : 'id', value } : null;
  }
  const value = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
  return value ? { mode: 'id', value } : null;
}

/** Where a locator sits in an item's parameters (on top, or in a collection) and which list names it. */
export interface LocatorPath {
  path: [string] | [string, string];
  list: string;
}

const listOf = (p: INodeProperties): string | undefined =>
  p.type === 'resourceLocator' ? p.modes?.find((m) => m.typeOptions?.searchListMethod)?.typeOptions?.searchListMethod : undefined;

/** The locators among an operation's fields whose list has a resolver (the organisation has its own reader). */
export function locatorPaths(fields: readonly INodeProperties[], lists: ReadonlySet<string>): LocatorPath[] {
  const out: LocatorPath[] = [];
  for (const f of fields) {
    const list = listOf(f);
    if (list && lists.has(list)) out.push({ path: [f.name], list });
    if (f.type === 'collection')
      for (const inner of (f.options ?? []) as INodeProperties[]) {
        const innerList = listOf(inner);
        if (innerList && lists.has(innerList)) out.push({ path: [f.name, inner.name], list: innerList });
      }
  }
  return out;
}

/** The parameters with every locator replaced by the ID `resolve` gives for it. */
export async function withLocators(
  parameters: Parameters,
  paths: readonly LocatorPath[],
  resolve: (list: string, choice: LocatorChoice) => string | Promise<string>,
): Promise<Parameters> {
  const out: Parameters = { ...parameters };
  for (const { path, list } of paths) {
    const holder: IDataObject | undefined = path.length === 1 ? out : (out[path[0]] as IDataObject | undefined);
    const key = path[path.length - 1];
    if (!holder || typeof holder !== 'object' || !(key in holder)) continue;
    const choice = readLocator(holder[key]);
    const resolved = choice ? await resolve(list, choice) : '';
    if (path.length === 1) out[key] = resolved;
    else out[path[0]] = { ...holder, [key]: resolved };
  }
  return out;
}
