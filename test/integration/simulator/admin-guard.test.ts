import { request } from 'node:http';
import { DAY } from '../../../src/clock';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { AdminGuard } from '../../../src/simulator/admin-guard';
import { admin, START } from './helpers';
import { ManualClock } from '../../../src/clock';

/**
 * Issue 24, item 9: the admin API has no login, so a web page open during a rehearsal must not be
 * able to drive it. Each attack as found: a cross-site `text/plain` (or form) POST moving the clock
 * 61 days or seeding a grant, and DNS rebinding reading /__admin/grants under a foreign Host.
 */
let sim: Simulator;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock(START);
  sim = await startSimulator({ clock, adminHosts: ['sim.rehearsal.test'] });
});
afterEach(() => sim.close());

/** A raw request, so the test sets Host and Origin as a browser (or an attacker's DNS) would. */
function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const host = (): string => new URL(sim.url).host;

describe('the admin API refuses what a web page can make a browser send', () => {
  it('a cross-site text/plain POST cannot move the clock 61 days', async () => {
    const attack = await raw(
      'POST',
      '/__admin/clock',
      { host: host(), origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' },
      JSON.stringify({ advanceMs: 61 * DAY }),
    );
    expect(attack.status).toBe(403);
    expect(JSON.parse(attack.text).error).toMatch(/web pages of other sites/);
    expect(sim.clock.now()).toBe(START);
  });

  it('a cross-site form POST cannot seed a grant, nor can a JSON one carrying a foreign Origin', async () => {
    const form = await raw(
      'POST',
      '/__admin/seed-grant',
      { host: host(), origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      '{}=',
    );
    expect(form.status).toBe(403);
    const json = await raw('POST', '/__admin/seed-grant', { host: host(), origin: 'null', 'content-type': 'application/json' }, '{}');
    expect(json.status).toBe(403);
    expect(sim.grants()).toEqual([]);
  });

  it('a POST without an Origin must still say JSON (a no-cors text/plain POST from a page that hides its Origin)', async () => {
    const plain = await raw('POST', '/__admin/faults', { host: host(), 'content-type': 'text/plain' }, JSON.stringify({ kind: 'reset' }));
    expect(plain.status).toBe(403);
    expect(JSON.parse(plain.text).error).toMatch(/Content-Type: application\/json/);
    expect(sim.faults.list()).toEqual([]);
  });

  it('DNS rebinding cannot read /__admin/grants: a foreign Host is refused, even same-origin', async () => {
    sim.seedGrant();
    const rebound = `rebind.attacker.example:${sim.port}`;
    const read = await raw('GET', '/__admin/grants', { host: rebound, origin: `http://${rebound}` });
    expect(read.status).toBe(403);
    expect(read.text).not.toContain('grantId');
    expect((await raw('GET', '/__admin/accounting/counts?tenantId=x', { host: rebound })).status).toBe(403);
  });
});

describe('every existing way of driving it still works', () => {
  it('scripts and curl (no Origin, JSON), the same origin, loopback names and hosts the user allowed', async () => {
    expect((await admin(sim, 'POST', '/clock', { advanceMs: 1000 })).status).toBe(200);
    const port = sim.port;
    for (const name of [`127.0.0.1:${port}`, `localhost:${port}`, `sim.rehearsal.test:${port}`]) {
      expect([name, (await raw('GET', '/__admin/stats', { host: name })).status]).toEqual([name, 200]);
    }
    const sameOrigin = await raw('POST', '/__admin/clock', { host: host(), origin: sim.url, 'content-type': 'application/json' }, '{"advanceMs":1000}');
    expect(sameOrigin.status).toBe(200);
    expect(sim.clock.now()).toBe(START + 2000);
    // DELETE with no body needs no content type: a browser must ask first (CORS preflight) before sending one cross-site.
    expect((await admin(sim, 'DELETE', '/faults')).status).toBe(200);
  });

  it('a simulator bound to a specific address answers admin requests addressed to that address, and no wildcard counts as one', () => {
    expect(new AdminGuard('192.168.1.5').refusal('GET', { host: '192.168.1.5:4010' })).toBeNull();
    expect(new AdminGuard('fd00::5').refusal('GET', { host: '[fd00::5]:4010' })).toBeNull();
    expect(new AdminGuard('0.0.0.0').refusal('GET', { host: '0.0.0.0:4010' })).toMatch(/addressed to "0.0.0.0:4010"/);
    expect(new AdminGuard('0.0.0.0').refusal('GET', { host: '[::1]:4010' })).toBeNull();
    expect(new AdminGuard('127.0.0.1').refusal('GET', {})).toMatch(/addressed to ""/);
  });
});
