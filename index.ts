// The public programmatic API of n8n-nodes-xero-guard: what the n8n and Node-RED adapters and users' own code import.
// The local Xero simulator is not here: it is `n8n-nodes-xero-guard/simulator` (src/simulator), so production importers never load it.
export * from './src/clock';
export * from './src/errors';
export * from './src/secrets';
export * from './src/xero';
export * from './src/ledger';
export * from './src/engine';
export * from './src/classify';
export * from './src/xero-tiers';
export * from './src/check';
export * from './src/host';
export * from './src/fleet';
export * from './src/events';
