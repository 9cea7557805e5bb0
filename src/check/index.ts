export * from './types';
export { checkConnection, connectedReason, engineProblem, statusFor, type CheckConnectionOptions, type Classify } from './check-connection';
export * from './state-change';
export * from './tenant-changes';
export * from './call-budget';
export * from './tenant-probe';
export * from './connection-cap';
