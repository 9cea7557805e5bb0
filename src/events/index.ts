// Xero events (docs/design/events.md): signed webhooks into a per-app inbox, consumers that emit
// each event once across processes, budget-aware polling with named events, and the catch-up sweep.
export { EventsConfigError } from './errors';
export {
  XERO_SIGNATURE_HEADER,
  DEFAULT_MAX_WEBHOOK_BYTES,
  WebhookKey,
  verifyWebhook,
  declaredTooLarge,
  readBodyCapped,
  type WebhookVerdict,
  type VerifyWebhookOptions,
} from './webhook';
export {
  EVENT_CATEGORIES,
  EVENT_TYPES,
  MAX_EVENTS_PER_DELIVERY,
  parseDelivery,
  eventId,
  eventTime,
  type EventCategory,
  type EventType,
  type XeroEvent,
  type XeroDelivery,
  type DeliveryProblem,
  type ParsedDelivery,
} from './delivery';
export { checkEventFilter, matchEvent, matchRecord, type EventFilter } from './filter';
export { WATCHES, WATCH_NAMES, CATEGORY_RESOURCES, IDS_PER_CALL, WHERE_IDS_PER_CALL, type WatchName, type ResourceInfo } from './resources';
export type { CallBudgetLike, RecordReader } from './budget';
export { fetchRecords, type FetchedRecords, type RecordError } from './fetch';
export { EventInbox, DEFAULT_INBOX_LIMITS, inboxLimits, type AppendOutcome, type EventInboxOptions, type EventSource, type SweptChange } from './inbox';
export { CLAIM_TTL_MS, EventConsumer, type EventBatch, type EventConsumerOptions, type EventItem, type ConsumerNotice } from './consumer';
export { pollDue, afterPoll, checkSchedule, type PollSchedule, type ScheduleState } from './schedule';
export { NAMED_EVENTS, NAMED_EVENT_SPECS, isNamedEvent, type NamedEventName, type NamedEventSpec } from './named-events';
export {
  ChangePoller,
  DEFAULT_OVERLAP_MS,
  DEFAULT_POLL_RETENTION,
  type ChangeItem,
  type ChangePollerOptions,
  type PendingClaims,
  type PollNotice,
  type PollResult,
  type PollState,
  type PollWatch,
} from './poller';
export { runCatchUp, CATCH_UP_CATEGORIES, type CatchUpCategory, type CatchUpOptions, type CatchUpReport } from './catch-up';
export { drainConsumer, pollAndEmit, type DrainOptions, type DrainReport } from './drain';
export { coalescing } from './coalesce';
export { XERO_GUID, positiveSetting, splitWatches, pollWindowProblem } from './settings';
