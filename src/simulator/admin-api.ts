import {
  asObject,
  BadInput,
  decodePathSegment,
  oneOf,
  onlyFields,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalString,
  optionalStringArray,
  requiredString,
  type Json,
} from './bad-input';
import { tierNamed, type SeedGrantInput } from './core';
import { withTokenFingerprints } from './observation';
import { json, type SimResponse } from './http-kit';
import type { OrganisationConfig } from './types';
import { GRACE_MODES } from './types';
import type { Simulator } from './simulator';
import { XERO_APIS, type XeroApiId } from '../xero/operations';
import { XERO_TIER_IDS } from '../xero-tiers';

type Handler = (sim: Simulator, body: () => Json, url: URL, param?: string) => SimResponse | Promise<SimResponse>;

const ok = (value: unknown = { ok: true }): SimResponse => json(200, value);

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadInput('body', 'is not valid JSON');
  }
}

function parseTime(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new BadInput('time', 'must be an ISO 8601 date or epoch milliseconds');
}

function sinceOf(url: URL): number {
  const since = url.searchParams.get('since');
  const n = since === null ? 0 : Number(since);
  if (!Number.isInteger(n) || n < 0) throw new BadInput('since', 'must be a whole number');
  return n;
}

function clientIdOf(body: Json): string {
  onlyFields(body, ['clientId']);
  return requiredString(body, 'clientId');
}

const clockView = (sim: Simulator): Json => ({ now: sim.clock.now(), iso: new Date(sim.clock.now()).toISOString() });

function seedInput(body: Json): SeedGrantInput {
  onlyFields(body, ['clientId', 'scopes', 'tenants', 'email']);
  const input: SeedGrantInput = {};
  const clientId = optionalString(body, 'clientId');
  if (clientId) input.clientId = clientId;
  const scopes = optionalStringArray(body, 'scopes');
  if (scopes) input.scopes = scopes;
  const email = optionalString(body, 'email');
  if (email) input.email = email;
  if (body.tenants !== undefined) {
    if (!Array.isArray(body.tenants)) throw new BadInput('tenants', 'must be an array of tenant ids or {tenantId, name} objects');
    input.tenants = body.tenants.map((t: unknown) => {
      if (typeof t === 'string') return t;
      const o = asObject(t, 'tenants');
      return { tenantId: requiredString(o, 'tenantId'), name: requiredString(o, 'name') } as OrganisationConfig;
    });
  }
  return input;
}

/** Route table: "METHOD /path" below /__admin; `:id` takes the last segment. */
const ROUTES: Record<string, Handler> = {
  'GET /': () => ok({ routes: Object.keys(ROUTES) }),
  'GET /stats': (sim) => ok(sim.stats()),
  'GET /log': (sim, _b, url) =>
    // Unauthenticated: tokens only as fingerprints (src/secrets/fingerprint.ts); in-process sim.log() keeps them for test canaries.
    ok(sim.log(sinceOf(url)).map(withTokenFingerprints)),
  'GET /dead-token-uses': (sim, _b, url) => {
    const of = url.searchParams.get('of') ?? undefined;
    return ok({ deadTokenUses: sim.deadTokenUses(of) });
  },
  'GET /clock': (sim) => ok(clockView(sim)),
  'POST /clock': (sim, body) => {
    const b = body();
    onlyFields(b, ['advanceMs', 'time']);
    const advance = optionalNumber(b, 'advanceMs', -Number.MAX_SAFE_INTEGER);
    if ((advance === undefined) === (b.time === undefined)) throw new BadInput('advanceMs', 'give exactly one of advanceMs or time');
    if (advance !== undefined) sim.clock.advance(advance);
    else sim.clock.set(parseTime(b.time));
    return ok(clockView(sim));
  },
  'GET /faults': (sim) => ok(sim.faults.list()),
  'POST /faults': (sim, body) => json(201, sim.faults.add(body() as never)),
  'DELETE /faults': (sim) => {
    sim.faults.clear();
    return ok();
  },
  'DELETE /faults/:id': (sim, _b, _u, id) => {
    if (!sim.faults.remove(id ?? '')) throw new BadInput('id', `no fault ${id}`);
    return ok();
  },
  'GET /grace-mode': (sim) => ok({ mode: sim.graceMode }),
  'POST /grace-mode': (sim, body) => {
    const b = body();
    onlyFields(b, ['mode']);
    const mode = oneOf(b, 'mode', GRACE_MODES);
    if (!mode) throw new BadInput('mode', `is required (one of ${GRACE_MODES.join(', ')})`);
    sim.graceMode = mode;
    return ok({ mode });
  },
  'POST /rate-limits': (sim, body) => {
    const b = body();
    onlyFields(b, ['enabled', 'perMinute', 'perDay', 'concurrent', 'appPerMinute']);
    const enabled = optionalBoolean(b, 'enabled');
    if (enabled === undefined) throw new BadInput('enabled', 'is required');
    const settings: Record<string, number> = {};
    for (const key of ['perMinute', 'perDay', 'concurrent', 'appPerMinute']) {
      const v = optionalInteger(b, key, 1);
      if (v !== undefined) settings[key] = v;
    }
    sim.setRateLimits(enabled ? settings : false);
    return ok();
  },
  'POST /connection-limit': (sim, body) => {
    const b = body();
    onlyFields(b, ['limit']);
    if (b.limit === null) sim.setConnectionLimit(undefined);
    else {
      const limit = optionalInteger(b, 'limit', 0);
      if (limit === undefined) throw new BadInput('limit', 'is required (a number, or null for unlimited)');
      sim.setConnectionLimit(limit);
    }
    return ok();
  },
  'GET /apps': (sim) => ok(sim.apps()),
  'POST /apps/tier': (sim, body) => {
    const b = body();
    onlyFields(b, ['clientId', 'tier']);
    const clientId = requiredString(b, 'clientId');
    if (b.tier === undefined) throw new BadInput('tier', `is required (one of ${XERO_TIER_IDS.join(', ')}, or null for no tier)`);
    sim.setTier(clientId, b.tier === null ? undefined : tierNamed(b.tier));
    return ok(sim.apps().find((a) => a.clientId === clientId));
  },
  'GET /connections': (sim) => ok(sim.connections()),
  'GET /grants': (sim) => ok(sim.grants()),
  'POST /seed-grant': (sim, body) => ok(sim.seedGrant(seedInput(body()))),
  'POST /revoke-user': (sim, body) => {
    const b = body();
    onlyFields(b, ['user']);
    return ok(sim.revokeUser(requiredString(b, 'user')));
  },
  'POST /remove-connection': (sim, body) => {
    const b = body();
    onlyFields(b, ['connectionId']);
    sim.removeConnection(requiredString(b, 'connectionId'));
    return ok();
  },
  'POST /expire-refresh-token': (sim, body) => {
    const b = body();
    onlyFields(b, ['refreshToken']);
    sim.expireRefreshToken(requiredString(b, 'refreshToken'));
    return ok();
  },
  'POST /rotate-client-secret': (sim, body) => {
    const b = body();
    onlyFields(b, ['clientId', 'clientSecret']);
    const clientId = requiredString(b, 'clientId');
    return ok({ clientId, clientSecret: sim.rotateClientSecret(clientId, optionalString(b, 'clientSecret')) });
  },
  'POST /reset-organisation': (sim, body) => {
    const b = body();
    onlyFields(b, ['tenantId']);
    return ok(sim.resetOrganisation(requiredString(b, 'tenantId')));
  },
  'POST /refuse-tenant': (sim, body) => {
    const b = body();
    onlyFields(b, ['tenantId', 'refuse']);
    const refuse = optionalBoolean(b, 'refuse');
    if (refuse === undefined) throw new BadInput('refuse', 'is required (true to answer 403 for this tenant, false to stop)');
    sim.refuseTenant(requiredString(b, 'tenantId'), refuse);
    return ok({ tenantId: b.tenantId, refuse });
  },
  'GET /apis/counts': (sim, _b, url) => {
    const tenantId = url.searchParams.get('tenantId');
    const api = url.searchParams.get('api');
    if (!tenantId) throw new BadInput('tenantId', 'is required');
    if (!api || !XERO_APIS.some((a) => a.id === api)) throw new BadInput('api', `must be one of ${XERO_APIS.map((a) => a.id).join(', ')}`);
    return ok({ tenantId, api, counts: sim.otherApis.counts(tenantId, api as XeroApiId) });
  },
  'POST /apis/reset': (sim, body) => {
    const b = body();
    onlyFields(b, ['tenantId']);
    const tenantId = requiredString(b, 'tenantId');
    sim.otherApis.reset(tenantId);
    return ok({ tenantId, reset: true });
  },
  'GET /webhooks': (sim) => ok(sim.webhooks.list()),
  'POST /webhooks': async (sim, body) => {
    const b = body();
    onlyFields(b, ['clientId', 'url', 'key', 'categories']);
    const { webhook, key } = await sim.webhooks.configure({
      clientId: requiredString(b, 'clientId'),
      url: requiredString(b, 'url'),
      key: optionalString(b, 'key'),
      categories: optionalStringArray(b, 'categories'),
    });
    // A generated key is shown once, as Xero's portal shows it; a key the caller gave is not echoed.
    return ok(key === undefined ? webhook : { ...webhook, key });
  },
  'DELETE /webhooks/:id': (sim, _b, _u, clientId) => {
    sim.webhooks.remove(clientId ?? '');
    return ok();
  },
  'POST /webhooks/intent-to-receive': async (sim, body) => ok(await sim.webhooks.intentToReceive(clientIdOf(body()))),
  'POST /webhooks/switch-off': (sim, body) => ok(sim.webhooks.switchOff(clientIdOf(body()))),
  'POST /webhooks/hold': (sim, body) => {
    const b = body();
    onlyFields(b, ['clientId', 'hold']);
    const hold = optionalBoolean(b, 'hold');
    if (hold === undefined) throw new BadInput('hold', 'is required (true holds deliveries back, false sends what is due)');
    return ok(sim.webhooks.hold(requiredString(b, 'clientId'), hold));
  },
  'POST /webhooks/deliver': async (sim, body) => {
    onlyFields(body(), []);
    return ok(await sim.webhooks.deliverDue());
  },
  'GET /webhooks/log': (sim, _b, url) => {
    const clientId = url.searchParams.get('clientId');
    return ok(sim.log(sinceOf(url)).filter((e) => e.type === 'webhook' && (clientId === null || e.clientId === clientId)));
  },
  'GET /refresh-token-state': (sim, _b, url) => {
    const token = url.searchParams.get('token');
    if (!token) throw new BadInput('token', 'is required');
    return ok({ state: sim.refreshTokenState(token) ?? 'unknown' });
  },
};

function findRoute(method: string, path: string): { handler: Handler; param?: string } | undefined {
  const exact = ROUTES[`${method} ${path}`];
  if (exact) return { handler: exact };
  const slash = path.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const withParam = ROUTES[`${method} ${path.slice(0, slash)}/:id`];
  return withParam ? { handler: withParam, param: decodePathSegment(path.slice(slash + 1), 'path') } : undefined;
}

/** JSON in and out; bad input gets 400 naming the field, an unknown route 404 naming the route. */
export async function handleAdmin(sim: Simulator, method: string, url: URL, rawBody: string): Promise<SimResponse> {
  const path = url.pathname.slice('/__admin'.length).replace(/\/+$/, '') || '/';
  try {
    const found = findRoute(method, path);
    if (!found) return json(404, { error: `unknown admin route: ${method} /__admin${path === '/' ? '' : path}`, routes: Object.keys(ROUTES) });
    return await found.handler(sim, () => asObject(parseJson(rawBody)), url, found.param);
  } catch (err) {
    if (err instanceof BadInput) return json(400, { error: err.message, field: err.field });
    throw err;
  }
}
