/**
 * The node description n8n's editor reads, against the one generated from main at 3ec9e5b (before the
 * resources were planned straight into the core's request options): the same resources, operations,
 * fields, defaults and texts, field for field as each operation shows them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';

const before = JSON.parse(readFileSync(join(__dirname, 'description-3ec9e5b.json'), 'utf8')) as INodeTypeDescription;
const after = JSON.parse(JSON.stringify(new XeroGuard().description)) as INodeTypeDescription;

const shows = (p: INodeProperties, resource: string, operation: string) => {
  const show = p.displayOptions?.show ?? {};
  return (!show.resource || show.resource.includes(resource)) && (!show.operation || show.operation.includes(operation));
};

/** What the editor shows for one resource and operation: its fields in order, each with the operations it shows for as a set. */
function view(d: INodeTypeDescription, resource: string, operation: string): INodeProperties[] {
  return d.properties
    .filter((p) => shows(p, resource, operation))
    .map((p) => {
      const show = p.displayOptions?.show;
      return show?.operation ? { ...p, displayOptions: { ...p.displayOptions, show: { ...show, operation: [...show.operation].sort() } } } : p;
    });
}

const operationsOf = (d: INodeTypeDescription) =>
  d.properties
    .filter((p) => p.name === 'operation')
    .flatMap((p) => (p.options as Array<{ value: string }>).map((o) => [String(p.displayOptions?.show?.resource?.[0]), o.value] as const));

describe("Xero Guard node: the description n8n's editor reads is the one of 3ec9e5b", () => {
  it('has the same node settings, resources, and operations with the same texts and defaults', () => {
    const { properties: _a, ...rest } = after;
    const { properties: _b, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(after.properties.filter((p) => ['resource', 'operation', 'organizationId', 'xeroGuardSettings'].includes(p.name))).toEqual(
      before.properties.filter((p) => ['resource', 'operation', 'organizationId', 'xeroGuardSettings'].includes(p.name)),
    );
    expect(operationsOf(after)).toEqual(operationsOf(before));
  });

  it.each(operationsOf(before))('%s %s shows the same fields, in the same order, with the same defaults', (resource, operation) => {
    expect(view(after, resource, operation)).toEqual(view(before, resource, operation));
  });

  it('holds every field of 3ec9e5b and no other', () => {
    const names = (d: INodeTypeDescription) => d.properties.map((p) => `${String(p.displayOptions?.show?.resource ?? '')}.${p.name}`).sort();
    expect(names(after)).toEqual(names(before));
  });
});
