/**
 * Imports point inward (docs/design/README.md), and lint is what keeps them so: the repository's
 * own ESLint configuration, run on probe code placed (virtually) in each folder.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');

const OUTWARD: Array<[string, string]> = [
  ['src/engine/probe.ts', '../../test/helpers/engine-fixture'],
  ['src/engine/probe.ts', '../../tools/n8n/install'],
  ['src/engine/probe.ts', '../../nodes/shared/xero-connection'],
  ['src/engine/probe.ts', '../../node-red/lib/xero-guard'],
  ['src/engine/probe.ts', 'n8n-workflow'],
  ['index.ts', './tools/services/slack'],
  ['nodes/shared/probe.ts', '../../test/helpers/engine-fixture'],
  ['nodes/shared/probe.ts', '../../tools/n8n/pack'],
  ['credentials/probe.ts', '../node-red/lib/xero-guard'],
  ['tools/demo-probe.ts', '../test/e2e/harness/diagnostics'],
  ['tools/n8n/probe.ts', '../../nodes/shared/xero-connection'],
  ['tools/n8n/probe.ts', '../../credentials/XeroGuardOAuth2Api.credentials'],
  ['bench/probe.bench.ts', '../test/helpers/engine-fixture'],
  ['bench/survival/probe.ts', '../../test/e2e/harness/diagnostics'],
];

const INWARD: Array<[string, string]> = [
  ['nodes/shared/probe.ts', '../../src/engine'],
  ['tools/n8n/probe.ts', '../../src/simulator'],
  ['tools/probe.ts', './n8n/install'],
  ['bench/probe.bench.ts', '../tools/services/token-server'],
  ['test/unit/probe.test.ts', '../../tools/n8n/install'],
  ['test/unit/probe.test.ts', '../../nodes/shared/xero-connection'],
];

/**
 * ESLint loads its flat config with a dynamic import, which jest's module sandbox refuses, so the
 * probes are linted in one plain Node process: for each [file, specifier], is the import refused?
 */
function lintProbes(cases: Array<[string, string]>): boolean[] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, specifier] of cases) {
        const [result] = await eslint.lintText("import { probe } from '" + specifier + "';\\nexport { probe };\\n", { filePath: file });
        out.push(result.messages.some((m) => m.ruleId === 'no-restricted-imports'));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, input: JSON.stringify(cases), encoding: 'utf8' })) as boolean[];
}

let refused: Map<string, boolean>;

beforeAll(() => {
  const all = [...OUTWARD, ...INWARD];
  const verdicts = lintProbes(all);
  refused = new Map(all.map(([file, specifier], i) => [`${file} ${specifier}`, verdicts[i]]));
}, 60_000);

describe('lint refuses an import that points outward', () => {
  it.each(OUTWARD)('%s may not import %s', (file, specifier) => {
    expect(refused.get(`${file} ${specifier}`)).toBe(true);
  });
});

describe('and lets the inward ones through', () => {
  it.each(INWARD)('%s may import %s', (file, specifier) => {
    expect(refused.get(`${file} ${specifier}`)).toBe(false);
  });
});
