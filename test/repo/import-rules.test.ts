/**
 * Imports point inward (docs/design/README.md), and down the floors of the core, and lint is what
 * keeps them so: the repository's own ESLint configuration, run on probe code placed (virtually) in
 * each folder.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

const OUTWARD: Array<[string, string]> = [
  ['src/engine/probe.ts', '../../test/helpers/engine-fixture'],
  ['src/engine/probe.ts', '../../tools/n8n/install'],
  ['src/engine/probe.ts', '../../nodes/shared/xero-connection'],
  ['src/engine/probe.ts', '../../node-red/lib/xero-guard'],
  ['src/engine/probe.ts', '../../cli/xero-guard-ledger'],
  ['src/engine/probe.ts', 'n8n-workflow'],
  ['index.ts', './tools/services/slack'],
  ['index.ts', './src/simulator'],
  ['nodes/shared/probe.ts', '../../test/helpers/engine-fixture'],
  ['nodes/shared/probe.ts', '../../tools/n8n/pack'],
  ['nodes/shared/probe.ts', '../../src/simulator/server'],
  ['credentials/probe.ts', '../node-red/lib/xero-guard'],
  // The Node-RED wing: never the tools, the tests, the n8n wing (its converter included), a command or the simulator.
  ['node-red/lib/probe.ts', '../../tools/n8n/install'],
  ['node-red/probe.ts', '../tools/services/slack'],
  ['node-red/lib/probe.ts', '../../test/helpers/engine-fixture'],
  ['node-red/probe.ts', '../test/node-red/runtime-harness'],
  ['node-red/lib/probe.ts', '../../nodes/shared/xero-connection'],
  ['node-red/lib/probe.ts', '../../n8n/convert/convert'],
  ['node-red/lib/probe.ts', '../../cli/xero-guard-sim'],
  ['node-red/lib/probe.ts', '../../src/simulator'],
  ['node-red/lib/probe.ts', 'n8n-workflow'],
  ['cli/probe.ts', '../nodes/shared/xero-connection'],
  ['cli/probe.ts', '../tools/n8n/install'],
  ['tools/demo-probe.ts', '../test/e2e/harness/diagnostics'],
  ['tools/n8n/probe.ts', '../../nodes/shared/xero-connection'],
  ['tools/n8n/probe.ts', '../../credentials/XeroGuardOAuth2Api.credentials'],
  ['bench/probe.bench.ts', '../test/helpers/engine-fixture'],
  ['bench/survival/probe.ts', '../../test/e2e/harness/diagnostics'],
];

/** Inside the core (docs/design/README.md, "Inside the core"): one import up, or sideways, from every floor. */
const UPWARD: Array<[string, string]> = [
  ['src/clock.ts', './errors'],
  ['src/errors.ts', './secrets'],
  ['src/percent-encoding.ts', './clock'],
  // Xero's tier table is pure data on the ground floor: it imports nothing.
  ['src/xero-tiers.ts', './errors'],
  ['src/xero-tiers.ts', './classify'],
  ['src/secrets/probe.ts', '../classify'],
  ['src/classify/probe.ts', '../xero/token-set'],
  ['src/xero/probe.ts', '../ledger/types'],
  ['src/xero/accounting/probe.ts', '../../engine/token-engine'],
  ['src/xero/operations/probe.ts', '../accounting/paths'],
  ['src/xero/operations/probe.ts', '../../clock'],
  ['src/ledger/probe.ts', '../fleet/status-command'],
  ['src/ledger/probe.ts', '../engine'],
  ['src/engine/probe.ts', '../check/check-connection'],
  ['src/engine/probe.ts', '../events'],
  ['src/check/probe.ts', '../fleet/notes'],
  ['src/fleet/probe.ts', '../events/cursors'],
  ['src/events/probe.ts', '../fleet'],
  ['src/events/probe.ts', '../host/alert-texts'],
  ['src/host/probe.ts', '../simulator'],
  ['src/simulator/probe.ts', '../engine'],
  ['src/simulator/accounting/probe.ts', '../../classify'],
  ['src/simulator/probe.ts', '../ledger/types'],
  ['src/unplaced/probe.ts', '../clock'],
];

const INWARD: Array<[string, string]> = [
  ['nodes/shared/probe.ts', '../../src/engine'],
  ['node-red/lib/probe.ts', '../../src/host'],
  ['cli/probe.ts', '../src/fleet/status-command'],
  ['cli/probe.ts', '../n8n/convert/convert'],
  ['cli/probe.ts', '../src/simulator/server'],
  ['tools/n8n/probe.ts', '../../src/simulator'],
  ['tools/probe.ts', './n8n/install'],
  ['bench/probe.bench.ts', '../tools/services/token-server'],
  ['test/unit/probe.test.ts', '../../tools/n8n/install'],
  ['test/unit/probe.test.ts', '../../nodes/shared/xero-connection'],
  ['test/unit/probe.test.ts', '../../cli/xero-guard-sim'],
  // Downward inside the core, and within one folder (src/engine/events.ts is not src/events/).
  ['src/secrets/probe.ts', '../percent-encoding'],
  // The tier table is read by the classifier, the budget and the simulator alike.
  ['src/classify/probe.ts', '../xero-tiers'],
  ['src/check/probe.ts', '../xero-tiers'],
  ['src/simulator/probe.ts', '../xero-tiers'],
  ['src/xero/accounting/probe.ts', '../../classify'],
  ['src/ledger/probe.ts', '../xero/token-set'],
  ['src/engine/probe.ts', './events'],
  ['src/engine/probe.ts', '../ledger/types'],
  ['src/fleet/probe.ts', '../check/call-budget'],
  ['src/events/probe.ts', '../check'],
  ['src/events/probe.ts', '../engine'],
  ['src/host/probe.ts', '../fleet'],
  ['src/host/probe.ts', '../events'],
  ['src/simulator/accounting/probe.ts', '../../xero/accounting/paths'],
  ['src/xero/operations/probe.ts', './table'],
  ['index.ts', './src/fleet'],
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
  const all = [...OUTWARD, ...UPWARD, ...INWARD];
  const verdicts = lintProbes(all);
  refused = new Map(all.map(([file, specifier], i) => [`${file} ${specifier}`, verdicts[i]]));
}, 60_000);

describe('lint refuses an import that points outward', () => {
  it.each(OUTWARD)('%s may not import %s', (file, specifier) => {
    expect(refused.get(`${file} ${specifier}`)).toBe(true);
  });
});

describe('lint refuses an import up the floors of the core, or sideways on one floor', () => {
  it.each(UPWARD)('%s may not import %s', (file, specifier) => {
    expect(refused.get(`${file} ${specifier}`)).toBe(true);
  });
});

describe('and lets the inward ones through', () => {
  it.each(INWARD)('%s may import %s', (file, specifier) => {
    expect(refused.get(`${file} ${specifier}`)).toBe(false);
  });
});
