/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // Multi-process storm tests spawn children; keep jest itself to the 2 cores of the machine.
  maxWorkers: 2,
  testTimeout: 60000,
};
