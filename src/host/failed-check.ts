import { systemClock, type Clock } from '../clock';
import { engineProblem, type CheckResult, type Classify } from '../check';
import { classifyXeroError } from '../classify';

/**
 * A check result for a failure found before a check could run (no connect yet, a setting, the
 * ledger): the same shape checkConnection gives, so a workflow routes on it the same way.
 */
export function checkResultForError(error: unknown, options: { clock?: Clock; classify?: Classify } = {}): CheckResult {
  const classify = options.classify ?? ((input: unknown) => classifyXeroError(input));
  return {
    ...engineProblem(error, classify),
    checkedAt: new Date((options.clock ?? systemClock).now()).toISOString(),
    tokenHealth: { accessTokenExpiresAt: null, lastRotationAt: null, daysLeftBeforeIdleExpiry: null, chainState: 'not_connected' },
  };
}
