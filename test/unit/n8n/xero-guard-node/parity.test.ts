import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';
import { N8N_XERO, type ManifestField } from '../../../../n8n/convert/convert';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';
import { manifestOf, type RawProperty } from '../../../../tools/n8n/xero-manifest-lib';

const ours = new XeroGuard().description.properties;

const shownFor = (p: INodeProperties, resource: string, operation: string) => {
  const show = p.displayOptions?.show ?? {};
  return (!show.resource || (show.resource as unknown[]).includes(resource)) && (!show.operation || (show.operation as unknown[]).includes(operation));
};

/**
 * The deliberate changes, by field name (issue 25): every field that takes a contact is a resource locator
 * (from a list, by ID, by name; a converted workflow's plain ID is read as By ID), and the tax type is the
 * organisation's own list, which still takes n8n's four codes (arbitrary values are allowed).
 */
const DELIBERATE: Record<string, (mine: INodeProperties, theirs: ManifestField) => void> = {
  contactId: (mine) => {
    expect(mine.type).toBe('resourceLocator');
    expect(mine.modes?.map((m) => m.name)).toEqual(['list', 'id', 'name']);
  },
  taxType: (mine, theirs) => {
    expect([mine.type, theirs.type]).toEqual(['options', 'options']);
    expect(mine.typeOptions?.loadOptionsMethod).toBe('getTaxTypes');
    expect(mine.allowArbitraryValues).toBe(true);
    expect(mine.default).toBe(theirs.default);
  },
};

/** Our field against n8n's: same name, type and default, at least n8n's option values, the same inner fields. */
function expectSameField(mine: INodeProperties | undefined, theirs: ManifestField, path: string): void {
  expect({ path, found: mine !== undefined }).toEqual({ path, found: true });
  if (!mine) return;
  const deliberate = DELIBERATE[mine.name];
  if (deliberate) {
    deliberate(mine, theirs);
    return;
  }
  expect({ path, type: mine.type }).toEqual({ path, type: theirs.type });
  expect({ path, default: mine.default }).toEqual({ path, default: theirs.default });
  if (theirs.values) {
    const values = ((mine.options ?? []) as INodePropertyOptions[]).map((o) => o.value);
    expect({ path, values: theirs.values.filter((v) => !values.includes(v as string)) }).toEqual({ path, values: [] });
  }
  if (theirs.type === 'collection')
    for (const [name, inner] of Object.entries(theirs.fields ?? {}))
      expectSameField(
        ((mine.options ?? []) as INodeProperties[]).find((o) => o.name === name),
        inner,
        `${path}.${name}`,
      );
  if (theirs.type === 'fixedCollection')
    for (const [group, g] of Object.entries(theirs.fields ?? {})) {
      const mineGroup = ((mine.options ?? []) as INodePropertyCollection[]).find((o) => o.name === group);
      expect({ path: `${path}.${group}`, found: mineGroup !== undefined }).toEqual({ path: `${path}.${group}`, found: true });
      for (const [name, inner] of Object.entries(g.fields ?? {}))
        expectSameField(
          mineGroup?.values.find((v) => v.name === name),
          inner,
          `${path}.${group}.${name}`,
        );
    }
}

describe("Xero Guard node: every field of n8n 2.41.1's own Xero node, same name and meaning", () => {
  it('offers every resource and operation, with the same defaults', () => {
    const resource = ours.find((p) => p.name === 'resource') as INodeProperties;
    expect(resource.default).toBe(N8N_XERO.resource.default);
    for (const r of N8N_XERO.resource.values) {
      expect((resource.options as INodePropertyOptions[]).map((o) => o.value)).toContain(r);
      const op = ours.find((p) => p.name === 'operation' && shownFor(p, r, '')) as INodeProperties;
      expect(op.default).toBe(N8N_XERO.operations[r].default);
      expect((op.options as INodePropertyOptions[]).map((o) => o.value)).toEqual(expect.arrayContaining(N8N_XERO.operations[r].values));
    }
  });

  it.each(Object.keys(N8N_XERO.fields))('%s: every field', (key) => {
    const [resource, operation] = key.split('.');
    for (const [name, field] of Object.entries(N8N_XERO.fields[key])) {
      const mine = ours.find((p) => p.name === name && shownFor(p, resource, operation));
      if (name === 'organizationId') {
        // The one deliberate change: the organisation is a resource locator (list, ID, name), same name.
        expect(mine?.type).toBe('resourceLocator');
        continue;
      }
      expectSameField(mine, field, `${key}.${name}`);
    }
  });
});

// The manifest is read out of n8n-nodes-base, never typed by hand: regenerate it from the installed copy when there is one.
const nodesBase = join(process.env.XERO_GUARD_CACHE ?? join(homedir(), '.cache', 'xero-guard'), 'n8n-2.41.1', 'node_modules', 'n8n-nodes-base');
const installed = existsSync(join(nodesBase, 'dist', 'nodes', 'Xero', 'Xero.node.js'));
(installed ? describe : describe.skip)('the manifest of n8n-nodes-base 2.41.1 (installed n8n in the e2e cache)', () => {
  it('matches the installed n8n-nodes-base Xero node exactly', () => {
    const { Xero } = require(join(nodesBase, 'dist', 'nodes', 'Xero', 'Xero.node.js')) as { Xero: new () => { description: { properties: RawProperty[] } } };
    const version = (JSON.parse(readFileSync(join(nodesBase, 'package.json'), 'utf8')) as { version: string }).version;
    expect(version).toBe('2.41.1');
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'n8n', 'convert', 'n8n-xero-2.41.1.json'), 'utf8')) as unknown;
    expect(manifestOf(new Xero().description.properties, version)).toEqual(committed);
  });
});
