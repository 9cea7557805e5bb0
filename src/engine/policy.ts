import { DAY, MINUTE, SECOND } from '../clock';

/** The timing rules of the engine. Defaults follow Xero's published limits with safety margins. */
export interface EnginePolicy {
  /** Refresh the access token when less than this is left (Xero's live 30 minutes). */
  refreshAheadMs: number;
  /** Rotate the refresh token when the last rotation is older than this, far inside Xero's 60-day idle limit; null turns keep-alive off. */
  keepAliveAfterMs: number | null;
  /** Xero lets a refresh token be retried for 30 minutes when the answer was lost. */
  graceWindowMs: number;
  /** Stop retrying this long before the grace window closes, for clock differences between us and Xero. */
  graceSafetyMs: number;
  /** Xero expires a refresh token unused for 60 days. */
  refreshTokenIdleMs: number;
  leaseTtlMs: number;
  leaseWaitMs: number;
  /** Token calls per caller before giving up with a retryable error (the next caller resumes inside the grace window). */
  maxAttemptsPerCall: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** After a reportRejected refresh, further reports for the same connection only drop the cache for this long. */
  rejectionRefreshIntervalMs: number;
  /**
   * Pace of a keep-alive sweep, per process: refreshes per minute. 600 keeps even 16 sweeping
   * processes inside Xero's 10,000 calls a minute per app; a sweep has days, not seconds, to finish.
   */
  keepAliveCallsPerMinute: number;
}

export const DEFAULT_POLICY: Readonly<EnginePolicy> = Object.freeze({
  refreshAheadMs: 5 * MINUTE,
  keepAliveAfterMs: 7 * DAY,
  graceWindowMs: 30 * MINUTE,
  graceSafetyMs: 3 * MINUTE,
  refreshTokenIdleMs: 60 * DAY,
  leaseTtlMs: 30 * SECOND,
  leaseWaitMs: 20 * SECOND,
  maxAttemptsPerCall: 3,
  retryBaseMs: 500,
  retryMaxMs: 8 * SECOND,
  rejectionRefreshIntervalMs: MINUTE,
  keepAliveCallsPerMinute: 600,
});

export function resolvePolicy(overrides: Partial<EnginePolicy> = {}): EnginePolicy {
  const policy = { ...DEFAULT_POLICY, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (value === null && name === 'keepAliveAfterMs') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`Engine policy "${name}" must be a non-negative number of milliseconds, got ${JSON.stringify(value)}`);
    }
  }
  if (policy.keepAliveAfterMs !== null && policy.keepAliveAfterMs >= policy.refreshTokenIdleMs) {
    throw new Error(
      `Engine policy "keepAliveAfterMs" (${policy.keepAliveAfterMs} ms) must be shorter than Xero's 60-day idle limit, or null to turn keep-alive off`,
    );
  }
  if (policy.keepAliveCallsPerMinute <= 0) throw new Error('Engine policy "keepAliveCallsPerMinute" must be more than 0');
  if (policy.maxAttemptsPerCall < 1) throw new Error('Engine policy "maxAttemptsPerCall" must be at least 1');
  return policy;
}
