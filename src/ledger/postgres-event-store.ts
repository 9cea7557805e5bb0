import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { LedgerError } from '../errors';
import * as ev from './event-store';
import { postgresUnavailable, type PostgresEndpoint } from './postgres-errors';
import { ensureEventTables, inTransaction, type PostgresTables } from './postgres-schema';

interface EntryRow {
  position: string;
  id: string;
  resource: string;
  at: string;
  source: string;
  payload: unknown;
  received_at: string;
}

interface ConsumerDbRow {
  position: string;
  claim_token: string | null;
  claim_owner: string | null;
  claim_upto: string | null;
  claim_expires: string | null;
  seen_at: string;
}

type Query = <Row extends QueryResultRow>(text: string, params: unknown[]) => Promise<{ rows: Row[] }>;

/**
 * Events in the PostgreSQL ledger's database, on its pool. Each operation is one transaction:
 * appends lock their inbox's row (so positions are handed out in order and an id is checked and
 * stored under the same lock), a batch claim locks its consumer's row, and key claims lock the
 * rows they find and insert the rest with ON CONFLICT DO NOTHING (so of two claimers of a new key
 * exactly one inserts it). No connection is held beyond one operation.
 */
export class PostgresEventStore implements ev.EventStore {
  readonly description: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly tables: PostgresTables,
    private readonly endpoint: PostgresEndpoint,
  ) {
    this.description = `PostgreSQL event store ${tables.label.replace(/ledger$/, 'event_*')} at ${endpoint.host}:${endpoint.port}/${endpoint.database}`;
  }

  append(inbox: string, inputs: ev.InboxEntryInput[], now: number, limits: ev.InboxLimits): Promise<ev.AppendResult> {
    const e = this.tables.events;
    return this.transaction('append Xero events', async (q) => {
      const meta = await lockInbox(q, e.inbox, inbox);
      await q(`DELETE FROM ${e.seen} WHERE inbox = $1 AND seen_at <= $2`, [inbox, now - limits.memoryMs]);
      await q(`DELETE FROM ${e.resource} WHERE inbox = $1 AND touched_at <= $2`, [inbox, now - limits.memoryMs]);
      const seen = await q<{ id: string }>(`SELECT id FROM ${e.seen} WHERE inbox = $1 AND id = ANY($2::text[])`, [inbox, inputs.map((i) => i.id)]);
      const marks = await q<{ resource: string; xero_at: string | null; sweep_at: string | null }>(
        `SELECT resource, xero_at, sweep_at FROM ${e.resource} WHERE inbox = $1 AND resource = ANY($2::text[])`,
        [inbox, inputs.map((i) => i.resource)],
      );
      const known = new Map<string, ev.ResourceMark>(
        marks.rows.map((r) => [r.resource, { xeroAt: numberOrNull(r.xero_at), sweepAt: numberOrNull(r.sweep_at) }]),
      );
      const plan = ev.planAppend(inputs, new Set(seen.rows.map((r) => r.id)), known, meta.seq, now, limits.coverMs);
      if (plan.entries.length > 0) {
        const list = plan.entries;
        await q(
          `INSERT INTO ${e.entry} (inbox, position, id, resource, at, source, payload, received_at)
           SELECT $1, p, i, r, a, s, d, $8 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::jsonb[]) AS t(p, i, r, a, s, d)`,
          [
            inbox,
            list.map((x) => x.position),
            list.map((x) => x.id),
            list.map((x) => x.resource),
            list.map((x) => x.at),
            list.map((x) => x.source),
            list.map((x) => JSON.stringify(x.payload ?? null)),
            now,
          ],
        );
      }
      if (plan.seen.length > 0) {
        await q(
          `INSERT INTO ${e.seen} (inbox, id, seen_at) SELECT $1, i, $3 FROM unnest($2::text[]) AS t(i) ON CONFLICT (inbox, id) DO UPDATE SET seen_at = EXCLUDED.seen_at`,
          [inbox, plan.seen, now],
        );
      }
      if (plan.marks.size > 0) {
        const changed = [...plan.marks];
        await q(
          `INSERT INTO ${e.resource} (inbox, resource, xero_at, sweep_at, touched_at) SELECT $1, r, x, s, $5 FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS t(r, x, s)
           ON CONFLICT (inbox, resource) DO UPDATE SET xero_at = EXCLUDED.xero_at, sweep_at = EXCLUDED.sweep_at, touched_at = EXCLUDED.touched_at`,
          [inbox, changed.map(([r]) => r), changed.map(([, m]) => m.xeroAt), changed.map(([, m]) => m.sweepAt), now],
        );
      }
      const trim = await this.trim(q, inbox, plan.seq, meta.trimmedUpTo, now, limits);
      await q(`UPDATE ${e.inbox} SET seq = $2, trimmed_upto = $3 WHERE inbox = $1`, [inbox, plan.seq, trim.upTo]);
      return { appended: plan.entries, duplicates: plan.duplicates, covered: plan.covered, dropped: trim.dropped };
    });
  }

  openConsumer(inbox: string, consumer: string, from: 'head' | 'oldest', now: number): Promise<ev.ConsumerOpened> {
    const e = this.tables.events;
    return this.transaction('register a Xero event consumer', async (q) => {
      await q(`INSERT INTO ${e.inbox} (inbox, seq, trimmed_upto) VALUES ($1, 0, 0) ON CONFLICT (inbox) DO NOTHING`, [inbox]);
      const meta = (await q<{ seq: string; trimmed_upto: string }>(`SELECT seq, trimmed_upto FROM ${e.inbox} WHERE inbox = $1`, [inbox])).rows[0];
      const head = Number(meta.seq);
      const inserted = await q<{ position: string }>(
        `INSERT INTO ${e.consumer} (inbox, consumer, position, seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT (inbox, consumer) DO NOTHING RETURNING position`,
        [inbox, consumer, from === 'head' ? head : Number(meta.trimmed_upto), now],
      );
      if (inserted.rows[0]) return { position: Number(inserted.rows[0].position), head, created: true };
      const found = await q<{ position: string }>(`UPDATE ${e.consumer} SET seen_at = $3 WHERE inbox = $1 AND consumer = $2 RETURNING position`, [
        inbox,
        consumer,
        now,
      ]);
      return { position: Number(found.rows[0]?.position ?? head), head, created: false };
    });
  }

  claimBatch(inbox: string, consumer: string, options: { owner: string; max: number; ttlMs: number; now: number }): Promise<ev.BatchClaim> {
    const e = this.tables.events;
    return this.transaction('claim Xero events', async (q) => {
      const found = await q<ConsumerDbRow>(
        `SELECT position, claim_token, claim_owner, claim_upto, claim_expires, seen_at FROM ${e.consumer} WHERE inbox = $1 AND consumer = $2 FOR UPDATE`,
        [inbox, consumer],
      );
      const stored = found.rows[0];
      if (!stored) return { status: 'unknown' };
      const meta = (await q<{ trimmed_upto: string }>(`SELECT trimmed_upto FROM ${e.inbox} WHERE inbox = $1`, [inbox])).rows[0];
      const row = {
        position: Number(stored.position),
        seenAt: Number(stored.seen_at),
        claim:
          stored.claim_token === null
            ? null
            : { token: stored.claim_token, owner: stored.claim_owner ?? '', upTo: Number(stored.claim_upto), expiresAt: Number(stored.claim_expires) },
      };
      const plan = ev.planClaim(row, Number(meta?.trimmed_upto ?? 0), options.now);
      if (plan.kind === 'busy') return { status: 'busy', owner: plan.owner, expiresAt: plan.expiresAt };
      const entries = await q<EntryRow>(
        `SELECT position, id, resource, at, source, payload, received_at FROM ${e.entry} WHERE inbox = $1 AND position > $2 ORDER BY position LIMIT $3`,
        [inbox, plan.from, Math.max(1, options.max)],
      );
      const { row: next, result } = ev.applyClaim(plan, entries.rows.map(toEntry), { ...options, token: randomUUID() });
      await q(
        `UPDATE ${e.consumer} SET position = $3, claim_token = $4, claim_owner = $5, claim_upto = $6, claim_expires = $7, seen_at = $8 WHERE inbox = $1 AND consumer = $2`,
        [
          inbox,
          consumer,
          next.position,
          next.claim?.token ?? null,
          next.claim?.owner ?? null,
          next.claim?.upTo ?? null,
          next.claim?.expiresAt ?? null,
          next.seenAt,
        ],
      );
      return result;
    });
  }

  commitBatch(inbox: string, consumer: string, token: string, now: number, limits: ev.InboxLimits): Promise<boolean> {
    const e = this.tables.events;
    return this.transaction('commit Xero events', async (q) => {
      const done = await q(
        `UPDATE ${e.consumer} SET position = claim_upto, claim_token = NULL, claim_owner = NULL, claim_upto = NULL, claim_expires = NULL, seen_at = $4
         WHERE inbox = $1 AND consumer = $2 AND claim_token = $3 RETURNING position`,
        [inbox, consumer, token, now],
      );
      if (done.rows.length === 0) return false;
      const meta = (await q<{ seq: string; trimmed_upto: string }>(`SELECT seq, trimmed_upto FROM ${e.inbox} WHERE inbox = $1`, [inbox])).rows[0];
      await this.trim(q, inbox, Number(meta?.seq ?? 0), Number(meta?.trimmed_upto ?? 0), now, { ...limits, maxEntries: Infinity });
      return true;
    });
  }

  async abandonBatch(inbox: string, consumer: string, token: string): Promise<void> {
    const e = this.tables.events;
    await this.query(
      'give back a claim on Xero events',
      `UPDATE ${e.consumer} SET claim_token = NULL, claim_owner = NULL, claim_upto = NULL, claim_expires = NULL WHERE inbox = $1 AND consumer = $2 AND claim_token = $3`,
      [inbox, consumer, token],
    );
  }

  claimKeys(scope: string, keys: string[], options: { owner: string; ttlMs: number; now: number }): Promise<ev.KeyClaims> {
    const c = this.tables.events.claim;
    // Sorted, so two claimers of overlapping keys lock and insert them in the same order (no deadlock).
    const wanted = ev.distinctKeys(keys).sort();
    const token = randomUUID();
    return this.transaction('claim Xero records to emit', async (q) => {
      const existing = await q<{ key: string; token: string; done: boolean; expires_at: string; touched_at: string }>(
        `SELECT key, token, done, expires_at, touched_at FROM ${c} WHERE scope = $1 AND key = ANY($2::text[]) FOR UPDATE`,
        [scope, wanted],
      );
      const rows = new Map(
        existing.rows.map((r) => [r.key, { token: r.token, done: r.done, expiresAt: Number(r.expires_at), touchedAt: Number(r.touched_at) }]),
      );
      const states: Record<string, ev.KeyState> = {};
      const fresh = wanted.filter((key) => !rows.has(key));
      if (fresh.length > 0) {
        const inserted = await q<{ key: string }>(
          `INSERT INTO ${c} (scope, key, token, done, expires_at, touched_at) SELECT $1, k, $2, false, $3, $4 FROM unnest($5::text[]) AS t(k)
           ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
          [scope, token, options.now + options.ttlMs, options.now, fresh],
        );
        const mine = new Set(inserted.rows.map((r) => r.key));
        // Not inserted: another claimer inserted it after our read, and holds it.
        for (const key of fresh) states[key] = mine.has(key) ? 'claimed' : 'busy';
      }
      for (const [key, row] of rows) states[key] = ev.planKey(row, options.now);
      const reclaimed = [...rows.keys()].filter((key) => states[key] === 'reclaimed');
      if (reclaimed.length > 0) {
        await q(`UPDATE ${c} SET token = $2, expires_at = $3, touched_at = $4 WHERE scope = $1 AND key = ANY($5::text[])`, [
          scope,
          token,
          options.now + options.ttlMs,
          options.now,
          reclaimed,
        ]);
      }
      const seenAgain = [...rows.keys()].filter((key) => states[key] === 'done');
      if (seenAgain.length > 0) await q(`UPDATE ${c} SET touched_at = $2 WHERE scope = $1 AND key = ANY($3::text[])`, [scope, options.now, seenAgain]);
      return { token, states: Object.fromEntries(wanted.map((key) => [key, states[key]])) };
    });
  }

  completeKeys(scope: string, token: string, keys: string[], now: number, retention: ev.KeyRetention): Promise<number> {
    const c = this.tables.events.claim;
    return this.transaction('mark Xero records emitted', async (q) => {
      const done = await q(
        `UPDATE ${c} SET done = true, expires_at = 0, touched_at = $4 WHERE scope = $1 AND token = $2 AND key = ANY($3::text[]) AND NOT done RETURNING key`,
        [scope, token, ev.distinctKeys(keys), now],
      );
      const finished = `(done OR expires_at <= $2)`;
      await q(`DELETE FROM ${c} WHERE scope = $1 AND ${finished} AND touched_at <= $3`, [scope, now, now - retention.retentionMs]);
      await q(
        `DELETE FROM ${c} WHERE scope = $1 AND key IN (
           SELECT key FROM ${c} WHERE scope = $1 AND ${finished} ORDER BY touched_at LIMIT greatest(0, (SELECT count(*) FROM ${c} WHERE scope = $1) - $3))`,
        [scope, now, retention.maxKeys],
      );
      return done.rows.length;
    });
  }

  async releaseKeys(scope: string, token: string, keys: string[]): Promise<void> {
    await this.query(
      'give back Xero records to emit',
      `DELETE FROM ${this.tables.events.claim} WHERE scope = $1 AND token = $2 AND key = ANY($3::text[]) AND NOT done`,
      [scope, token, ev.distinctKeys(keys)],
    );
  }

  async readMarks(scope: string): Promise<Record<string, number>> {
    const found = await this.query<{ name: string; value: string }>('read event marks', `SELECT name, value FROM ${this.tables.events.mark} WHERE scope = $1`, [
      scope,
    ]);
    return Object.fromEntries(found.rows.map((r) => [r.name, Number(r.value)]));
  }

  async raiseMarks(scope: string, marks: Record<string, number>): Promise<void> {
    const entries = Object.entries(marks);
    if (entries.length === 0) return;
    const m = this.tables.events.mark;
    await this.query(
      'raise event marks',
      `INSERT INTO ${m} AS m (scope, name, value) SELECT $1, n, v FROM unnest($2::text[], $3::bigint[]) AS t(n, v)
       ON CONFLICT (scope, name) DO UPDATE SET value = greatest(m.value, EXCLUDED.value)`,
      [scope, entries.map(([n]) => n), entries.map(([, v]) => Math.round(v))],
    );
  }

  /** The pool belongs to the ledger, which closes it. */
  async close(): Promise<void> {}

  /** Drops idle consumers and removes entries every live consumer passed (and, for appends, beyond the cap). */
  private async trim(
    q: Query,
    inbox: string,
    seq: number,
    trimmedUpTo: number,
    now: number,
    limits: ev.InboxLimits,
  ): Promise<{ upTo: number; dropped: number }> {
    const e = this.tables.events;
    const consumers = await q<{ consumer: string; position: string; seen_at: string }>(
      `SELECT consumer, position, seen_at FROM ${e.consumer} WHERE inbox = $1`,
      [inbox],
    );
    const plan = ev.planTrim(
      seq,
      trimmedUpTo,
      consumers.rows.map((r) => ({ consumer: r.consumer, position: Number(r.position), seenAt: Number(r.seen_at) })),
      now,
      limits,
    );
    if (plan.idle.length > 0) await q(`DELETE FROM ${e.consumer} WHERE inbox = $1 AND consumer = ANY($2::text[])`, [inbox, plan.idle]);
    await q(`DELETE FROM ${e.entry} WHERE inbox = $1 AND position <= $2`, [inbox, plan.upTo]);
    return { upTo: plan.upTo, dropped: plan.dropped };
  }

  private async ensureTables(): Promise<void> {
    if (!this.ready) {
      this.ready = ensureEventTables(this.pool, this.tables).catch((error: unknown) => {
        this.ready = null;
        throw error instanceof LedgerError ? error : postgresUnavailable(error, this.endpoint, `set up the event tables beside ${this.tables.label}`);
      });
    }
    await this.ready;
  }

  private async transaction<T>(action: string, work: (q: Query) => Promise<T>): Promise<T> {
    await this.ensureTables();
    try {
      return await inTransaction(this.pool, (client: PoolClient) => work((text, params) => client.query(text, params)));
    } catch (error) {
      throw error instanceof LedgerError ? error : postgresUnavailable(error, this.endpoint, action);
    }
  }

  private async query<Row extends QueryResultRow>(action: string, text: string, params: unknown[]): Promise<{ rows: Row[] }> {
    await this.ensureTables();
    try {
      return await this.pool.query<Row>(text, params);
    } catch (error) {
      throw postgresUnavailable(error, this.endpoint, action);
    }
  }
}

/** Creates the inbox's row if needed and locks it for the rest of the transaction. */
async function lockInbox(q: Query, table: string, inbox: string): Promise<{ seq: number; trimmedUpTo: number }> {
  await q(`INSERT INTO ${table} (inbox, seq, trimmed_upto) VALUES ($1, 0, 0) ON CONFLICT (inbox) DO NOTHING`, [inbox]);
  const row = (await q<{ seq: string; trimmed_upto: string }>(`SELECT seq, trimmed_upto FROM ${table} WHERE inbox = $1 FOR UPDATE`, [inbox])).rows[0];
  return { seq: Number(row.seq), trimmedUpTo: Number(row.trimmed_upto) };
}

function toEntry(row: EntryRow): ev.InboxEntry {
  return {
    position: Number(row.position),
    id: row.id,
    resource: row.resource,
    at: Number(row.at),
    source: row.source === 'sweep' ? 'sweep' : 'xero',
    payload: row.payload,
    receivedAt: Number(row.received_at),
  };
}

function numberOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}
