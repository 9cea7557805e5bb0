/**
 * Error text that may leave the node: the error's own message with every secret the credential
 * holds cut out (defence in depth: the engine's messages already carry none).
 */
export function secretsOf(credentials: Record<string, unknown> | undefined): string[] {
  if (!credentials) return [];
  const out: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 8) out.push(v);
  };
  add(credentials.clientSecret);
  add(credentials.ledgerPostgresUrl);
  add(credentials.ledgerRedisUrl);
  const tokens = credentials.oauthTokenData;
  if (tokens && typeof tokens === 'object') {
    for (const name of ['access_token', 'refresh_token', 'id_token']) add((tokens as Record<string, unknown>)[name]);
  }
  return out.sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  // Anything that still looks like a bearer token or a JWT.
  return out.replace(/Bearer\s+[A-Za-z0-9._~+/-]+=*/gi, 'Bearer [redacted]').replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted]');
}

export function safeErrorMessage(error: unknown, credentials?: Record<string, unknown>, extraSecrets: readonly string[] = []): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'Xero Guard failed';
  return redactSecrets(message, [...secretsOf(credentials), ...extraSecrets]);
}
