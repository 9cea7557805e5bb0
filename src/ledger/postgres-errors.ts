import { LedgerUnavailableError } from '../errors';

/** Where a Postgres ledger connects, for messages (never the password). */
export interface PostgresEndpoint {
  host: string;
  port: number;
  database: string;
  user: string;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
// Server-side codes that mean "the server is going away or not up yet": trying again later can work.
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);

/**
 * Turns whatever `pg` threw into a LedgerUnavailableError that names the server and the fix.
 * Reachability problems are retryable (a restart, a failover); a wrong password or a missing
 * database is not, because only a human can fix it.
 */
export function postgresUnavailable(error: unknown, endpoint: PostgresEndpoint, action: string): LedgerUnavailableError {
  const at = `${endpoint.host}:${endpoint.port}`;
  const code = errorCode(error);
  const detail = errorMessage(error);
  if (code && UNREACHABLE_CODES.has(code)) {
    return new LedgerUnavailableError(
      `Cannot reach PostgreSQL at ${at} for the Xero Guard ledger (${code}) while trying to ${action}: start it or fix DB_POSTGRESDB_HOST/PORT (or the ledger's connection settings). The Xero connection is not broken; retry when the database is back.`,
      true,
    );
  }
  if ((code && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08'))) || isConnectionLoss(detail)) {
    return new LedgerUnavailableError(
      `PostgreSQL at ${at} dropped the Xero Guard ledger's connection (${code ?? detail}) while trying to ${action}; it is probably restarting. The Xero connection is not broken; retry shortly.`,
      true,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new LedgerUnavailableError(
      `PostgreSQL at ${at} refused user "${endpoint.user}" for the Xero Guard ledger (${code}): fix DB_POSTGRESDB_USER/PASSWORD (or the ledger's connection settings).`,
    );
  }
  if (code === '3D000') {
    return new LedgerUnavailableError(
      `PostgreSQL at ${at} has no database "${endpoint.database}" for the Xero Guard ledger: create it or fix DB_POSTGRESDB_DATABASE.`,
    );
  }
  if (code === '42501') {
    return new LedgerUnavailableError(
      `PostgreSQL user "${endpoint.user}" at ${at} may not create or use the Xero Guard ledger tables (${detail}): grant it CREATE and USAGE on the schema, or create the tables as an owner (see docs/queue-mode.md).`,
    );
  }
  return new LedgerUnavailableError(`PostgreSQL at ${at} failed to ${action} for the Xero Guard ledger: ${code ? `${code} ` : ''}${detail}`, false);
}

function isConnectionLoss(message: string): boolean {
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection|not queryable|timeout exceeded when trying to connect/i.test(
    message,
  );
}

function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // AggregateError from a connect to several addresses (localhost -> ::1 and 127.0.0.1).
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) for (const e of inner) if (errorCode(e)) return errorCode(e);
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
