import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { CLI_OPTIONS, optionsFromArgs } from '../../../cli/xero-guard-sim';

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
    expect(((await (await fetch(`${base}/__admin/grace-mode`)).json()) as any).mode).toBe('fresh-pair');
    expect(new Date(((await (await fetch(`${base}/__admin/clock`)).json()) as any).now).getUTCFullYear()).toBe(2030);
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
  ])('refuses %j with a message', (args, message) => {
    expect(() => optionsFromArgs(args)).toThrow(message);
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
    ]);
    expect(options).toMatchObject({ port: 4011, rateLimits: { perDay: 1000 }, connectionLimit: 5, randomSeed: 7 });
    expect(options !== 'help' && options.clients?.[0]).toEqual({ clientId: 'MINE', clientSecret: 's', redirectUris: ['https://a/cb', 'https://b/cb'] });
  });
});
