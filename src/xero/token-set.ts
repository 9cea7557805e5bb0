/** A token set as the engine keeps it: what Xero returned, with absolute times computed once. */
export interface TokenSet {
  accessToken: string;
  /** Absent for Custom Connections (client_credentials) and grants without offline_access. */
  refreshToken?: string;
  idToken?: string;
  tokenType: string;
  scope: string[];
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
  /** Epoch ms when Xero issued this set (by our clock). */
  obtainedAt: number;
}

/** Reads `exp` (seconds) from a JWT's payload without verifying it: we only need the expiry hint. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (payload && typeof payload === 'object') {
      const exp = (payload as { exp?: unknown }).exp;
      if (typeof exp === 'number' && Number.isFinite(exp) && exp > 0) return exp * 1000;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
