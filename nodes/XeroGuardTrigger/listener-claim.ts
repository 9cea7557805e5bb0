/**
 * At most one running listener per trigger (its consumer id) in an n8n process: the latest start
 * takes over. n8n 2.41 can start a trigger twice for one activation and keep the close function of
 * only one start; the other was never closed, and after the workflow was deactivated it went on
 * reading the inbox every few seconds, fetching records from Xero for an execution n8n then refused
 * ("Published version not found"), seen in CI. The start n8n keeps is the later one, so a new start
 * stops the one before it.
 */
interface Claim {
  superseded: boolean;
  stop?: () => void;
}

const claims = new Map<string, Claim>();

export interface ListenerClaim {
  /** True once a later start of the same trigger took over: this start must not (or no longer) read. */
  readonly superseded: boolean;
  /** How to stop this listener when a later start takes over (at once if one already has). */
  onSuperseded(stop: () => void): void;
  /** At close: frees the trigger's slot if it is still this start's. */
  release(): void;
}

export function claimListener(consumerId: string): ListenerClaim {
  const previous = claims.get(consumerId);
  if (previous) {
    previous.superseded = true;
    previous.stop?.();
  }
  const own: Claim = { superseded: false };
  claims.set(consumerId, own);
  return {
    get superseded() {
      return own.superseded;
    },
    onSuperseded(stop) {
      own.stop = stop;
      if (own.superseded) stop();
    },
    release() {
      if (claims.get(consumerId) === own) claims.delete(consumerId);
    },
  };
}
