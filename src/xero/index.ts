export * from './endpoints';
export * from './transport';
export * from './token-set';
export * from './token-response';
export * from './pkce';
export * from './identity-client';
export * from './api-client';
export * from './accounting';
