export * from './types';
export * from './record-codec';
export * from './memory-ledger';
export * from './file-ledger';
