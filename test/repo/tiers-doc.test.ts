/**
 * docs/tiers.md's table is Xero's tiers as the code knows them (src/xero-tiers.ts): a row per tier, lowest
 * first, with its connection cap, day limit, organisations per consent and whether Journals is open.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tierOpens, XERO_TIER_IDS, XERO_TIERS } from '../../src/xero-tiers';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'tiers.md'), 'utf8');

test("docs/tiers.md's table is XERO_TIERS", () => {
  const rows = DOC.split('\n')
    .filter((line) => /^\| (Starter|Core|Plus|Advanced|Enterprise) \|/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const expected = XERO_TIER_IDS.map((id) => {
    const t = XERO_TIERS[id];
    return [
      t.name,
      t.connectionCap === null ? 'no limit' : t.connectionCap.toLocaleString('en'),
      t.dayLimit.toLocaleString('en'),
      t.severalOrganisationsPerConsent ? 'several' : 'one',
      tierOpens(id, 'Journals') ? 'answered' : 'refused',
    ];
  });
  expect(rows).toEqual(expected);
});
