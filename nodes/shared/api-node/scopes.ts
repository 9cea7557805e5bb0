/**
 * The scope check before a call: which operation of the table a planned request is (matched on its
 * method and path, so hand-made resources, table operations and custom calls are checked alike), and
 * whether the chain's granted scopes admit it. A missing scope fails at once, in n8n's words, with
 * nothing sent to Xero; an admitted one rides along so that a 401 Xero still answers is classified as
 * a missing scope or an endpoint closed to the app (src/classify).
 */
import { requiredScopeOf, scopeGap } from '../../../src/host';
import type { XeroApiBase, XeroScopeContext } from '../../../src/xero/accounting';
import { OperationMatcher, XERO_APIS, xeroOperations, type XeroApi, type XeroOperation } from '../../../src/xero/operations';
import { XeroGuardConfigError } from './errors';

const matchers = new Map<string, OperationMatcher>();
function matcherOf(api: XeroApi): OperationMatcher {
  let m = matchers.get(api.id);
  if (!m) matchers.set(api.id, (m = new OperationMatcher(xeroOperations(api.id))));
  return m;
}

const segmentsOf = (path: string | readonly string[]) => (typeof path === 'string' ? path.split('/') : [...path]).filter((s) => s !== '');

/** A request as planned: enough of it to know which operation it is. */
export interface PlannedCall {
  method?: string;
  path: string | readonly string[];
  base?: XeroApiBase;
}

export interface MatchedCall {
  api: XeroApi;
  operation: XeroOperation;
}

/** Knows the operations a node's requests may be: its own APIs first, then any other (a custom call from api.xero.com). */
export class ScopeGuard {
  private readonly apis: readonly XeroApi[];

  constructor(own: readonly XeroApi[]) {
    this.apis = [...own, ...XERO_APIS.filter((a) => !own.includes(a))];
  }

  /** Every operation of the table the request could be, its node's own API first; none for a path no document names. */
  candidates(call: PlannedCall): MatchedCall[] {
    const method = call.method ?? 'GET';
    const segments = segmentsOf(call.path);
    const out: MatchedCall[] = [];
    for (const api of this.apis) {
      const base = segmentsOf(api.basePath);
      let below: string[] | undefined;
      if (call.base === undefined || call.base === 'accounting') {
        if (api.id !== 'accounting') continue;
        below = base.every((b, i) => segments[i]?.toLowerCase() === b.toLowerCase()) ? segments.slice(base.length) : segments;
      } else if (call.base === 'root') {
        if (base.every((b, i) => segments[i]?.toLowerCase() === b.toLowerCase())) below = segments.slice(base.length);
      } else if (call.base.toLowerCase() === api.basePath.toLowerCase()) below = segments;
      if (!below) continue;
      const match = matcherOf(api).match(method, below);
      if (match) out.push({ api, operation: match.operation });
    }
    return out;
  }

  /**
   * Refuses the call before it is sent when no operation it could be is admitted by the granted
   * scopes; otherwise the scope context for the classifier. Unknown grants or paths are Xero's to judge.
   */
  check(call: PlannedCall, granted: readonly string[] | null, credentialName: string | null): XeroScopeContext | undefined {
    if (granted === null) return undefined;
    const candidates = this.candidates(call);
    if (candidates.length === 0) return undefined;
    const admitted = candidates.find((c) => scopeGap(c.operation, granted) === null);
    if (admitted) return { required: [requiredScopeOf(admitted.operation)], granted };
    const [{ api, operation }] = candidates;
    const gap = scopeGap(operation, granted);
    if (!gap) return undefined;
    const credential = credentialName ? `The Xero credential "${credentialName}"` : 'The Xero credential';
    const others = gap.alternatives.length ? ` (or one of ${gap.alternatives.join(', ')})` : '';
    throw new XeroGuardConfigError(
      `${credential} was not granted the scope ${gap.needed}${others}, which ${api.label} "${operation.name}" needs`,
      `Open the Xero credential, tick "${gap.label}" under Scopes (or type ${gap.needed} into Additional Scopes) and save, then click "Switch account" and allow access in Xero: Xero grants a new scope only at sign-in. Nothing was sent to Xero.`,
      'insufficient_scope',
    );
  }
}
