/**
 * What n8n's editor asks a node for while a workflow is edited: the organisations to pick from, and
 * option lists read from the chosen organisation (its own tax types, account codes, items...). A list
 * is read once for a burst of asks: n8n asks again for every line item's field, and each ask of the
 * same list of the same organisation within a minute shares the one answer.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';
import { systemClock, type Clock } from '../../../src/clock';
import { recordsOf } from '../../../src/xero/accounting';
import { guardedOptions, guardedSearch } from '../editor-guard';
import { toXeroNodeError } from './errors';
import { organisationSearch, readOrganisationChoice, resolveTenant } from './organisation';
import { openSessionClient, type SessionClient } from './session-client';

type Row = Record<string, unknown>;

/** A Xero list (GET /{envelope}) as options: which of a record's fields names an option and which is its value. */
export interface OptionList {
  envelope: string;
  /** One option per record by default; several for a record that holds a list (a tracking category's options). */
  options(record: Row): INodePropertyOptions[];
}

/** An option per record: its name and value fields. */
export function perRecord(name: (r: Row) => unknown, value: (r: Row) => unknown, keep: (r: Row) => boolean = () => true): OptionList['options'] {
  return (r) => (keep(r) ? [{ name: String(name(r) ?? value(r) ?? ''), value: String(value(r) ?? '') }] : []);
}

/** How long one answer serves the asks that follow it. */
export const OPTION_LIST_TTL_MS = 60_000;

const cache = new Map<string, { until: number; options: Promise<INodePropertyOptions[]> }>();
let clock: Clock = systemClock;

/** For tests: the clock the cache reads, and an empty cache. */
export function resetOptionListCache(testClock: Clock = systemClock): void {
  cache.clear();
  clock = testClock;
}

/** The session and the organisation the node's Organisation field names, for a list read in the editor. */
export async function editorSession(context: ILoadOptionsFunctions): Promise<{ session: SessionClient; tenantId: string }> {
  const session = await openSessionClient(context);
  const tenant = resolveTenant(readOrganisationChoice(context.getCurrentNodeParameter('organizationId')), await session.organisations());
  return { session, tenantId: tenant.tenantId };
}

/** One option per record of the list, read from the chosen organisation, sorted by name; one read per list and organisation a minute. */
export async function optionsOf(context: ILoadOptionsFunctions, key: string, list: OptionList): Promise<INodePropertyOptions[]> {
  try {
    const { session, tenantId } = await editorSession(context);
    const cacheKey = session.key === undefined ? undefined : `${session.key}\u0000${tenantId}\u0000${key}`;
    const now = clock.now();
    const hit = cacheKey === undefined ? undefined : cache.get(cacheKey);
    if (hit && hit.until > now) return await hit.options;
    const options = (async () => {
      const answer = await session.client.request({ path: [list.envelope], tenantId });
      return (recordsOf(answer.body, [], list.envelope) as Row[])
        .flatMap((r) => list.options(r))
        .filter((o) => o.value !== '')
        .sort((a, b) => a.name.localeCompare(b.name));
    })();
    if (cacheKey !== undefined) {
      cache.set(cacheKey, { until: now + OPTION_LIST_TTL_MS, options });
      // A failed read is not kept: the next ask tries again.
      options.catch(() => cache.delete(cacheKey));
    }
    return await options;
  } catch (error) {
    throw toXeroNodeError(context.getNode(), error);
  }
}

type LoadOptionsMethod = (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>;

/** n8n's loadOptions methods for the lists, by method name. */
export function loadOptionsFor<K extends string>(lists: Record<K, OptionList>): Record<K, LoadOptionsMethod> {
  return Object.fromEntries(
    Object.entries<OptionList>(lists).map(([method, list]): [string, LoadOptionsMethod] => [
      method,
      guardedOptions(function (this: ILoadOptionsFunctions) {
        return optionsOf(this, method, list);
      }),
    ]),
  ) as Record<K, LoadOptionsMethod>;
}

/** The Organisation field's searchable list (GET /connections). */
export const searchOrganisations = guardedSearch(async function (this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  try {
    const { organisations } = await openSessionClient(this);
    return organisationSearch(await organisations(), filter);
  } catch (error) {
    throw toXeroNodeError(this.getNode(), error);
  }
});
