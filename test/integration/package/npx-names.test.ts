/**
 * No doc, example or help text runs npx on a name this project does not own (issue 25, item 4): the README once
 * said `npx xero-guard-n8n`, which from an installed pack asked the public registry for a package nobody owns.
 * And a fresh `npm install` must leave package-lock.json as committed (.ci/run checks the whole checkout; this
 * catches the usual cause, a package.json field the lock does not mirror, without installing anything).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { npxCommandsIn, npxCommandsOfRepository, npxProblem, PACKAGE, ROOT } from './npx-commands';

test('every npx command in the docs, README, examples and help texts names this package, a dependency, or a command of one of them', () => {
  const commands = npxCommandsOfRepository();
  expect(commands.filter((c) => c.file === 'README.md' && c.command === 'xero-guard-n8n')).toHaveLength(1);
  const problems = commands.map((c) => ({ at: `${c.file}:${c.line}`, text: c.text, problem: npxProblem(c) })).filter((p) => p.problem !== null);
  expect(problems).toEqual([]);
});

test('the check refuses what the README used to say, and what a typo or a stranger’s package would say', () => {
  const problem = (text: string) => npxProblem(npxCommandsIn(text, 'x.md')[0]);
  expect(problem('`npx xero-guard-n8n convert-workflows workflows.json`')).toMatch(/without -p n8n-nodes-xero-guard/);
  expect(problem('`npx xero-guard-convert x`')).toMatch(/neither this package/);
  expect(problem('`npx -p xero-guard-tools xero-guard-n8n`')).toMatch(/not this package nor one it depends on/);
  expect(problem('`npx -p n8n-nodes-xero-guard xero-guard-nodes`')).toMatch(/not a command of n8n-nodes-xero-guard/);
  expect(problem('<code>npx -p n8n-nodes-xero-guard xero-guard-sim</code>')).toBeNull();
  expect(problem('`npx tsx tools/demo.ts`')).toBeNull();
  expect(problem('`npx n8n-node lint`')).toBeNull(); // @n8n/node-cli's command
  expect(npxCommandsIn('`npx` finds commands', 'x.md')).toEqual([]);
});

test('package-lock.json mirrors what npm copies from package.json, so npm install leaves it untouched', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    name: string;
    version: string;
    packages: Record<string, Record<string, unknown>>;
  };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const root = lock.packages[''];
  expect({ name: lock.name, version: lock.version }).toEqual({ name: PACKAGE.name, version: pkg.version });
  for (const field of ['name', 'version', 'license', 'bin', 'dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies', 'engines'])
    expect({ field, value: root[field] }).toEqual({ field, value: pkg[field] });
  for (const dep of Object.keys({ ...(pkg.dependencies as object), ...(pkg.devDependencies as object) }))
    expect({ dep, locked: lock.packages[`node_modules/${dep}`] !== undefined }).toEqual({ dep, locked: true });
});
