import js from '@eslint/js';
import { posix } from 'node:path';
import tseslint from 'typescript-eslint';

/** The host adapters ("wings"): only they, and the tests, may import their internals. */
const WINGS = ['**/nodes/**', '**/credentials/**', '**/node-red/**'];
/** The n8n wing's converter library (n8n/convert), which the Node-RED wing has no business with. */
const N8N_WING = ['**/nodes/**', '**/credentials/**', '**/n8n/**'];
/** The test tree: nothing outside test/ imports it (test/ imports everything else). */
const TEST_TREE = ['**/test/**', 'test/**'];
/** The workshop: the tests and the tools around the package (demo, real hosts, stand-ins). */
const WORKSHOP = [...TEST_TREE, '**/tools/**', 'tools/**', '**/bench/**'];
/** The command line tools sit above everything they use: only the tests import them. */
const COMMANDS = ['**/cli/**'];
/** The simulator is for tests, demos and rehearsals: no production path (the root API, a wing) loads it. */
const SIMULATOR = ['**/src/simulator', '**/src/simulator/**'];

/**
 * Inside the core, the floors from the ground up (docs/design/README.md, "Inside the core"): a part
 * of src/ may import the parts on the floors below its own, never one beside it on its floor or
 * above it. A name is a folder of src/, or a file directly in src/ when it ends in .ts.
 */
const FLOORS = [
  ['clock.ts', 'errors.ts', 'percent-encoding.ts', 'terminal-text.ts', 'xero-tiers.ts'],
  ['secrets'],
  ['classify'],
  ['xero'],
  ['ledger'],
  ['engine'],
  ['check'],
  ['fleet', 'events'],
  ['host'],
];
/** Beside the floors: the simulator uses the ground floors (Xero's tiers among them), Xero's wire formats and the events core's webhook signature, never the token machinery. */
const SIMULATOR_USES = ['clock.ts', 'errors.ts', 'percent-encoding.ts', 'xero-tiers.ts', 'secrets', 'xero', 'events'];
/** Pure data inside a floor: it imports nothing from the rest of src/. */
const DATA = ['xero/operations'];

const CORE_PARTS = [...FLOORS.flat(), 'simulator'];
const where = (part) => `src/${part.replace(/\.ts$/, '')}`;
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern refusing `to` in the files of `from` that stand `depth` folders below src/ (0: a file directly in src/). */
function refuse(from, to, depth, message) {
  const dir = from.endsWith('.ts') ? 'src' : posix.join(where(from), ...Array(depth - 1).fill('x'));
  const path = posix.relative(dir, where(to));
  return { regex: `^${escape(path.startsWith('.') ? path : `./${path}`)}(\\.[jt]s)?(/|$)`, message: `${message} (docs/design/README.md, "Inside the core").` };
}

/** Everything the core refuses wherever it stands: hosts, wings, the workshop and the commands. */
const CORE_OUTWARD = {
  group: [...WINGS, ...WORKSHOP, ...COMMANDS, 'n8n-workflow', 'n8n-core', 'node-red'],
  message: 'The core imports no host, wing, tool, test or command: pass what it needs in as plain options (docs/design/README.md).',
};

/** One lint block per part of the core and per folder depth, since a relative specifier says where it points only with its depth. */
function coreBlocks() {
  const blocks = [];
  /** refused: [part, why] pairs. */
  const forPart = (part, refused) => {
    const depths = part.endsWith('.ts') ? [0] : [1, 2, 3, 4, 5];
    for (const depth of depths) {
      blocks.push({
        files: [part.endsWith('.ts') ? where(part) + '.ts' : `${where(part)}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: { 'no-restricted-imports': ['error', { patterns: [CORE_OUTWARD, ...refused.map(([to, why]) => refuse(part, to, depth, why))] }] },
      });
    }
  };
  FLOORS.forEach((floor, level) => {
    for (const part of floor) {
      const above = FLOORS.slice(level + 1).flat();
      const beside = floor.filter((other) => other !== part);
      forPart(part, [
        ...above.map((to) => [to, `src/${part} may not import src/${to}: it stands on a higher floor`]),
        ...beside.map((to) => [to, `src/${part} may not import src/${to}: they stand side by side on one floor`]),
        ['simulator', `src/${part} may not import the simulator: it is for tests and demos, never a production path`],
      ]);
    }
  });
  forPart(
    'simulator',
    CORE_PARTS.filter((part) => part !== 'simulator' && !SIMULATOR_USES.includes(part)).map((to) => [
      to,
      `src/simulator may not import src/${to}: the simulator plays Xero, it never runs our token machinery`,
    ]),
  );
  for (const part of DATA) forPart(part, [[part.split('/')[0], `src/${part} is pure data: it imports nothing from the rest of src/`]]);
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/*.js', '!gulpfile.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Strict TypeScript everywhere: the package, and the workshop (test/, tools/, bench/) too.
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The public API is the core without the simulator (that is the /simulator subpath).
    files: ['index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [CORE_OUTWARD, { group: SIMULATOR, message: 'The root API leaves the simulator out: it is the n8n-nodes-xero-guard/simulator subpath.' }] },
      ],
    },
  },
  // A part of src/ with no place on the floors yet imports nothing outside itself until it gets one.
  ...[
    ['src/*.ts', '^\\./'],
    ['src/*/**/*.ts', '^\\.\\./'],
  ].map(([files, regex]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CORE_OUTWARD,
            { regex, message: 'This part of src/ has no floor yet: add it to FLOORS in eslint.config.mjs and to docs/design/README.md.' },
          ],
        },
      ],
    },
  })),
  ...coreBlocks(),
  {
    // The n8n wing uses n8n-workflow and shares code between its nodes and credential, but never Node-RED's.
    files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'n8n/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/node-red/**', 'node-red', 'n8n-core', ...WORKSHOP, ...COMMANDS, ...SIMULATOR] }] },
  },
  {
    // The Node-RED wing uses the core and its own hand-typed slice of Node-RED: never the n8n wing, the tools or the tests.
    files: ['node-red/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...N8N_WING, 'n8n-workflow', 'n8n-core', ...WORKSHOP, ...COMMANDS, ...SIMULATOR] }] },
  },
  {
    // The commands use the core and the converter library; they never reach into a wing, the tools or the tests.
    files: ['cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...WINGS, ...WORKSHOP, 'n8n-workflow', 'n8n-core', 'node-red'] }] },
  },
  {
    // tools/ (the demo, real hosts, service stand-ins) drives the package through the core and the packed
    // tarball, never through the wings' internals, and never depends on the tests.
    files: ['tools/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...WINGS, ...TEST_TREE] }] },
  },
  {
    // The benchmarks measure the core; their scaffolding comes from tools/, not from test/.
    files: ['bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...WINGS, ...TEST_TREE] }] },
  },
  // Modules are imported everywhere (no-require-imports, from the recommended rules); these files load some with require() on purpose.
  {
    // node-red-node-test-helper ships no types, and Node-RED loads our nodes as CommonJS (`export =`): the suites require both as Node-RED does.
    files: ['test/node-red/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Built or installed CommonJS (our dist/, n8n's nodes) at a path known only at run time, loaded as n8n and a consumer's require() load it.
    files: ['test/repo/pack.test.ts', 'test/unit/n8n/xero-guard-node/parity.test.ts', 'tools/n8n/xero-manifest.ts', 'tools/public-exports.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Each node's source by the path package.json declares, loaded synchronously while the test's table of cases is built.
    files: ['test/repo/wording.test.ts', 'test/unit/n8n/editor-lists-without-credential.test.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Spies on node:crypto's module object, which an `import * as` namespace (a copy under the test transform) would not reach.
    files: ['test/unit/events/webhook.test.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['gulpfile.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
