import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { outputPathFor } from '../../../../cli/xero-guard-n8n';
import { chooseCredential, convertText, N8N_XERO } from '../../../../n8n/convert/convert';
import { parseJson } from '../../../../n8n/convert/workflow-json';
import { executeXeroGuard } from '../../../../nodes/XeroGuard/execute';
import { FakeXero, fakeExecute } from '../xero-guard-node/stand-in';
import { everyOperationWorkflow, oneXeroNodeExport, ORG_ID, runConverter } from './sample-workflow';

type Json = Record<string, unknown>;
const GUARDED = { id: 'g1', name: 'Xero Guarded' };

const run = runConverter;

describe("convert-workflows: every operation and field of n8n 2.41.1's Xero node", () => {
  const source = everyOperationWorkflow();
  const text = JSON.stringify(source, null, 2);
  const result = convertText(text, 'every.json', JSON.parse(text), GUARDED);
  const converted = JSON.parse(result.text ?? 'null') as Json;
  const byName = (w: Json, name: string) => (w.nodes as Json[]).find((n) => n.name === name) as Json;

  it('converts every Xero node, leaving nothing behind and nothing unexplained', () => {
    const xeroNodes = (source.nodes as Json[]).filter((n) => n.type === 'n8n-nodes-base.xero');
    expect(xeroNodes).toHaveLength(Object.keys(N8N_XERO.fields).length);
    expect(result.changes).toEqual(xeroNodes.map((n) => ({ workflow: source.name, node: n.name, kind: 'xero' })));
    expect(result.notes).toEqual([]);
    expect((converted.nodes as Json[]).filter((n) => n.type === 'n8n-nodes-base.xero')).toEqual([]);
  });

  it('keeps names, ids, positions, settings, connections and the workflow around the nodes', () => {
    expect(converted.connections).toEqual(source.connections);
    for (const key of ['name', 'settings', 'meta', 'id', 'versionId', 'pinData', 'tags', 'active']) expect(converted[key]).toEqual(source[key]);
    for (const before of source.nodes as Json[]) {
      const after = byName(converted, before.name as string);
      for (const key of ['id', 'position', 'retryOnFail', 'onError']) expect(after[key]).toEqual(before[key]);
    }
  });

  it('uses the Xero Guard node on the guarded credential, with the same parameters and the organisation as a locator', () => {
    for (const before of (source.nodes as Json[]).filter((n) => n.type === 'n8n-nodes-base.xero')) {
      const after = byName(converted, before.name as string);
      expect(after.type).toBe('n8n-nodes-xero-guard.xeroGuard');
      expect(after.typeVersion).toBe(1);
      expect(after.credentials).toEqual({ xeroGuardOAuth2Api: GUARDED });
      const { organizationId, ...rest } = after.parameters as Json;
      const { organizationId: oldOrg, ...oldRest } = before.parameters as Json;
      expect(organizationId).toEqual({ __rl: true, mode: 'id', value: oldOrg });
      expect(rest).toEqual(oldRest);
    }
  });

  // The converted parameters, run through the Xero Guard node: every value the user set reaches Xero.
  it.each(Object.keys(N8N_XERO.fields))('the converted %s node sends every field it was given', async (key) => {
    const node = byName(converted, `Xero ${key.replace('.', ' ')}`);
    const xero = new FakeXero();
    xero.tenants = [{ tenantId: ORG_ID, tenantName: 'Org', tenantType: 'ORGANISATION' }];
    await executeXeroGuard(fakeExecute({ parameters: node.parameters as IDataObject }), xero.session());
    expect(xero.requests).toHaveLength(1);
    expect(xero.requests[0].headers['xero-tenant-id']).toBe(ORG_ID);
    const sent = `${decodeURIComponent(xero.requests[0].url)} ${String(xero.requests[0].body ?? '')}`;
    const strings = JSON.stringify(node.parameters).match(/"v-[^"]+"/g) ?? [];
    for (const s of strings) expect(sent).toContain(s.slice(1, -1));
  });
});

describe('convert-workflows: details', () => {
  const xeroNode = (parameters: Json, extra: Json = {}) => ({
    parameters,
    name: 'Xero',
    type: 'n8n-nodes-base.xero',
    typeVersion: 1,
    position: [10, 20],
    credentials: { xeroOAuth2Api: { id: '1', name: 'Xero account' } },
    ...extra,
  });
  const wf = (nodes: Json[]) => ({ nodes, connections: {} });
  const convertOne = (nodes: Json[]) => {
    const t = JSON.stringify(wf(nodes));
    const r = convertText(t, 'w.json', JSON.parse(t), GUARDED);
    return { ...r, workflow: JSON.parse(r.text ?? 'null') as Json };
  };

  it('writes out the defaults n8n leaves out of an export (resource invoice, operation create)', () => {
    const { workflow } = convertOne([xeroNode({ organizationId: ORG_ID, type: 'ACCREC', contactId: 'c' })]);
    expect((workflow.nodes as Json[])[0].parameters).toMatchObject({ resource: 'invoice', operation: 'create' });
  });

  it('keeps expressions as written, including in the organisation', () => {
    const { workflow, notes } = convertOne([
      xeroNode({ resource: 'contact', operation: 'get', organizationId: '={{ $json.tenant }}', contactId: '={{ $json.id }}' }),
    ]);
    expect((workflow.nodes as Json[])[0].parameters).toEqual({
      resource: 'contact',
      operation: 'get',
      organizationId: { __rl: true, mode: 'id', value: '={{ $json.tenant }}' },
      contactId: '={{ $json.id }}',
    });
    expect(notes).toEqual([]);
  });

  it('names the node and field of anything it does not know, and keeps it', () => {
    const { workflow, notes } = convertOne([
      xeroNode({
        resource: 'contact',
        operation: 'create',
        organizationId: ORG_ID,
        name: 'A',
        colour: 'red',
        additionalFields: { fax: '1', phonesUi: { phonesValues: [{ phoneType: 'FAX', extension: '9' }] } },
      }),
    ]);
    expect(notes.map((n) => [n.node, n.field])).toEqual([
      ['Xero', 'colour'],
      ['Xero', 'additionalFields.fax'],
      ['Xero', 'additionalFields.phonesUi.phonesValues[0].extension'],
    ]);
    expect((workflow.nodes as Json[])[0].parameters).toMatchObject({ colour: 'red' });
  });

  it('converts the AI tool form of the node too', () => {
    const { workflow } = convertOne([{ ...xeroNode({ resource: 'contact', operation: 'getAll', descriptionType: 'auto' }), type: 'n8n-nodes-base.xeroTool' }]);
    expect((workflow.nodes as Json[])[0]).toMatchObject({
      type: 'n8n-nodes-xero-guard.xeroGuardTool',
      parameters: { descriptionType: 'auto', organizationId: { __rl: true, mode: 'list', value: '' } },
    });
  });

  it('leaves other nodes and their credentials alone', () => {
    const http = {
      parameters: { url: 'https://api.xero.com' },
      name: 'HTTP',
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4,
      position: [0, 0],
      credentials: { xeroOAuth2Api: { id: '1', name: 'Xero account' } },
    };
    const { workflow } = convertOne([xeroNode({ resource: 'contact', operation: 'get', contactId: 'c' }), http]);
    expect((workflow.nodes as Json[])[1]).toEqual(http);
  });

  it('chooses the credential by name, by id, or the only one; never guesses between several', () => {
    const a = { id: 'a', name: 'A' };
    const b = { id: 'b', name: 'B' };
    expect(chooseCredential([a], {})).toEqual(a);
    expect(chooseCredential([a, b], { name: 'B' })).toEqual(b);
    expect(chooseCredential([a, b], { id: 'a' })).toEqual(a);
    expect(chooseCredential([], { name: 'New' })).toEqual({ name: 'New' });
    expect(() => chooseCredential([a, b], {})).toThrow(/Several guarded Xero credentials.*"A", "B".*--credential/);
    expect(() => chooseCredential([], {})).toThrow(/No guarded Xero credential.*--credential/);
  });

  it('refuses malformed JSON naming the file, line and column', () => {
    expect(() => parseJson('{\n  "nodes": [,]\n}', 'flows/a.json')).toThrow(/^flows\/a\.json is not valid JSON at line 2, column 13 \(found ","\)/);
    expect(() => parseJson('{"nodes": [', 'b.json')).toThrow(/^b\.json is not valid JSON at line 1, column 12 \(found the end of the file\)/);
    expect(() => parseJson('{"a": 1}\n{"b": 2}', 'c.json')).toThrow(/line 2, column 1/);
    expect(() => parseJson('{"a": "x\ty"}', 'd.json')).toThrow(/line 1, column 9/);
    expect(parseJson('\ufeff{"nodes": []}', 'e.json')).toEqual({ nodes: [] });
  });

  it('refuses JSON that is not a workflow, saying where', () => {
    expect(() => convertText('{}', 'p.json', { name: 'x' }, GUARDED)).toThrow(/p\.json is not an n8n workflow export: the top level has no "nodes" list/);
    expect(() => convertText('[]', 'p.json', [wf([]), 3], GUARDED)).toThrow(/entry 2 of the top-level array is not an object/);
    expect(() => convertText('{}', 'p.json', { nodes: [{ name: 'x' }], connections: {} }, GUARDED)).toThrow(/node 1 of the top level has no "type"/);
  });

  it('converts every workflow of an n8n export:workflow --all array', () => {
    const data = [
      wf([xeroNode({ resource: 'contact', operation: 'get', contactId: 'a' })]),
      wf([xeroNode({ resource: 'invoice', operation: 'get', invoiceId: 'b' })]),
    ];
    const r = convertText(JSON.stringify(data), 'all.json', data, GUARDED);
    expect(r.changes.map((c) => c.kind)).toEqual(['xero', 'xero']);
    expect(JSON.parse(r.text ?? '[]')).toHaveLength(2);
  });
});

describe('xero-guard-n8n convert-workflows (the command)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xg-convert-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const withXero = (credentials?: Json) => oneXeroNodeExport('Invoices', credentials);
  const noXero = '{\n\t"name": "Other",\n\t"nodes": [ { "type": "n8n-nodes-base.set", "name": "Set", "parameters": {} } ],\n\t"connections": {}\n}';

  it('writes <name>.xero-guard.json next to the input and leaves the input untouched', async () => {
    const file = join(dir, 'invoices.json');
    writeFileSync(file, withXero());
    const r = await run(['convert-workflows', file, '--credential', 'Xero Guarded', '--credential-id', 'g9']);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(withXero());
    const out = JSON.parse(readFileSync(outputPathFor(file), 'utf8')) as Json;
    expect((out.nodes as Json[])[0]).toMatchObject({
      type: 'n8n-nodes-xero-guard.xeroGuard',
      credentials: { xeroGuardOAuth2Api: { id: 'g9', name: 'Xero Guarded' } },
    });
    expect(r.out).toContain('converted 1 Xero node');
    expect(readFileSync(outputPathFor(file), 'utf8').endsWith('}\n')).toBe(true);
  });

  it('with --write rewrites the input in place', async () => {
    const file = join(dir, 'invoices.json');
    writeFileSync(file, withXero());
    expect((await run(['convert-workflows', file, '--credential', 'G', '--write'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('n8n-nodes-xero-guard.xeroGuard');
    expect(readdirSync(dir)).toEqual(['invoices.json']);
  });

  it('leaves a workflow with nothing to convert byte for byte as it was, even with --write, and writes no copy', async () => {
    const file = join(dir, 'other.json');
    writeFileSync(file, noXero);
    const before = statSync(file).mtimeMs;
    const r = await run(['convert-workflows', dir, '--credential', 'G', '--write']);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(noXero);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readdirSync(dir)).toEqual(['other.json']);
    expect(r.out).toContain('nothing to convert');
  });

  it('takes a folder, finds the only guarded credential in use there, and skips its own outputs', async () => {
    writeFileSync(join(dir, 'a.json'), withXero());
    writeFileSync(
      join(dir, 'b.json'),
      withXero({ xeroGuardOAuth2Api: { id: 'g1', name: 'Guarded' } }).replace('n8n-nodes-base.xero', 'n8n-nodes-xero-guard.xeroGuardCheckConnection'),
    );
    const r = await run(['convert-workflows', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'a.xero-guard.json'), 'utf8')).nodes[0].credentials).toEqual({
      xeroGuardOAuth2Api: { id: 'g1', name: 'Guarded' },
    });
    const again = await run(['convert-workflows', dir]);
    expect(again.out).not.toContain('a.xero-guard.json:');
  });

  it('reads the credential from a credentials export', async () => {
    writeFileSync(join(dir, 'a.json'), withXero());
    const creds = join(dir, '..', `creds-${Date.now()}.json`);
    writeFileSync(
      creds,
      JSON.stringify([
        { id: 'x1', name: 'Old', type: 'xeroOAuth2Api' },
        { id: 'g7', name: 'Guarded 7', type: 'xeroGuardOAuth2Api', data: 'encrypted' },
      ]),
    );
    try {
      expect((await run(['convert-workflows', join(dir, 'a.json'), '--credentials', creds])).code).toBe(0);
      expect(readFileSync(join(dir, 'a.xero-guard.json'), 'utf8')).toContain('"id": "g7"');
    } finally {
      rmSync(creds);
    }
  });

  it('without a credential to point at, says how to name one and writes nothing', async () => {
    writeFileSync(join(dir, 'a.json'), withXero());
    const r = await run(['convert-workflows', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--credential "<name>"/);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('refuses a malformed file and a non-workflow by name and position, and still converts the rest', async () => {
    writeFileSync(join(dir, 'bad.json'), '{\n  "nodes": [\n    {"type": "x",}\n  ]\n}');
    writeFileSync(join(dir, 'package.json'), '{"name": "not-a-workflow"}');
    writeFileSync(join(dir, 'good.json'), withXero());
    const r = await run(['convert-workflows', dir, '--credential', 'G']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.json is not valid JSON at line 3, column \d+/);
    expect(r.err).toMatch(/package\.json is not an n8n workflow export: the top level has no "nodes" list/);
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'good.json', 'good.xero-guard.json', 'package.json']);
  });

  it('explains usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['convert-workflows'])).err).toMatch(/Name at least one exported workflow/);
    expect((await run(['convert-workflows', join(dir, 'missing.json')])).err).toMatch(/missing\.json does not exist/);
    expect((await run(['frobnicate'])).err).toMatch(/Unknown command "frobnicate"/);
    expect((await run(['convert-workflows', 'x', '--bogus'])).err).toMatch(/Unknown option --bogus/);
  });
});
