import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The host adapters ("wings"): only they, and the tests, may import their internals. */
const WINGS = ['**/nodes/**', '**/credentials/**', '**/node-red/**'];
/** The test tree: nothing outside test/ imports it (test/ imports everything else). */
const TEST_TREE = ['**/test/**', 'test/**'];
/** The workshop: the tests and the tools around the package (demo, real hosts, stand-ins). */
const WORKSHOP = [...TEST_TREE, '**/tools/**', 'tools/**', '**/bench/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/*.js', '!gulpfile.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'index.ts', 'credentials/**/*.ts', 'nodes/**/*.ts', 'node-red/**/*.ts', 'n8n/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['src/**/*.ts', 'index.ts'],
    rules: {
      // Imports point inward: the core never reaches into a host adapter, a host package, the tools or the tests.
      'no-restricted-imports': ['error', { patterns: [...WINGS, ...WORKSHOP, 'n8n-workflow', 'n8n-core', 'node-red'] }],
    },
  },
  {
    // The n8n adapter uses n8n-workflow and shares code between its nodes and credential, but never Node-RED's.
    files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'n8n/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/node-red/**', 'node-red', 'n8n-core', ...WORKSHOP] }] },
  },
  {
    // The Node-RED adapter imports the core, never the n8n adapter, the tools or the tests.
    files: ['node-red/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/nodes/**', '**/credentials/**', 'n8n-workflow', 'n8n-core', ...WORKSHOP] }] },
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
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The Node-RED wing uses the core and its own hand-typed slice of Node-RED, never n8n's.
    files: ['node-red/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/nodes/**', '**/credentials/**', 'n8n-workflow', 'n8n-core'] }] },
  },
  {
    files: ['gulpfile.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
