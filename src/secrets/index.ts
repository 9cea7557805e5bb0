export * from './sealer';
export * from './fingerprint';
export * from './process-id';
