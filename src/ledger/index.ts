export * from './types';
export * from './record-codec';
export * from './memory-ledger';
export * from './file-ledger';
export * from './config-error';
export * from './chain-import';
export * from './postgres-ledger';
export { SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION } from './postgres-schema';
