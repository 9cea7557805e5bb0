// n8n's own lint for community nodes: @n8n/node-cli's eslint config without the n8n Cloud rules,
// because this package is self-hosted only (it writes a token ledger to disk or a database and reads
// n8n's settings, which n8n Cloud's verified nodes may not). Run with `npm run lint:n8n`; the
// repository's eslint.config.mjs stays the project's config for `npx eslint .`.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
  ...configWithoutCloudSupport,
  {
    files: ['credentials/XeroGuardOAuth2Api.credentials.ts'],
    rules: {
      // The display name "Xero OAuth2 (Guarded) API" is fixed (users and workflows know it by that name).
      'n8n-nodes-base/cred-class-field-display-name-missing-oauth2': 'off',
      // Its only match is tokenExpiredStatusCode: n8n's hidden HTTP status setting, a number, not a secret.
      '@n8n/community-nodes/credential-password-field': 'off',
    },
  },
  {
    // Shared adapter code throws domain errors; every node turns them into NodeOperationError at its boundary (toNodeError).
    files: ['nodes/shared/**/*.ts'],
    rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
  },
  {
    // The Xero Guard node keeps the defaults of n8n's own Xero node (Limit 100, options that start empty),
    // so a workflow switched by the converter reads and sends exactly what it did before.
    files: ['nodes/XeroGuard/resources/*.ts'],
    rules: {
      'n8n-nodes-base/node-param-default-wrong-for-limit': 'off',
      'n8n-nodes-base/node-param-default-wrong-for-options': 'off',
      // The pure request mappings throw MappingError; execute() turns it into NodeOperationError at the boundary.
      '@n8n/community-nodes/require-node-api-error': 'off',
    },
  },
  {
    // The kit every Xero Guard API node shares (issue 27): the fields the Xero Guard node always had (same
    // defaults as n8n's own Xero node, as for its resources above), and fields built from the operation
    // table, whose defaults are computed (a node's first resource, a body's example); TypeScript's
    // INodeProperties still requires every field to have one.
    files: ['nodes/shared/api-node/**/*.ts'],
    rules: {
      'n8n-nodes-base/node-param-default-wrong-for-limit': 'off',
      'n8n-nodes-base/node-param-default-wrong-for-options': 'off',
      'n8n-nodes-base/node-param-default-missing': 'off',
    },
  },
  {
    files: ['package.json'],
    rules: {
      // Deliberate: the engine needs jsonata, pg and ioredis at run time; self-hosted n8n installs a
      // community package's dependencies. The rule guards n8n Cloud verification, which this package cannot have.
      '@n8n/community-nodes/no-runtime-dependencies': 'off',
      // A false positive: the Node-RED node named "xero-refresh-token" is a file path, not a secret.
      '@n8n/community-nodes/no-hardcoded-secrets': 'off',
      // Publishing metadata the package owner sets before release: reported, not fatal.
      '@n8n/community-nodes/valid-author': 'warn',
      'n8n-nodes-base/community-package-json-author-missing': 'warn',
    },
  },
];
