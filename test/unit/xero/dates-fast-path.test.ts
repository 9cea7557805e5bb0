import { convertXeroDates, convertXeroDatesInJson } from '../../../src/xero/accounting';
import { isoAtOffsetByLuxon, utcIsoFast } from '../../../src/xero/accounting/dates';
// The simulator's seeded generator, so a failure names a value that can be replayed.
import { seededRandom } from '../../../src/simulator/random';

const FIRST_MS = new Date('0001-01-01T00:00:00Z').getTime();
const LAST_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

describe('the UTC fast path against luxon', () => {
  it('writes the same ISO string as luxon for many generated instants, midnights and edges', () => {
    const random = seededRandom(15);
    const values = [FIRST_MS, LAST_MS, 0, -1, 1, 999, 1000, -1000, Date.UTC(1970, 0, 1, 0, 0, 0, 1), Date.UTC(2000, 1, 29), Date.UTC(1900, 1, 28, 23, 59, 59)];
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(FIRST_MS + random() * (LAST_MS - FIRST_MS));
      values.push(ms, ms - (ms % 1000), ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000));
    }
    const differing = values.filter((ms) => utcIsoFast(ms) !== isoAtOffsetByLuxon(ms, 0));
    expect(differing.map((ms) => ({ ms, fast: utcIsoFast(ms), luxon: isoAtOffsetByLuxon(ms, 0) }))).toEqual([]);
  });

  it('leaves years outside 0001-9999 to luxon', () => {
    expect(utcIsoFast(FIRST_MS - 1)).toBeUndefined();
    expect(utcIsoFast(LAST_MS + 1)).toBeUndefined();
    expect(convertXeroDatesInJson(`{"D":"/Date(${LAST_MS + 1}+0000)/"}`)).toBe(`{"D":"${isoAtOffsetByLuxon(LAST_MS + 1, 0)}"}`);
  });

  it('converts generated answers on the text exactly as the walk over the parsed answer does', () => {
    const random = seededRandom(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const offsets = ['', '+0000', '-0000', '+1300', '-0530', '+0100'];
    const records = [];
    for (let i = 0; i < 2_000; i++) {
      const ms = Math.floor((random() - 0.3) * 4e12);
      records.push({
        Date: `/Date(${ms - (ms % 86_400_000)}${pick(offsets)})/`,
        UpdatedDateUTC: `/Date(${ms}${pick(offsets)})/`,
        DateString: pick(['2019-11-14T00:00:00', '2019-11-14 00:00:00', '2019-11-14 08:30:00.25', '14 Nov 2019']),
        Reference: pick(['/Date(not)/', '/Date()/', 'x /Date(5)/', `/Date(${ms}+13)/`, 'plain']),
        Tags: [`/Date(${ms})/`],
      });
    }
    const answer = { Invoices: records };
    const text = JSON.stringify(answer);
    // Microsoft's serialiser escapes the slash; both spellings convert the same.
    const escaped = text.replace(/"\/Date\(([^)]*)\)\/"/g, '"\\/Date($1)\\/"');
    const walked = convertXeroDates(JSON.parse(text) as typeof answer);
    expect(JSON.parse(convertXeroDatesInJson(text))).toEqual(walked);
    expect(JSON.parse(convertXeroDatesInJson(escaped))).toEqual(walked);
  });
});
