import type { Pool, PoolClient } from 'pg';
import { LedgerConfigError } from './config-error';

/** The tables one Postgres ledger uses, as quoted, schema-qualified SQL identifiers. */
export interface PostgresTables {
  /** One row per connection: metadata in clear, tokens only in the sealed column. */
  data: string;
  /** One row per connection while a refresh lease is (or was) held. */
  lease: string;
  /** One row: the layout version, so later releases can migrate the tables in place. */
  schema: string;
  /** Observations beside each chain (see ChainNotes); created on first write, outside the versioned layout. */
  notes: string;
  /** The event store's tables (docs/design/events.md); created on first use, outside the versioned layout. */
  events: { inbox: string; entry: string; seen: string; resource: string; consumer: string; claim: string; mark: string };
  /** For messages: schema.table of the data table, unquoted. */
  label: string;
}

export const SCHEMA_VERSION = 1;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_PREFIX = 40;

export function postgresTables(tablePrefix: string, schema: string | undefined): PostgresTables {
  if (!IDENTIFIER.test(tablePrefix) || tablePrefix.length > MAX_PREFIX) {
    throw new LedgerConfigError(
      `Option "tablePrefix" must be letters, digits and underscores, start with a letter or underscore, and be at most ${MAX_PREFIX} characters (got ${JSON.stringify(tablePrefix)}); the default is "xero_guard_".`,
    );
  }
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new LedgerConfigError(`Option "schema" must be a plain PostgreSQL schema name such as "public" (got ${JSON.stringify(schema)}).`);
  }
  const qualify = (name: string) => (schema ? `"${schema}"."${name}"` : `"${name}"`);
  return {
    data: qualify(`${tablePrefix}ledger`),
    lease: qualify(`${tablePrefix}lease`),
    schema: qualify(`${tablePrefix}schema`),
    notes: qualify(`${tablePrefix}notes`),
    events: {
      inbox: qualify(`${tablePrefix}event_inbox`),
      entry: qualify(`${tablePrefix}event_entry`),
      seen: qualify(`${tablePrefix}event_seen`),
      resource: qualify(`${tablePrefix}event_resource`),
      consumer: qualify(`${tablePrefix}event_consumer`),
      claim: qualify(`${tablePrefix}event_claim`),
      mark: qualify(`${tablePrefix}event_mark`),
    },
    label: `${schema ? `${schema}.` : ''}${tablePrefix}ledger`,
  };
}

/**
 * Each entry brings the layout from version i to i+1. Never edit a released step: add one.
 * Lease and record times are epoch milliseconds (bigint) so the injected clock and the
 * database's clock can be compared without time-zone arithmetic.
 */
function migrations(t: PostgresTables): string[][] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t.data} (
        key text PRIMARY KEY,
        version bigint NOT NULL CHECK (version > 0),
        state text NOT NULL,
        document jsonb NOT NULL,
        sealed text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE IF NOT EXISTS ${t.lease} (
        key text PRIMARY KEY,
        owner text NOT NULL,
        token text NOT NULL,
        expires_at bigint NOT NULL
      )`,
    ],
  ];
}

/**
 * Runs `work` in one transaction on one pooled client: COMMIT when it resolves, ROLLBACK when it
 * throws. The one transaction block of the PostgreSQL ledger.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A client that failed mid-transaction may have a dead socket: destroy it instead of pooling it.
    client.release(failure);
  }
}

/**
 * Changes the layout under a transaction-scoped advisory lock (released at commit; never held
 * beyond it). Several processes start at once in queue mode, and CREATE TABLE IF NOT EXISTS is not
 * safe against itself, so every change of the layout goes through here.
 */
function underSchemaLock(pool: Pool, tables: PostgresTables, steps: (client: PoolClient) => Promise<void>): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`xero-guard:${tables.schema}`]);
    await steps(client);
  });
}

/** Creates or upgrades the versioned tables (data, lease, schema). */
export async function ensureSchema(pool: Pool, tables: PostgresTables): Promise<void> {
  await underSchemaLock(pool, tables, async (client) => {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.schema} (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    const found = await client.query<{ version: number }>(`SELECT version FROM ${tables.schema} WHERE id = 1`);
    const current = found.rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new LedgerConfigError(
        `The Xero Guard ledger tables ${tables.label} were laid out by a newer Xero Guard (layout ${current}, this one knows ${SCHEMA_VERSION}): upgrade n8n-nodes-xero-guard on every n8n process. Nothing was changed.`,
      );
    }
    const steps = migrations(tables);
    for (let version = current; version < SCHEMA_VERSION; version++) {
      for (const statement of steps[version]) await client.query(statement);
    }
    if (current < SCHEMA_VERSION) {
      await client.query(
        `INSERT INTO ${tables.schema} (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
        [SCHEMA_VERSION],
      );
    }
  });
}

/**
 * The notes and event tables are additive and optional: older releases never read them, so they
 * live outside the versioned layout (no SCHEMA_VERSION bump, which would make older processes
 * refuse the ledger) and are created on first use, under the same lock as the layout.
 */
export async function ensureNotesTable(pool: Pool, tables: PostgresTables): Promise<void> {
  await underSchemaLock(pool, tables, async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.notes} (
      key text NOT NULL,
      field text NOT NULL,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (key, field)
    )`);
  });
}

/**
 * The event tables (docs/design/events.md). Times are epoch milliseconds from the caller's clock,
 * like lease times under 'clock', so a test can expire a claim by moving its clock.
 */
export async function ensureEventTables(pool: Pool, tables: PostgresTables): Promise<void> {
  const e = tables.events;
  await underSchemaLock(pool, tables, async (client) => {
    for (const statement of [
      `CREATE TABLE IF NOT EXISTS ${e.inbox} (inbox text PRIMARY KEY, seq bigint NOT NULL, trimmed_upto bigint NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${e.entry} (
        inbox text NOT NULL, position bigint NOT NULL, id text NOT NULL, resource text NOT NULL, at bigint NOT NULL,
        source text NOT NULL, payload jsonb NOT NULL, received_at bigint NOT NULL, PRIMARY KEY (inbox, position))`,
      `CREATE TABLE IF NOT EXISTS ${e.seen} (inbox text NOT NULL, id text NOT NULL, seen_at bigint NOT NULL, PRIMARY KEY (inbox, id))`,
      `CREATE TABLE IF NOT EXISTS ${e.resource} (
        inbox text NOT NULL, resource text NOT NULL, xero_at bigint, sweep_at bigint, touched_at bigint NOT NULL, PRIMARY KEY (inbox, resource))`,
      `CREATE TABLE IF NOT EXISTS ${e.consumer} (
        inbox text NOT NULL, consumer text NOT NULL, position bigint NOT NULL, claim_token text, claim_owner text,
        claim_upto bigint, claim_expires bigint, seen_at bigint NOT NULL, PRIMARY KEY (inbox, consumer))`,
      `CREATE TABLE IF NOT EXISTS ${e.claim} (
        scope text NOT NULL, key text NOT NULL, token text NOT NULL, done boolean NOT NULL, expires_at bigint NOT NULL,
        touched_at bigint NOT NULL, PRIMARY KEY (scope, key))`,
      `CREATE TABLE IF NOT EXISTS ${e.mark} (scope text NOT NULL, name text NOT NULL, value bigint NOT NULL, PRIMARY KEY (scope, name))`,
    ])
      await client.query(statement);
  });
}

/** Whether the ledger table exists, without creating anything (for read-only tools). */
export async function ledgerTableExists(pool: Pool, tables: PostgresTables): Promise<boolean> {
  const found = await pool.query<{ exists: string | null }>('SELECT to_regclass($1) AS exists', [tables.data]);
  return found.rows[0]?.exists != null;
}
