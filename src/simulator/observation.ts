import type { Clock } from '../clock';
import { fingerprint } from '../secrets/fingerprint';
import type { Endpoint } from './types';

/** Why a presented refresh token was already dead. */
export type DeathReason = 'spent' | 'revoked' | 'expired' | 'killed';

export type SimEvent = { seq: number; at: number } & (
  | { type: 'request'; method: string; path: string; endpoint: Endpoint; status: number | 'dropped' | 'reset'; correlationId: string; fault?: string }
  | { type: 'token-issued'; grantId: string; grantType: string; accessToken: string; refreshToken?: string; parentRefreshToken?: string }
  | { type: 'token-spent'; grantId: string; refreshToken: string }
  | { type: 'grace-reuse'; grantId: string; refreshToken: string; graceMode: string }
  | { type: 'dead-token-use'; grantId: string; refreshToken: string; reason: DeathReason }
  | { type: 'unknown-token-use'; refreshToken: string }
  | { type: 'token-killed'; grantId: string; refreshToken: string; reason: 'revoked' | 'killed' | 'expired' }
  | { type: 'fault'; faultId: string; kind: string; endpoint: Endpoint }
  | { type: 'action'; action: string; detail: Record<string, unknown> }
  /** A webhook delivery attempt (its answer, or why there was none); never its body's signature or the key. */
  | {
      type: 'webhook';
      clientId: string;
      kind: 'delivery';
      firstEventSequence: number;
      lastEventSequence: number;
      events: number;
      attempt: number;
      status: number | 'error';
      error?: string;
    }
  /** One request of an intent-to-receive check. */
  | { type: 'webhook'; clientId: string; kind: 'intent-to-receive'; signature: 'correct' | 'wrong'; status: number | 'error'; error?: string }
);

const TOKEN_FIELDS = ['accessToken', 'refreshToken', 'parentRefreshToken'] as const;

/**
 * The event as the admin HTTP API shows it: every token replaced by `<field>Fp`, its fingerprint
 * (src/secrets/fingerprint.ts), so a reader that holds a token can still find it, and a reader
 * that does not learns nothing it could present. A presented "refresh token" may be a real one
 * sent to the simulator by mistake.
 */
export function withTokenFingerprints(event: SimEvent): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...event };
  for (const field of TOKEN_FIELDS) {
    const value = shown[field];
    if (typeof value !== 'string') continue;
    delete shown[field];
    shown[`${field}Fp`] = fingerprint(value);
  }
  return shown;
}

/** The event without the fields the recorder fills in. */
export type NewEvent = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, 'seq' | 'at'> : never) : never;

export interface SimulatorStats {
  /** Every HTTP request the simulator received, admin calls excluded. */
  requests: number;
  requestsByEndpoint: Partial<Record<Endpoint, number>>;
  /** POSTs to /connect/token, whatever their outcome. */
  tokenCalls: number;
  tokenCallsByGrantType: Record<string, number>;
  accessTokensIssued: number;
  refreshTokensIssued: number;
  /** Refresh tokens rotated for the first time (later grace-window reuses are `graceReuses`). */
  refreshTokensSpent: number;
  graceReuses: number;
  /** Presentations of a refresh token that was already dead: the chaos tests' verdict. */
  deadTokenUses: number;
  /** The same, per grant (one authorization and every token rotated from it). */
  deadTokenUsesByGrant: Record<string, number>;
  /** Strings that were never a refresh token here: not counted as dead uses. */
  unknownTokenUses: number;
  faultsFired: number;
}

export class Recorder {
  private readonly events: SimEvent[] = [];
  private seq = 0;
  private readonly counters: SimulatorStats = {
    requests: 0,
    requestsByEndpoint: {},
    tokenCalls: 0,
    tokenCallsByGrantType: {},
    accessTokensIssued: 0,
    refreshTokensIssued: 0,
    refreshTokensSpent: 0,
    graceReuses: 0,
    deadTokenUses: 0,
    deadTokenUsesByGrant: {},
    unknownTokenUses: 0,
    faultsFired: 0,
  };

  constructor(
    private readonly clock: Clock,
    /** Long chaos soaks would otherwise grow without bound; counters are kept regardless. */
    private readonly maxEvents = 100_000,
  ) {}

  record(event: NewEvent): void {
    const full = { ...event, seq: ++this.seq, at: this.clock.now() } as SimEvent;
    this.events.push(full);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
    const c = this.counters;
    switch (full.type) {
      case 'request':
        if (full.endpoint !== 'admin') {
          c.requests++;
          c.requestsByEndpoint[full.endpoint] = (c.requestsByEndpoint[full.endpoint] ?? 0) + 1;
        }
        break;
      case 'token-issued':
        c.accessTokensIssued++;
        if (full.refreshToken) c.refreshTokensIssued++;
        break;
      case 'token-spent':
        c.refreshTokensSpent++;
        break;
      case 'grace-reuse':
        c.graceReuses++;
        break;
      case 'dead-token-use':
        c.deadTokenUses++;
        c.deadTokenUsesByGrant[full.grantId] = (c.deadTokenUsesByGrant[full.grantId] ?? 0) + 1;
        break;
      case 'unknown-token-use':
        c.unknownTokenUses++;
        break;
      case 'fault':
        c.faultsFired++;
        break;
      default:
        break;
    }
  }

  tokenCall(grantType: string): void {
    this.counters.tokenCalls++;
    this.counters.tokenCallsByGrantType[grantType] = (this.counters.tokenCallsByGrantType[grantType] ?? 0) + 1;
  }

  stats(): SimulatorStats {
    return structuredClone(this.counters);
  }

  log(sinceSeq = 0): SimEvent[] {
    return this.events.filter((e) => e.seq > sinceSeq).map((e) => ({ ...e }));
  }
}
