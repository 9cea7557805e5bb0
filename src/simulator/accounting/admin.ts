import { BadInput, onlyFields, optionalBoolean, optionalInteger, optionalNumber, requiredString, asObject, type Json } from '../bad-input';
import { json, type SimResponse } from '../http-kit';
import type { SimulatorCore } from '../core';
import type { AccountingApi } from './handler';
import { seedBook, SEED_LIMITS } from './seed';

export const ACCOUNTING_ADMIN_PREFIX = '/__admin/accounting';

function body(raw: string): Json {
  if (raw.trim() === '') return {};
  try {
    return asObject(JSON.parse(raw));
  } catch (err) {
    if (err instanceof BadInput) throw err;
    throw new BadInput('body', 'is not valid JSON');
  }
}

function tenantOf(core: SimulatorCore, value: string): string {
  const org = [...core.directory.organisations.keys()].find((t) => t.toLowerCase() === value.toLowerCase());
  if (!org) throw new BadInput('tenantId', `no organisation ${value} (GET /__admin/connections lists them)`);
  return org;
}

/**
 * The Accounting API's controls, below /__admin/accounting:
 * POST /seed {tenantId, contacts?, invoices?, paidShare?, seed?}; GET /counts?tenantId=;
 * POST /rate-limits {tenantId, enabled?, perMinute?, perDay?, concurrent?} (null values clear);
 * POST /reset {tenantId}.
 */
export function handleAccountingAdmin(core: SimulatorCore, api: AccountingApi, method: string, url: URL, raw: string): SimResponse {
  const path = url.pathname.slice(ACCOUNTING_ADMIN_PREFIX.length).replace(/\/+$/, '') || '/';
  try {
    if (method === 'POST' && path === '/seed') {
      const b = body(raw);
      onlyFields(b, ['tenantId', 'contacts', 'invoices', 'paidShare', 'seed']);
      const tenantId = tenantOf(core, requiredString(b, 'tenantId'));
      const contacts = optionalInteger(b, 'contacts', 1);
      const invoices = optionalInteger(b, 'invoices', 0);
      if (contacts !== undefined && contacts > SEED_LIMITS.contacts) throw new BadInput('contacts', `must be at most ${SEED_LIMITS.contacts}`);
      if (invoices !== undefined && invoices > SEED_LIMITS.invoices) throw new BadInput('invoices', `must be at most ${SEED_LIMITS.invoices}`);
      const paidShare = optionalNumber(b, 'paidShare', 0);
      if (paidShare !== undefined && paidShare > 1) throw new BadInput('paidShare', 'must be between 0 and 1');
      const seed = optionalInteger(b, 'seed', 0);
      const summary = seedBook(api, tenantId, core.clock.now(), { contacts, invoices, paidShare, seed });
      core.recorder.record({ type: 'action', action: 'seedAccounting', detail: { ...summary } });
      return json(200, summary);
    }
    if (method === 'GET' && path === '/counts') {
      const tenantId = tenantOf(core, url.searchParams.get('tenantId') ?? '');
      return json(200, { tenantId, counts: api.store.book(tenantId).counts() });
    }
    if (method === 'POST' && path === '/rate-limits') {
      const b = body(raw);
      onlyFields(b, ['tenantId', 'enabled', 'perMinute', 'perDay', 'concurrent']);
      const tenantId = tenantOf(core, requiredString(b, 'tenantId'));
      const override: Record<string, number | boolean> = {};
      const enabled = optionalBoolean(b, 'enabled');
      if (enabled !== undefined) override.enabled = enabled;
      for (const key of ['perMinute', 'perDay', 'concurrent']) {
        const v = optionalInteger(b, key, 1);
        if (v !== undefined) override[key] = v;
      }
      if (Object.keys(override).length === 0) core.rateLimiter.tenantOverrides.delete(tenantId);
      else core.rateLimiter.tenantOverrides.set(tenantId, override);
      return json(200, { tenantId, limits: core.rateLimiter.tenantOverrides.get(tenantId) ?? null });
    }
    if (method === 'POST' && path === '/reset') {
      const b = body(raw);
      onlyFields(b, ['tenantId']);
      const tenantId = tenantOf(core, requiredString(b, 'tenantId'));
      api.store.reset(tenantId);
      return json(200, { tenantId, reset: true });
    }
    return json(404, {
      error: `unknown admin route: ${method} ${url.pathname}`,
      routes: ['POST /__admin/accounting/seed', 'GET /__admin/accounting/counts', 'POST /__admin/accounting/rate-limits', 'POST /__admin/accounting/reset'],
    });
  } catch (err) {
    if (err instanceof BadInput) return json(400, { error: err.message, field: err.field });
    throw err;
  }
}
