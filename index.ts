// The public programmatic API of n8n-nodes-xero-guard: what the n8n and Node-RED adapters and users' own code import.
export * from './src/clock';
export * from './src/errors';
export * from './src/secrets';
export * from './src/xero';
export * from './src/ledger';
export * from './src/engine';
export * from './src/classify';
export * from './src/check';
export * from './src/simulator';
export * from './src/host';
export * from './src/fleet';
