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

/**
 * A JWT's claims, decoded without verifying: for hints only (expiry, issue time, who connected),
 * never for a decision of trust. Anything that is not a JWT with a JSON object payload gives {}.
 */
export function jwtClaims(token: string | null | undefined): Record<string, unknown> {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return {};
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Reads `exp` (seconds) from a JWT's payload without verifying it: we only need the expiry hint. */
export function jwtExpiry(token: string): number | undefined {
  const exp = jwtClaims(token).exp;
  return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
}

/** Who a token set belongs to, for display: the id token's person, the access token's Xero user. */
export interface TokenSetUser {
  email: string | null;
  name: string | null;
  xeroUserId: string | null;
}

export function tokenSetUser(tokenSet: Pick<TokenSet, 'accessToken' | 'idToken'> | null | undefined): TokenSetUser {
  const id = jwtClaims(tokenSet?.idToken);
  const access = jwtClaims(tokenSet?.accessToken);
  const name = [id.given_name, id.family_name].filter((v): v is string => typeof v === 'string' && v !== '').join(' ');
  return {
    email: typeof id.email === 'string' ? id.email : null,
    name: name || null,
    xeroUserId: typeof access.xero_userid === 'string' ? access.xero_userid : null,
  };
}
