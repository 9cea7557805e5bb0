/**
 * Xero's own JSON, which n8n's Xero node passes on, writes dates as `/Date(1714521600000+0000)/`; the Xero Guard
 * node gives ISO dates (`2024-05-01T00:00:00`). An expression after a converted node that takes the old form
 * apart gets something else once the node is converted, so each one is named (node, field, the text) for the
 * user to check. Found by their text: `/Date(` written out or in a regular expression, and the `.substr(6)` /
 * `.slice(6, ...)` idiom on a field named like a date. An HTTP Request node moved to the guarded credential still
 * gets Xero's own JSON, so only the converted Xero nodes are followed.
 */
import { isObject, type Json } from './workflow-json';

export interface DateWarning {
  workflow: string;
  node: string;
  /** Where in the node: `parameters.jsCode`, `parameters.assignments.assignments[0].value`. */
  field: string;
  /** The line of the field that parses the old form, cut to a readable length. */
  text: string;
  /** The converted node it runs after. */
  after: string;
}

const OLD_DATE_FORM = [/\\?\/Date\\?\(/, /Date\w*['"\]]*\s*\??\.\s*(?:substr|substring|slice)\s*\(\s*6\s*[,)]/];
const SHOWN = 160;

/** Node names each node's outputs lead to, over every connection type. */
function targetsOf(connections: unknown): Map<string, string[]> {
  const targets = new Map<string, string[]>();
  if (!isObject(connections)) return targets;
  for (const [source, byType] of Object.entries(connections)) {
    if (!isObject(byType)) continue;
    const list: string[] = [];
    for (const outputs of Object.values(byType))
      for (const output of Array.isArray(outputs) ? outputs : [])
        for (const link of Array.isArray(output) ? output : []) if (isObject(link) && typeof link.node === 'string') list.push(link.node);
    targets.set(source, list);
  }
  return targets;
}

/** Every node after the converted ones, each with the first converted node it was reached from. */
function downstreamOf(connections: unknown, converted: string[]): Map<string, string> {
  const targets = targetsOf(connections);
  const reached = new Map<string, string>();
  const queue: Array<[string, string]> = converted.flatMap((name) => (targets.get(name) ?? []).map((t): [string, string] => [t, name]));
  for (let i = 0; i < queue.length; i++) {
    const [name, after] = queue[i];
    if (reached.has(name)) continue;
    reached.set(name, after);
    for (const next of targets.get(name) ?? []) queue.push([next, after]);
  }
  return reached;
}

/** The matching line of a text, trimmed and cut. */
function shownLine(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  const line = text.slice(start, end === -1 ? undefined : end).trim();
  return line.length > SHOWN ? `${line.slice(0, SHOWN - 1)}…` : line;
}

/** Each string inside a node's parameters that parses Xero's old date form, in document order, walked without recursion. */
function oldDateFields(parameters: unknown): Array<{ field: string; text: string }> {
  const found: Array<{ field: string; text: string }> = [];
  const stack: Array<[unknown, string]> = [[parameters, 'parameters']];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      for (const pattern of OLD_DATE_FORM) {
        const m = pattern.exec(value);
        if (m) {
          found.push({ field: path, text: shownLine(value, m.index) });
          break;
        }
      }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value).reverse()) stack.push([v, `${path}.${k}`]);
    }
  }
  return found;
}

export function oldDateParsingAfter(workflow: Json, workflowName: string, converted: string[]): DateWarning[] {
  if (converted.length === 0) return [];
  const reached = downstreamOf(workflow.connections, converted);
  const warnings: DateWarning[] = [];
  for (const node of workflow.nodes as Json[]) {
    const after = typeof node.name === 'string' ? reached.get(node.name) : undefined;
    if (after === undefined) continue;
    for (const { field, text } of oldDateFields(node.parameters)) warnings.push({ workflow: workflowName, node: node.name as string, field, text, after });
  }
  return warnings;
}
