export * from './errors';
export * from './events';
export * from './policy';
export * from './token-engine';
export * from './connection-key';
