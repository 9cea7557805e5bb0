/**
 * n8n asks a node for its lists as soon as it is opened, before a credential is chosen. Every
 * loadOptions and listSearch method of every node the package declares answers the hint alone
 * then (no value to pick, no error), and never opens a session: the 500 "Node does not have any
 * credentials set" that n8n showed as "Error fetching options" cannot come back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions, INodeType } from 'n8n-workflow';
import { NO_CREDENTIAL_HINT } from '../../../nodes/shared/editor-guard';

const ROOT = join(__dirname, '..', '..', '..');
const declared = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;

/** Each declared node's source module and its class. */
function nodeTypes(): Array<[string, INodeType]> {
  return declared.map((dist) => {
    const source = join(ROOT, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    const name = source
      .split('/')
      .pop()!
      .replace(/\.node\.ts$/, '');
    const module = require(source) as Record<string, new () => INodeType>;
    return [name, new module[name]!()];
  });
}

/** What n8n hands a loader while the node names no credential: getCredentials throws as n8n's does. */
function contextWithoutCredential(): ILoadOptionsFunctions {
  return {
    getNode: () => ({ id: 'n', name: 'Node', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }),
    getCredentials: () => Promise.reject(new Error('Node does not have any credentials set')),
    getCurrentNodeParameter: () => undefined,
    getCurrentNodeParameters: () => ({}),
    getNodeParameter: () => undefined,
  } as unknown as ILoadOptionsFunctions;
}

const methods = nodeTypes().flatMap(([node, type]) => [
  ...Object.entries(type.methods?.loadOptions ?? {}).map(([name, fn]) => ({ node, kind: 'loadOptions' as const, name, fn })),
  ...Object.entries(type.methods?.listSearch ?? {}).map(([name, fn]) => ({ node, kind: 'listSearch' as const, name, fn })),
]);

describe('lists the editor loads before a credential is chosen', () => {
  it('finds the loaders of every declared node', () => {
    expect(methods.map((m) => `${m.node}.${m.name}`)).toEqual(
      expect.arrayContaining(['XeroGuardCheckConnection.getTenants', 'XeroGuard.getTaxTypes', 'XeroGuard.searchContacts']),
    );
  });

  it.each(methods.map((m) => [`${m.node} ${m.kind} ${m.name}`, m] as const))('%s answers the hint alone, no error', async (_label, m) => {
    const answer = (await (m.fn as (this: ILoadOptionsFunctions) => Promise<unknown>).call(contextWithoutCredential())) as
      INodePropertyOptions[] | INodeListSearchResult;
    const entries = Array.isArray(answer) ? answer : answer.results;
    expect(entries).toEqual([expect.objectContaining({ name: NO_CREDENTIAL_HINT.name, value: '' })]);
  });
});
