import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['src/**/*.ts', 'index.ts', 'credentials/**/*.ts', 'nodes/**/*.ts', 'n8n/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['src/**/*.ts', 'index.ts'],
    rules: {
      // Imports point inward: the core never reaches into a host adapter or a host package.
      'no-restricted-imports': ['error', { patterns: ['**/nodes/**', '**/credentials/**', '**/node-red/**', 'n8n-workflow', 'n8n-core', 'node-red'] }],
    },
  },
  {
    // The n8n adapter uses n8n-workflow and shares code between its nodes and credential, but never Node-RED's.
    files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'n8n/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/node-red/**', 'node-red', 'n8n-core'] }] },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The Node-RED nodes are plain CommonJS loaded by Node-RED's runtime: lint them too.
    ignores: ['!node-red/**/*.js'],
  },
  {
    files: ['node-red/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', process: 'readonly', Buffer: 'readonly',
        globalThis: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', URLSearchParams: 'readonly',
      },
    },
    // `const node = this` is Node-RED's own convention for node constructors.
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-this-alias': 'off' },
  },
  {
    files: ['gulpfile.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
