/**
 * HTTP Request nodes that call Xero on n8n's own Xero credential (Authentication "Predefined Credential Type",
 * Credential Type "Xero OAuth2 API"): n8n refreshes that token itself, outside Xero Guard's chain, so a switch
 * that converted only the Xero nodes would leave those calls on n8n's own refresh. They move to the
 * guarded credential; the request itself (URL, headers, body, options) stays as written, and its answers stay
 * Xero's own JSON.
 */
import { GUARDED_CREDENTIAL, isObject, moveToGuardedCredential, SOURCE_CREDENTIAL, type CredentialRef, type Json } from './workflow-json';

/** The node types that take a predefined credential by `nodeCredentialType`: the node, its AI tool form, and the older AI tool. */
export const HTTP_REQUEST_TYPES = new Set(['n8n-nodes-base.httpRequest', 'n8n-nodes-base.httpRequestTool', '@n8n/n8n-nodes-langchain.toolHttpRequest']);

/** True when the node is an HTTP Request on n8n's Xero credential. */
export function usesN8nXeroCredential(node: Json): boolean {
  const p = node.parameters;
  return (
    HTTP_REQUEST_TYPES.has(node.type as string) && isObject(p) && p.authentication === 'predefinedCredentialType' && p.nodeCredentialType === SOURCE_CREDENTIAL
  );
}

/** Moves such a node to the guarded credential in place (the caller checked usesN8nXeroCredential); returns the name of the credential it was on. */
export function moveHttpRequestNode(node: Json, credential: CredentialRef): string | null {
  node.parameters = { ...(node.parameters as Json), nodeCredentialType: GUARDED_CREDENTIAL };
  return moveToGuardedCredential(node, credential);
}
