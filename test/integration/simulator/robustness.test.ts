import { connect } from 'node:net';
import { ManualClock } from '../../../src/clock';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { call, manualSim, refresh, START } from './helpers';

let sim: Simulator;
afterEach(() => sim.close());

function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.on('data', (c) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('nothing crashes the server', () => {
  it('answers bytes that are not HTTP with 400 and keeps serving', async () => {
    ({ sim } = await manualSim());
    const answer = await raw(sim.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/\r\nXero-Correlation-Id: [0-9a-f-]{36}\r\n/);
    expect((await call(`${sim.adminUrl}/stats`)).status).toBe(200);
  });

  it('turns an internal failure into a 500 with a correlation id, and recovers', async () => {
    const clock = new ManualClock(START);
    sim = await startSimulator({ clock });
    const t = sim.seedGrant();
    const now = clock.now.bind(clock);
    clock.now = () => {
      throw new Error('clock broke');
    };
    const r = await refresh(sim, t.refresh_token as string);
    expect(r.status).toBe(500);
    expect(r.text).toContain('clock broke');
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
    clock.now = now;
    expect((await refresh(sim, t.refresh_token as string)).status).toBe(200);
  });

  it('survives a client that goes away mid-request', async () => {
    ({ sim } = await manualSim());
    await new Promise<void>((resolve) => {
      const socket = connect(sim.port, '127.0.0.1', () => {
        socket.write('POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc', () => {
          socket.destroy();
          resolve();
        });
      });
    });
    expect((await call(`${sim.adminUrl}/stats`)).status).toBe(200);
    const logged = async () => sim.log().some((e) => e.type === 'request' && e.endpoint === 'token' && e.status === 400);
    while (!(await logged())) await new Promise((r) => setImmediate(r));
  });
});

describe('fresh-pair-revokes', () => {
  it('kills everything rotated from an earlier child, not just the child', async () => {
    ({ sim } = await manualSim({ graceMode: 'fresh-pair-revokes' }));
    const root = sim.seedGrant();
    const child = await refresh(sim, root.refresh_token as string);
    const grandchild = await refresh(sim, child.json.refresh_token);
    const sibling = await refresh(sim, root.refresh_token as string);
    expect(sibling.status).toBe(200);
    expect(sim.refreshTokenState(child.json.refresh_token)).toBe('killed');
    expect(sim.refreshTokenState(grandchild.json.refresh_token)).toBe('killed');
    expect((await refresh(sim, grandchild.json.refresh_token)).json).toEqual({ error: 'invalid_grant' });
    expect(sim.deadTokenUses(root.refresh_token)).toBe(1);
    expect((await refresh(sim, sibling.json.refresh_token)).status).toBe(200);
  });
});
