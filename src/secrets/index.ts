export * from './sealer';
export * from './fingerprint';
export { REDACTED, redactSecrets, redactedMessage } from './redact';
export * from './process-id';
export * from './keyed-id';
