export * from './sealer';
export * from './fingerprint';
