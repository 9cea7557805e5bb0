import { redactedMessage } from '../../src/secrets';

/**
 * The secrets an n8n Xero credential holds: the client secret, the ledger's database URLs, the
 * app's webhook key and the tokens "Connect" stored. What may leave a node is redacted against them by the core.
 */
export function secretsOf(credentials: Record<string, unknown> | undefined): string[] {
  if (!credentials) return [];
  const tokens = credentials.oauthTokenData && typeof credentials.oauthTokenData === 'object' ? (credentials.oauthTokenData as Record<string, unknown>) : {};
  const values = [
    credentials.clientSecret,
    credentials.ledgerPostgresUrl,
    credentials.ledgerRedisUrl,
    credentials.webhookSecret,
    typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : undefined,
    tokens.access_token,
    tokens.refresh_token,
    tokens.id_token,
  ];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Error text that may leave the node (defence in depth: the engine's messages already carry none). */
export function safeErrorMessage(error: unknown, credentials?: Record<string, unknown>, extraSecrets: readonly string[] = []): string {
  return redactedMessage(error, [...secretsOf(credentials), ...extraSecrets]);
}
