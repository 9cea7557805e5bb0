/**
 * The name n8n knows Xero Guard's credential type by. The credential class declares it, every n8n
 * node asks for it, the converter rewrites workflows onto it, and the e2e tools import credentials
 * under it: four places, one spelling. It lives in the core's host kit because that is the one
 * folder all of them may import (tools/ and n8n/ import src/, never the wings). Saved credentials
 * and workflows refer to it by this string: changing it orphans every one of them.
 */
export const N8N_CREDENTIAL_TYPE = 'xeroGuardOAuth2Api';
