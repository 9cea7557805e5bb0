// The host kit: what every host wing (n8n, Node-RED, a user's own program) needs around the engine.
export * from './engine-registry';
export * from './advice';
export * from './failed-check';
export * from './scopes';
export * from './alert-texts';
export * from './session';
export * from './watch';
export * from './scope-watch';
export * from './credential-type';
export * from './event-store';
export * from './watch-memory';
export * from './connection-caps';
export * from './tier-setting';
