/**
 * Xero's tier table (src/xero-tiers.ts): the figures the budget, the cap count, the classifier and the
 * simulator share, and the classifier's tier gates read from it rather than kept beside it.
 */
import { gateOf } from '../../src/classify/gated-endpoints';
import {
  closedEndpoints,
  parseXeroTier,
  TIER_GATES,
  tierAtLeast,
  tierGateOf,
  tierOpens,
  XERO_TIER_DEFAULT,
  XERO_TIER_IDS,
  XERO_TIERS,
} from '../../src/xero-tiers';

describe("Xero's tiers", () => {
  test('five tiers, lowest first, with the connection caps and day limits Xero announced for 2 March 2026', () => {
    expect(XERO_TIER_IDS.map((id) => [XERO_TIERS[id].name, XERO_TIERS[id].connectionCap, XERO_TIERS[id].dayLimit])).toEqual([
      ['Starter', 5, 1000],
      ['Core', 50, 5000],
      ['Plus', 1000, 5000],
      ['Advanced', 10000, 5000],
      ['Enterprise', null, 5000],
    ]);
    expect(XERO_TIER_IDS.filter((id) => XERO_TIERS[id].severalOrganisationsPerConsent)).toEqual(['advanced', 'enterprise']);
    for (const id of XERO_TIER_IDS) expect(XERO_TIERS[id].id).toBe(id);
    expect(XERO_TIER_DEFAULT).toBe('starter');
  });

  test('reads a tier in any case and with spaces around, and nothing else', () => {
    expect(['Starter', ' ADVANCED ', 'plus'].map(parseXeroTier)).toEqual(['starter', 'advanced', 'plus']);
    expect(['gold', '', 'starter tier', 3, null, undefined, { tier: 'core' }, 'toString', '__proto__'].map(parseXeroTier)).toEqual(Array(9).fill(null));
  });

  test('orders tiers, and closes Journals below Advanced only', () => {
    expect(tierAtLeast('plus', 'core')).toBe(true);
    expect(tierAtLeast('core', 'plus')).toBe(false);
    expect(tierAtLeast('advanced', 'advanced')).toBe(true);
    expect(XERO_TIER_IDS.map((id) => [id, closedEndpoints(id).map((g) => g.endpoint)])).toEqual([
      ['starter', ['Journals']],
      ['core', ['Journals']],
      ['plus', ['Journals']],
      ['advanced', []],
      ['enterprise', []],
    ]);
    expect([tierOpens('starter', 'journals'), tierOpens('starter', 'Invoices'), tierOpens('advanced', 'JOURNALS')]).toEqual([false, true, true]);
    expect(tierGateOf('ManualJournals')).toBeNull();
  });

  test("the classifier's tier gates are the table's: the same endpoints, tier names and dates", () => {
    for (const gate of TIER_GATES) {
      expect(gateOf(gate.endpoint, gate.sinceMs)).toEqual({ kind: 'tier', endpoint: gate.endpoint, tier: XERO_TIERS[gate.tier].name, sinceMs: gate.sinceMs });
      expect(gateOf(gate.endpoint.toUpperCase(), gate.sinceMs - 1)).toBeNull();
    }
    expect(gateOf('Journals', Date.UTC(2026, 5, 1))).toMatchObject({ tier: 'Advanced' });
  });
});
