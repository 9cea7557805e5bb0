/**
 * Xero's 401 `AuthorizationUnsuccessful` in the shapes it reaches the classifier, and the contexts
 * that tell a missing scope from an endpoint closed to the app's tier (issue 28). Shared by the
 * context test and the variants test's "every category is covered" check.
 */
import type { Category, ClassifyContext } from '../../../src/classify';

/** After 29 June 2026, so both reported gates (Journals, ManualJournals) are in force. */
export const AFTER_GATES = Date.UTC(2026, 6, 1);

const PROBLEM = {
  Type: null,
  Title: 'Unauthorized',
  Status: 401,
  Detail: 'AuthorizationUnsuccessful',
  Instance: '3fcae45a-0ee2-4078-b83a-5d0c2f1e7a90',
  Extensions: {},
};

/** The same 401 as an HTTP response, an n8n error item, and as PHP's SDK prints it (foxbytehq/laravel-xero-oauth2#99). */
export const AUTHORIZATION_UNSUCCESSFUL: readonly [string, unknown][] = [
  ['an HTTP response', { statusCode: 401, headers: { 'content-type': 'application/json' }, body: PROBLEM }],
  [
    'an n8n error item',
    {
      json: {
        error: {
          message: 'Authorization failed - please check your credentials',
          description: `401 - ${JSON.stringify(JSON.stringify(PROBLEM))}`,
          httpCode: '401',
          name: 'NodeApiError',
        },
      },
    },
  ],
  [
    "PHP's printed exception",
    'XeroAPI\\XeroPHP\\ApiException [401] Client error: `GET https://api.xero.com/api.xro/2.0/Journals` resulted in a `401 Unauthorized` response: {"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthorizationUnsuccessful","Instance":"3fcae45a-0ee2-4078-b83 (truncated...)',
  ],
];

export const JOURNALS_GRANTED: ClassifyContext = {
  grantedScopes: ['offline_access', 'openid', 'accounting.journals.read', 'accounting.invoices'],
  requiredScopes: ['accounting.journals.read'],
  endpoint: 'GET /api.xro/2.0/Journals?offset=0',
};
export const JOURNALS_SCOPE_MISSING: ClassifyContext = {
  grantedScopes: ['offline_access', 'accounting.invoices', 'accounting.contacts'],
  requiredScopes: ['accounting.journals.read'],
  endpoint: 'Journals',
};

/** One case per category a context can produce, for the variants test's coverage check. */
export const CONTEXT_CATEGORIES: readonly Category[] = ['plan_restricted', 'insufficient_scope'];
