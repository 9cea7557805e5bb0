import { XeroGuardError } from '../errors';

/**
 * An events option is missing or wrong (an unknown category, an empty webhook key, a ceiling below
 * the interval). The message names the option and the fix, and never carries the webhook key.
 */
export class EventsConfigError extends XeroGuardError {
  readonly code = 'EVENTS_CONFIG';
  readonly retryable = false;
}
