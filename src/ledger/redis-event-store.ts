import { createHash, randomUUID } from 'node:crypto';
import * as ev from './event-store';
import { redisScript, type RedisLink } from './redis-connection';

// Each operation is one Lua script, so it runs whole with nothing in between: the same rules as the
// plan functions of event-store.ts (planAppend, planTrim, planClaim, planKey, planKeyTrim), which
// the contract test runs against every store. Numbers are formatted with %.0f: epoch milliseconds
// are exact in Lua's doubles but %d and tostring may not print them whole.
const HELPERS = `
local function fmt(n) if n == nil then return '' end return string.format('%.0f', n) end
local function trim(entriesKey, consKey, seq, trimmed, now, idleMs, maxEntries)
  local passed, rows = nil, redis.call('HGETALL', consKey)
  for i = 1, #rows, 2 do
    local c = cjson.decode(rows[i + 1])
    if now - c.seenAt < idleMs then
      if passed == nil or c.position < passed then passed = c.position end
    else
      redis.call('HDEL', consKey, rows[i])
    end
  end
  if passed == nil then passed = seq end
  local upTo = math.max(trimmed, passed)
  local dropped = 0
  if maxEntries > 0 then
    local capped = seq - maxEntries
    dropped = math.max(0, capped - upTo)
    upTo = math.max(upTo, capped)
  end
  redis.call('ZREMRANGEBYSCORE', entriesKey, '-inf', fmt(upTo))
  return upTo, dropped
end
`;

// KEYS: meta, entries, seen, resources, resource times, consumers.
// ARGV: now, maxEntries, memoryMs, coverMs, consumerIdleMs, count, then per entry: id, resource, at, source, body.
const APPEND = redisScript(`${HELPERS}
local now, maxEntries, memoryMs, coverMs, idleMs, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local forget = fmt(now - memoryMs)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', forget)
for _, r in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', forget)) do redis.call('HDEL', KEYS[4], r) end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', forget)
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local trimmed = tonumber(redis.call('HGET', KEYS[1], 'trimmed') or '0')
local duplicates, covered, appended = 0, 0, {}
for i = 0, n - 1 do
  local id, resource, at, source, body = ARGV[7 + i * 5], ARGV[8 + i * 5], tonumber(ARGV[9 + i * 5]), ARGV[10 + i * 5], ARGV[11 + i * 5]
  if redis.call('ZSCORE', KEYS[3], id) then
    duplicates = duplicates + 1
  else
    redis.call('ZADD', KEYS[3], fmt(now), id)
    local x, s = nil, nil
    local mark = redis.call('HGET', KEYS[4], resource)
    if mark then
      local a, b = string.match(mark, '^([^,]*),([^,]*)$')
      x, s = tonumber(a), tonumber(b)
    end
    local isCovered
    if source == 'sweep' then
      isCovered = (x ~= nil and x >= at - coverMs) or (s ~= nil and s >= at)
      if s == nil or at > s then s = at end
    else
      isCovered = s ~= nil and s >= at - coverMs
      if x == nil or at > x then x = at end
    end
    redis.call('HSET', KEYS[4], resource, fmt(x) .. ',' .. fmt(s))
    redis.call('ZADD', KEYS[5], fmt(now), resource)
    if isCovered then
      covered = covered + 1
    else
      seq = seq + 1
      local member = fmt(seq) .. '|' .. fmt(now) .. '|' .. body
      redis.call('ZADD', KEYS[2], fmt(seq), member)
      table.insert(appended, member)
    end
  end
end
local upTo, dropped = trim(KEYS[2], KEYS[6], seq, trimmed, now, idleMs, maxEntries)
redis.call('HSET', KEYS[1], 'seq', fmt(seq), 'trimmed', fmt(upTo))
return {duplicates, covered, dropped, appended}`);

// KEYS: meta, consumers. ARGV: consumer, 'head' or 'oldest', now.
const OPEN = redisScript(`${HELPERS}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if raw then
  local c = cjson.decode(raw)
  c.seenAt = tonumber(ARGV[3])
  redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(c))
  return {fmt(c.position), fmt(seq), 0}
end
local position = seq
if ARGV[2] == 'oldest' then position = tonumber(redis.call('HGET', KEYS[1], 'trimmed') or '0') end
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({position = position, seenAt = tonumber(ARGV[3])}))
return {fmt(position), fmt(seq), 1}`);

// KEYS: meta, entries, consumers. ARGV: consumer, now, max, ttlMs, token, owner.
const CLAIM = redisScript(`${HELPERS}
local raw = redis.call('HGET', KEYS[3], ARGV[1])
if not raw then return {'unknown'} end
local c = cjson.decode(raw)
local now = tonumber(ARGV[2])
if c.token and c.expiresAt > now then return {'busy', c.owner, fmt(c.expiresAt)} end
local trimmed = tonumber(redis.call('HGET', KEYS[1], 'trimmed') or '0')
local missed = math.max(0, trimmed - c.position)
local from = c.position + missed
local redelivered = 0
if c.token then redelivered = c.upTo end
local items = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. fmt(from), '+inf', 'LIMIT', 0, tonumber(ARGV[3]))
if #items == 0 then
  redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({position = from, seenAt = now}))
  return {'empty', fmt(missed)}
end
local last = tonumber(string.match(items[#items], '^(%d+)|'))
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({position = from, seenAt = now, token = ARGV[5], owner = ARGV[6], upTo = last, expiresAt = now + tonumber(ARGV[4])}))
return {'claimed', fmt(missed), fmt(math.min(redelivered, last)), items}`);

// KEYS: meta, entries, consumers. ARGV: consumer, token, now, consumerIdleMs.
const COMMIT = redisScript(`${HELPERS}
local raw = redis.call('HGET', KEYS[3], ARGV[1])
if not raw then return 0 end
local c = cjson.decode(raw)
if c.token ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({position = c.upTo, seenAt = tonumber(ARGV[3])}))
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local trimmed = tonumber(redis.call('HGET', KEYS[1], 'trimmed') or '0')
trim(KEYS[2], KEYS[3], seq, trimmed, tonumber(ARGV[3]), tonumber(ARGV[4]), 0)
return 1`);

// KEYS: consumers. ARGV: consumer, token.
const ABANDON = redisScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local c = cjson.decode(raw)
if c.token ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({position = c.position, seenAt = c.seenAt}))
return 1`);

// KEYS: claims, touch times. ARGV: now, ttlMs, token, keys...
const CLAIM_KEYS = redisScript(`
local now, ttl, token = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local states = {}
for i = 4, #ARGV do
  local key = ARGV[i]
  local raw = redis.call('HGET', KEYS[1], key)
  local state = 'claimed'
  if raw then
    local r = cjson.decode(raw)
    if r.done then state = 'done' elseif r.expiresAt > now then state = 'busy' else state = 'reclaimed' end
    if state == 'done' then
      r.touchedAt = now
      redis.call('HSET', KEYS[1], key, cjson.encode(r))
      redis.call('ZADD', KEYS[2], string.format('%.0f', now), key)
    end
  end
  if state == 'claimed' or state == 'reclaimed' then
    redis.call('HSET', KEYS[1], key, cjson.encode({token = token, done = false, expiresAt = now + ttl, touchedAt = now}))
    redis.call('ZADD', KEYS[2], string.format('%.0f', now), key)
  end
  table.insert(states, state)
end
return states`);

// KEYS: claims, touch times. ARGV: now, token, retentionMs, maxKeys, keys...
const COMPLETE_KEYS = redisScript(`
local now, token, retention, maxKeys = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local completed = 0
for i = 5, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw then
    local r = cjson.decode(raw)
    if not r.done and r.token == token then
      redis.call('HSET', KEYS[1], ARGV[i], cjson.encode({token = token, done = true, expiresAt = 0, touchedAt = now}))
      redis.call('ZADD', KEYS[2], string.format('%.0f', now), ARGV[i])
      completed = completed + 1
    end
  end
end
local function finished(key)
  local raw = redis.call('HGET', KEYS[1], key)
  if not raw then return true end
  local r = cjson.decode(raw)
  return r.done or r.expiresAt <= now
end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', string.format('%.0f', now - retention))) do
  if finished(key) then redis.call('HDEL', KEYS[1], key); redis.call('ZREM', KEYS[2], key) end
end
local over = redis.call('HLEN', KEYS[1]) - maxKeys
if over > 0 then
  for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    if over <= 0 then break end
    if finished(key) then redis.call('HDEL', KEYS[1], key); redis.call('ZREM', KEYS[2], key); over = over - 1 end
  end
end
return completed`);

// KEYS: claims, touch times. ARGV: token, keys...
const RELEASE_KEYS = redisScript(`
for i = 2, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw then
    local r = cjson.decode(raw)
    if not r.done and r.token == ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[i]); redis.call('ZREM', KEYS[2], ARGV[i]) end
  end
end
return 1`);

// KEYS: marks. ARGV: name, value, name, value...
const RAISE_MARKS = redisScript(`
for i = 1, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not current or tonumber(ARGV[i + 1]) > tonumber(current) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`);

/**
 * Events in the Redis ledger's server, on its connection. Every operation is one Lua script, so
 * it is atomic on the server; the keys of one inbox (or one claim scope) share a hash tag, so they
 * live in one slot should the server be a cluster. As with the Redis ledger, what survives a Redis
 * restart depends on its persistence (AOF): without it a restart forgets the inbox, positions and
 * claims, and events may be emitted again.
 */
export class RedisEventStore implements ev.EventStore {
  readonly description: string;

  constructor(
    private readonly link: RedisLink,
    private readonly keyPrefix: string,
    /** Connects and checks persistence once, as the ledger does before its first use. */
    private readonly open: () => Promise<void>,
  ) {
    this.description = `Redis event store ${keyPrefix}ev* at ${link.endpoint}`;
  }

  async append(inbox: string, inputs: ev.InboxEntryInput[], now: number, limits: ev.InboxLimits): Promise<ev.AppendResult> {
    const args: Array<string | number> = [now, capArg(limits.maxEntries), limits.memoryMs, limits.coverMs, limits.consumerIdleMs, inputs.length];
    for (const i of inputs)
      args.push(i.id, i.resource, i.at, i.source, JSON.stringify({ id: i.id, resource: i.resource, at: i.at, source: i.source, payload: i.payload ?? null }));
    const [duplicates, covered, dropped, members] = (await this.run(
      'append Xero events',
      APPEND,
      this.inboxKeys(inbox, 'meta', 'entries', 'seen', 'res', 'rest', 'cons'),
      args,
    )) as [number, number, number, string[]];
    return { appended: members.map(parseMember), duplicates, covered, dropped };
  }

  async openConsumer(inbox: string, consumer: string, from: 'head' | 'oldest', now: number): Promise<ev.ConsumerOpened> {
    const [position, head, created] = (await this.run('register a Xero event consumer', OPEN, this.inboxKeys(inbox, 'meta', 'cons'), [
      consumer,
      from,
      now,
    ])) as [string, string, number];
    return { position: Number(position), head: Number(head), created: created === 1 };
  }

  async claimBatch(inbox: string, consumer: string, options: { owner: string; max: number; ttlMs: number; now: number }): Promise<ev.BatchClaim> {
    const token = randomUUID();
    const reply = (await this.run('claim Xero events', CLAIM, this.inboxKeys(inbox, 'meta', 'entries', 'cons'), [
      consumer,
      options.now,
      Math.max(1, options.max),
      options.ttlMs,
      token,
      options.owner,
    ])) as unknown[];
    switch (reply[0]) {
      case 'unknown':
        return { status: 'unknown' };
      case 'busy':
        return { status: 'busy', owner: String(reply[1]), expiresAt: Number(reply[2]) };
      case 'empty':
        return { status: 'empty', missed: Number(reply[1]) };
      default:
        return { status: 'claimed', token, missed: Number(reply[1]), redeliveredUpTo: Number(reply[2]), entries: (reply[3] as string[]).map(parseMember) };
    }
  }

  async commitBatch(inbox: string, consumer: string, token: string, now: number, limits: ev.InboxLimits): Promise<boolean> {
    const done = await this.run('commit Xero events', COMMIT, this.inboxKeys(inbox, 'meta', 'entries', 'cons'), [consumer, token, now, limits.consumerIdleMs]);
    return done === 1;
  }

  async abandonBatch(inbox: string, consumer: string, token: string): Promise<void> {
    await this.run('give back a claim on Xero events', ABANDON, this.inboxKeys(inbox, 'cons'), [consumer, token]);
  }

  async claimKeys(scope: string, keys: string[], options: { owner: string; ttlMs: number; now: number }): Promise<ev.KeyClaims> {
    const wanted = ev.distinctKeys(keys);
    const token = randomUUID();
    if (wanted.length === 0) return { token, states: {} };
    const states = (await this.run('claim Xero records to emit', CLAIM_KEYS, this.scopeKeys('evc', scope, 'claims', 'touched'), [
      options.now,
      options.ttlMs,
      token,
      ...wanted,
    ])) as ev.KeyState[];
    return { token, states: Object.fromEntries(wanted.map((key, i) => [key, states[i]])) };
  }

  async completeKeys(scope: string, token: string, keys: string[], now: number, retention: ev.KeyRetention): Promise<number> {
    const completed = await this.run('mark Xero records emitted', COMPLETE_KEYS, this.scopeKeys('evc', scope, 'claims', 'touched'), [
      now,
      token,
      retention.retentionMs,
      retention.maxKeys,
      ...ev.distinctKeys(keys),
    ]);
    return Number(completed);
  }

  async releaseKeys(scope: string, token: string, keys: string[]): Promise<void> {
    await this.run('give back Xero records to emit', RELEASE_KEYS, this.scopeKeys('evc', scope, 'claims', 'touched'), [token, ...ev.distinctKeys(keys)]);
  }

  async readMarks(scope: string): Promise<Record<string, number>> {
    await this.open();
    const [key] = this.scopeKeys('evm', scope, 'marks');
    const stored = await this.link.run('read event marks', (client) => client.hgetall(key));
    return Object.fromEntries(Object.entries(stored).map(([name, value]) => [name, Number(value)]));
  }

  async raiseMarks(scope: string, marks: Record<string, number>): Promise<void> {
    const args = Object.entries(marks).flatMap(([name, value]) => [name, String(Math.round(value))]);
    if (args.length === 0) return;
    await this.run('raise event marks', RAISE_MARKS, this.scopeKeys('evm', scope, 'marks'), args);
  }

  /** The connection belongs to the ledger, which closes it. */
  async close(): Promise<void> {}

  private async run(action: string, script: ReturnType<typeof redisScript>, keys: string[], args: Array<string | number>): Promise<unknown> {
    await this.open();
    return this.link.script(action, script, keys, args);
  }

  private inboxKeys(inbox: string, ...parts: string[]): string[] {
    const base = `${this.keyPrefix}ev:{${hash(inbox)}}`;
    return parts.map((part) => `${base}:${part}`);
  }

  private scopeKeys(kind: string, scope: string, ...parts: string[]): string[] {
    const base = `${this.keyPrefix}${kind}:{${hash(scope)}}`;
    return parts.map((part) => `${base}:${part}`);
  }
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** 0 means no cap to the script. */
function capArg(maxEntries: number): number {
  return Number.isFinite(maxEntries) ? Math.max(1, Math.floor(maxEntries)) : 0;
}

function parseMember(member: string): ev.InboxEntry {
  const first = member.indexOf('|');
  const second = member.indexOf('|', first + 1);
  const body = JSON.parse(member.slice(second + 1)) as Omit<ev.InboxEntry, 'position' | 'receivedAt'>;
  return { ...body, position: Number(member.slice(0, first)), receivedAt: Number(member.slice(first + 1, second)) };
}
