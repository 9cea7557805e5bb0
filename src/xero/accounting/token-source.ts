/**
 * Where the client gets access tokens. The client never stores one: it asks for a token per call
 * and, when Xero answers 401, reports the rejected token so the owner can refresh.
 */
export interface XeroTokenSource {
  getAccessToken(): Promise<string>;
  /** Xero refused this token (401). Resolve once a fresh one can be fetched. */
  reportRejected(accessToken: string): Promise<void>;
}

/** The slice of TokenEngine the adapter needs; `reportRejected` arrives with the engine's 401 work. */
export interface TokenEngineLike {
  getAccessToken(key: string): Promise<string>;
  refresh(key: string, options?: { force?: boolean }): Promise<unknown>;
  reportRejected?(key: string, accessToken: string): Promise<void>;
}

/**
 * A token source over one engine connection. Until every engine has `reportRejected`, a rejected
 * token that the engine still hands out is forced through a refresh; one it already replaced is
 * left alone (another caller refreshed first), so a burst of 401s costs one refresh, not many.
 */
export function tokenSourceFor(engine: TokenEngineLike, key: string): XeroTokenSource {
  return {
    getAccessToken: () => engine.getAccessToken(key),
    async reportRejected(accessToken: string): Promise<void> {
      if (typeof engine.reportRejected === 'function') {
        await engine.reportRejected(key, accessToken);
        return;
      }
      const current = await engine.getAccessToken(key);
      if (current === accessToken) await engine.refresh(key, { force: true });
    },
  };
}

/** A fixed token (a Custom Connection token the host already holds, a test). A 401 cannot be healed. */
export function staticTokenSource(accessToken: string): XeroTokenSource {
  return { getAccessToken: async () => accessToken, reportRejected: async () => undefined };
}
