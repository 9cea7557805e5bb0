/**
 * Which Xero organisation an item works in: the Organisation field as n8n hands it, resolved against the
 * organisations the credential reaches, and the field's searchable list.
 */
import type { INodeListSearchResult } from 'n8n-workflow';
import type { XeroTenant } from '../../../src/xero';
import { XeroGuardConfigError } from './errors';

/** An organisation the credential reaches, as GET /connections lists it (the fields the node reads). */
export type Organisation = Pick<XeroTenant, 'tenantId' | 'tenantName' | 'tenantType'>;

/** The Organisation field as n8n hands it: a resource locator, or a plain ID from an older workflow. */
export interface OrganisationChoice {
  mode: 'list' | 'id' | 'name';
  value: string;
}

export function readOrganisationChoice(raw: unknown): OrganisationChoice {
  if (raw && typeof raw === 'object') {
    const rl = raw as { mode?: unknown; value?: unknown };
    const mode = rl.mode === 'name' ? 'name' : rl.mode === 'id' ? 'id' : 'list';
    return { mode, value: typeof rl.value === 'string' ? rl.value.trim() : '' };
  }
  return { mode: 'id', value: typeof raw === 'string' ? raw.trim() : '' };
}

const label = (t: Organisation) => `"${t.tenantName ?? t.tenantId}" (${t.tenantId})`;

/** The tenant to work in: the one chosen, or the only one; never a guess between several. */
export function resolveTenant(choice: OrganisationChoice, tenants: readonly Organisation[]): Organisation {
  const orgs = tenants.filter((t) => t.tenantType === 'ORGANISATION' || !t.tenantType);
  const list = orgs.map(label).join(', ');
  if (!choice.value) {
    if (orgs.length === 1) return orgs[0];
    if (orgs.length === 0)
      throw new XeroGuardConfigError(
        'The Xero credential reaches no organisation',
        'Open the Xero credential, click "Switch account" (or "Connect") and tick at least one organisation on Xero\'s consent page.',
      );
    throw new XeroGuardConfigError(
      `Choose an Organisation: the Xero credential reaches ${orgs.length} organisations (${list})`,
      'Pick one in the Organisation field (From List, By ID or By Name).',
    );
  }
  if (choice.mode === 'name') {
    const wanted = choice.value.toLowerCase();
    const matches = orgs.filter((t) => (t.tenantName ?? '').toLowerCase() === wanted);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1)
      throw new XeroGuardConfigError(
        `More than one organisation is named "${choice.value}" (${matches.map(label).join(', ')})`,
        'Choose the organisation By ID instead.',
      );
    throw new XeroGuardConfigError(
      `No organisation named "${choice.value}" on this Xero connection (it reaches ${list || 'none'})`,
      'Check the name, or reconnect the credential and tick that organisation.',
    );
  }
  const found = orgs.find((t) => t.tenantId === choice.value) ?? tenants.find((t) => t.tenantId === choice.value);
  if (found) return found;
  throw new XeroGuardConfigError(
    `Organisation ${choice.value} is not on this Xero connection (it reaches ${list || 'none'})`,
    "Choose another organisation, or reconnect the credential and tick this one on Xero's consent page.",
  );
}

export function organisationSearch(tenants: readonly Organisation[], filter?: string): INodeListSearchResult {
  const needle = (filter ?? '').trim().toLowerCase();
  const results = tenants
    .filter((t) => !needle || (t.tenantName ?? '').toLowerCase().includes(needle) || t.tenantId.toLowerCase().includes(needle))
    .map((t) => ({ name: t.tenantName ?? t.tenantId, value: t.tenantId, description: `${t.tenantType} ${t.tenantId}` }));
  return { results };
}
