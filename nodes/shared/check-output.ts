/** The fields every check item carries, for items made without a check (setup problems). */
export function emptyCheckFields(): Record<string, unknown> {
  return {
    status: 'disconnected',
    tenants: [],
    tokenHealth: { accessTokenExpiresAt: null, lastRotationAt: null, daysLeftBeforeIdleExpiry: null, chainState: 'not_connected' },
  };
}
