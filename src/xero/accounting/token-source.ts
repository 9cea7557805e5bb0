/**
 * Where the client gets access tokens. The client never stores one: it asks for a token per call
 * and, when Xero answers 401, reports the rejected token so the owner can refresh.
 */
export interface XeroTokenSource {
  getAccessToken(): Promise<string>;
  /** Xero refused this token (401). Resolve once a fresh one can be fetched. */
  reportRejected(accessToken: string): Promise<void>;
}

/** The slice of TokenEngine the adapter needs. */
export interface TokenEngineLike {
  getAccessToken(key: string): Promise<string>;
  reportRejected(key: string, accessToken: string): Promise<void>;
}

/**
 * A token source over one engine chain. A 401 is reported to the engine, which refreshes once
 * (single flight, across processes) if its ledger still holds that token, else only drops its
 * stale cache: a burst of 401s costs one refresh, not many.
 */
export function tokenSourceFor(engine: TokenEngineLike, key: string): XeroTokenSource {
  return {
    getAccessToken: () => engine.getAccessToken(key),
    reportRejected: (accessToken: string) => engine.reportRejected(key, accessToken),
  };
}

/** A fixed token (a Custom Connection token the host already holds, a test). A 401 cannot be healed. */
export function staticTokenSource(accessToken: string): XeroTokenSource {
  return { getAccessToken: async () => accessToken, reportRejected: async () => undefined };
}
