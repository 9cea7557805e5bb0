export * from './list-fleet';
export * from './fleet-diff';
export * from './notes';
export * from './format';
export * from './status-command';
export * from './shown-listing';
export * from './app-caps';
