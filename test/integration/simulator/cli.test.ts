import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { CLI_OPTIONS, optionsFromArgs, tierLine } from '../../../cli/xero-guard-sim';
import { DEMO_TENANT_ID, type SimulatorTokenResponse } from '../../../src/simulator';
import { WebhookReceiver } from './support/webhook-receiver';

const ROOT = join(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'cli', 'xero-guard-sim.ts');

function runToEnd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves with everything printed once the banner is complete. */
function untilReady(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ctrl-C to stop.')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready: ${out}`)));
  });
}

/** Ctrl-C, and resolves once the process has exited. */
function stopped(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  return exited;
}

describe('xero-guard-sim command', () => {
  it('--help lists every option', () => {
    const r = runToEnd(['--help']);
    expect(r.status).toBe(0);
    for (const name of Object.keys(CLI_OPTIONS)) expect(r.stdout).toContain(`--${name}`);
    expect(r.stdout).toContain('same-pair | fresh-pair | fresh-pair-revokes');
  });

  it('prints the URLs and demo credentials on its actual port, serves, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(TSX, [CLI, '--port', '0', '--grace-mode', 'fresh-pair', '--rate-limits', '--start-time', '2030-01-01T00:00:00Z'], { cwd: ROOT });
    const banner = await untilReady(child);
    const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(banner);
    expect(url?.[2]).not.toBe('0');
    const base = url?.[1] as string;
    for (const line of [
      `authorize:   ${base}/identity/connect/authorize`,
      `token:       ${base}/connect/token`,
      `revocation:  ${base}/connect/revocation`,
      `admin:       ${base}/__admin`,
      'demo client: XEROGUARDDEMOCLIENT0000000000001 / ',
    ]) {
      expect(banner).toContain(line);
    }
    expect(((await (await fetch(`${base}/__admin/grace-mode`)).json()) as { mode: string }).mode).toBe('fresh-pair');
    expect(new Date(((await (await fetch(`${base}/__admin/clock`)).json()) as { now: number }).now).getUTCFullYear()).toBe(2030);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let rest = '';
    child.stdout.on('data', (c: Buffer) => (rest += c.toString()));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(rest).toContain('Xero simulator stopped.');
  });

  it.each([
    [['--grace-mode', 'lenient'], '--grace-mode must be one of'],
    [['--port', 'abc'], '--port must be a whole number'],
    [['--nope'], "Unknown option '--nope'"],
    [['--day-limit', '1000'], '--day-limit needs --rate-limits'],
    [['--client-id', 'X'], '--client-id needs --client-secret'],
    [['--tls-key', 'k.pem'], '--tls-key and --tls-cert go together'],
    [['--start-time', 'soon'], '--start-time must be an ISO date'],
    [['--webhook-url', 'http://127.0.0.1:5678/webhook/x'], '--webhook-url and --webhook-key go together'],
    [['--webhook-url', 'ftp://x', '--webhook-key', 'k'], '--webhook-url must be an http:// or https:// URL'],
    [['--webhook-url', 'http://h/x', '--webhook-key', 'k', '--webhook-client', 'NOPE'], '--webhook-client must be one of the simulator'],
    [['--webhook-client', 'NOPE'], '--webhook-client needs --webhook-url and --webhook-key'],
    [['--tier', 'gold'], '--tier must be one of starter, core, plus, advanced, enterprise, got "gold"'],
  ])('refuses %j with a message', (args, message) => {
    expect(() => optionsFromArgs(args)).toThrow(message);
  });

  it('rehearses webhooks against a receiver given on the command line: the check at start, then signed deliveries', async () => {
    const receiver = await WebhookReceiver.start('cli-rehearsal-key');
    const child = spawn(TSX, [CLI, '--port', '0', '--webhook-url', receiver.url, '--webhook-key', 'cli-rehearsal-key'], { cwd: ROOT });
    try {
      const banner = await untilReady(child);
      expect(banner).toContain(`webhooks:    ${receiver.url} for XEROGUARDDEMOCLIENT0000000000001 (intent to receive passed; sending)`);
      expect(banner).not.toContain('cli-rehearsal-key');
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
      const json = { 'content-type': 'application/json' };
      const grant = (await (await fetch(`${base}/__admin/seed-grant`, { method: 'POST', headers: json, body: '{}' })).json()) as SimulatorTokenResponse;
      const made = await fetch(`${base}/api.xro/2.0/Contacts`, {
        method: 'PUT',
        headers: { ...json, authorization: `Bearer ${grant.access_token}`, 'xero-tenant-id': DEMO_TENANT_ID },
        body: JSON.stringify({ Name: 'From the shell' }),
      });
      expect(made.status).toBe(200);
      await receiver.untilReceived(3);
      expect(receiver.deliveries().map((d) => [d.answered, d.json.events[0].eventCategory])).toEqual([[200, 'CONTACT']]);
    } finally {
      await stopped(child);
      await receiver.close();
    }
  });

  it('says at start when the intent-to-receive check failed, and how to run it again', async () => {
    const receiver = await WebhookReceiver.start('the-receiver-has-another-key');
    const child = spawn(TSX, [CLI, '--port', '0', '--webhook-url', receiver.url, '--webhook-key', 'cli-rehearsal-key'], { cwd: ROOT });
    try {
      const banner = await untilReady(child);
      expect(banner).toContain('intent to receive FAILED (correctly signed got 401, wanted 200; wrongly signed got 401, wanted 401)');
      expect(banner).toMatch(
        /curl -s -XPOST -H 'content-type: application\/json' http:\/\/127\.0\.0\.1:\d+\/__admin\/webhooks\/intent-to-receive -d '\{"clientId":"XEROGUARDDEMOCLIENT0000000000001"\}'/,
      );
    } finally {
      await stopped(child);
      await receiver.close();
    }
  });

  it('exits with code 2 and the help on a bad option', () => {
    const r = runToEnd(['--grace-mode', 'lenient']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--grace-mode must be one of same-pair, fresh-pair, fresh-pair-revokes, got "lenient"');
    expect(r.stderr).toContain('Usage: xero-guard-sim [options]');
  });

  it('turns options into simulator settings', () => {
    const options = optionsFromArgs([
      '--port',
      '4011',
      '--rate-limits',
      '--day-limit',
      '1000',
      '--connection-limit',
      '5',
      '--tier',
      'Plus',
      '--client-id',
      'MINE',
      '--client-secret',
      's',
      '--redirect-uri',
      'https://a/cb',
      '--redirect-uri',
      'https://b/cb',
      '--seed',
      '7',
      '--webhook-url',
      'https://n8n.example/webhook/xero',
      '--webhook-key',
      'k',
      '--admin-host',
      'sim.local',
    ]);
    expect(options).toMatchObject({
      port: 4011,
      rateLimits: { perDay: 1000 },
      connectionLimit: 5,
      tier: 'plus',
      randomSeed: 7,
      webhooks: [{ clientId: 'MINE', url: 'https://n8n.example/webhook/xero', key: 'k' }],
      adminHosts: ['sim.local'],
    });
    expect(options !== 'help' && options.clients?.[0]).toEqual({ clientId: 'MINE', clientSecret: 's', redirectUris: ['https://a/cb', 'https://b/cb'] });
  });

  it('says at start what a --tier means for every app', () => {
    expect(tierLine('starter')).toBe(
      '  tier:        Starter for every app: 5 connections, 1,000 calls per organisation a day, Journals refused, one organisation per consent',
    );
    expect(tierLine('enterprise')).toContain('no connection cap, 5,000 calls per organisation a day, every endpoint open, several organisations per consent');
  });
});
