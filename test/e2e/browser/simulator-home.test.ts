/**
 * The simulator's address, opened in a real browser as the demo's banner invites: the page says what
 * it is, its consent link goes through the sign-in page and back with a code the token endpoint takes
 * as the page shows, and its admin links open (what the admin guard refuses: admin-guard.test.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OffsetClock } from '../../../src/clock';
import { startSimulator, type Simulator } from '../../../src/simulator';

const CHROMIUM = '/usr/bin/chromium';

let sim: Simulator;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = mkdtempSync(join(tmpdir(), 'xero-guard-sim-home-'));
  sim = await startSimulator({ clock: new OffsetClock(), stateFile: join(dir, 'state.bin') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the home page says what the simulator is, where it keeps its state, and its consent link comes back with a usable code', async () => {
  const opened = await page.goto(`${sim.url}/`);
  expect(opened?.status()).toBe(200);
  expect(await page.title()).toBe('Xero simulator (Xero Guard)');
  expect(await page.textContent('#what')).toContain('A stand-in for Xero on this machine');
  expect(await page.textContent('#state')).toContain(join(dir, 'state.bin'));

  await page.click('#try-consent');
  await page.waitForSelector('#allow');
  await Promise.all([page.waitForURL((url) => url.searchParams.has('code')), page.click('#allow')]);
  const code = await page.textContent('#code');
  expect(code).toBeTruthy();
  // The exchange exactly as the page prints it (the curl line's form body).
  const curl = (await page.textContent('#tried pre')) ?? '';
  const [, tokenUrl, form] = /^curl -s (\S+) -d '([^']+)'$/.exec(curl.trim()) ?? [];
  expect(tokenUrl).toBe(sim.tokenUrl);
  const answer = await fetch(tokenUrl as string, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
  expect(answer.status).toBe(200);
  expect(await answer.json()).toMatchObject({
    token_type: 'Bearer',
    refresh_token: expect.any(String),
    scope: expect.stringContaining('accounting.settings.read'),
  });
});

test('its admin links open in the browser (a link is a same-site read the admin guard lets through)', async () => {
  await page.goto(`${sim.url}/`);
  const links = await page.$$eval('#admin a', (anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
  expect(links).toEqual(expect.arrayContaining(['/__admin', '/__admin/stats', '/__admin/connections', '/__admin/clock']));
  await Promise.all([page.waitForURL(`${sim.url}/__admin/stats`), page.click('#admin a[href="/__admin/stats"]')]);
  expect(JSON.parse((await page.textContent('body')) ?? '')).toMatchObject({ tokenCalls: expect.any(Number) });
});
