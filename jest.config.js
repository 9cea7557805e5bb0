/**
 * Five projects on one axis: `unit` (one module in-process: the fast loop, `npm run test:unit`),
 * `repo` (the repository's own promises: the README, the design docs, the import rules, what
 * `npm pack` ships; these build dist/, run ESLint or read every tracked file, so they stay out of
 * the fast loop: `npm run test:repo`), `integration` (real servers, processes, files, PostgreSQL
 * and Redis), `e2e` (real n8n and Chromium) and `node-red` (a real Node-RED runtime). `jest` alone
 * runs them all; pick some with `--selectProjects unit integration`.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
};

const project = (name) => ({ ...shared, displayName: name, roots: [`<rootDir>/test/${name}`], testMatch: ['**/*.test.ts'] });

/** @type {import('jest').Config} */
module.exports = {
  projects: ['unit', 'repo', 'integration', 'e2e', 'node-red'].map(project),
  // Multi-process storm tests spawn children; keep jest itself to the 2 cores of the machine.
  maxWorkers: 2,
  testTimeout: 60000,
};
