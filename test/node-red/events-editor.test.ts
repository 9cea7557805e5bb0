/**
 * The editor of `xero events` runs in the browser and cannot import the core, so the lists it
 * offers (categories, what can be polled) and the path it accepts are held to the core here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATCH_UP_CATEGORIES, NAMED_EVENTS, WATCH_NAMES } from '../../src/events';
import { ROUTE_PATH } from '../../node-red/lib/events-route';

const html = readFileSync(join(__dirname, '..', '..', 'node-red', 'xero-events.html'), 'utf8');

/** The first field of each `['value', 'label']` pair in the editor's list called `name`. */
function choices(name: string): string[] {
  const list = new RegExp(`var ${name} = \\[([\\s\\S]*?)\\];`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/\[\s*'([^']+)'/g)].map((m) => m[1] as string);
}

test('the editor offers every resource and named event the poller can watch, and nothing else', () => {
  expect(choices('WATCHES')).toEqual([...WATCH_NAMES, ...NAMED_EVENTS]);
});

test('the editor offers the categories Xero sends webhooks for that the Accounting API can read', () => {
  expect(choices('CATEGORIES')).toEqual([...CATCH_UP_CATEGORIES]);
  expect(choices('EVENT_TYPES')).toEqual(['CREATE', 'UPDATE']);
});

test("the editor's path check is the runtime's", () => {
  const editor = /path: \{ value: '[^']*', validate: RED\.validators\.regex\(\/\^\$\|(\^[^)]*\$)\/\) \}/.exec(html)?.[1];
  const plain = (source: string) => source.replace(/\\\//g, '/');
  expect(editor && plain(new RegExp(editor).source)).toBe(plain(ROUTE_PATH.source));
});
