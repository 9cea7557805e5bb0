/**
 * A real Node-RED 5 on Node 24 for the runtime tests: the repository built and packed, the tarball
 * installed into a fresh userDir as a user's `npm install` would, Node-RED started on a free port in
 * its own process group, and stopped (whole group) with proof that nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../tools/free-port';
import { cacheRoot, npmEnv, withLock } from '../../tools/n8n/install';

export const REPO = resolve(__dirname, '..', '..');

export function progress(message: string): void {
  process.stderr.write(`[xero-guard node-red ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    // npm without settings inherited from an `npm test` parent.
    const child = spawn(command, args, { cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${out.slice(-3000)}`)),
    );
  });
}

/** The package.json of a userDir as Node-RED creates it. */
const USERDIR_PACKAGE = '{"name":"node-red-project","description":"A Node-RED userDir","private":true}\n';

/** What goes into the package: the committed tree, with node-red/ and examples/node-red/ as in the work tree. */
const OWN_PATHS = ['node-red', 'examples/node-red'];

async function sourceHash(): Promise<string> {
  const head = (await run('git', ['rev-parse', 'HEAD'], REPO)).trim();
  const listed = await run('git', ['ls-files', '-co', '--exclude-standard', '--', ...OWN_PATHS], REPO);
  const hash = createHash('sha256').update(head);
  for (const file of [...new Set(listed.split('\n').filter(Boolean))].sort()) {
    const full = join(REPO, file);
    if (existsSync(full)) hash.update(file).update('\0').update(readFileSync(full)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds and packs in a scratch copy: `git archive HEAD` plus the work tree's node-red/ and
 * examples/node-red/, with the repository's node_modules linked in. The repository's own dist/ is
 * never touched (other suites build there), and other engineers' unfinished edits in the shared work
 * tree cannot break this build. Then `npm install <tgz>` into a template userDir, the step
 * docs/node-red.md gives a Node-RED user (no --omit=peer: n8n-workflow is an optional peer and stays
 * out), cached by the hash of those sources; each test copies the template's node_modules.
 * Measured here: build 11-22 s, pack 2-3 s, install 3-17 s; a cache hit costs a copy.
 */
export async function installedPackage(): Promise<string> {
  const key = await sourceHash();
  const template = join(cacheRoot(), 'node-red-install', key);
  const marker = join(template, '.complete');
  if (existsSync(marker)) return template;
  return withLock(`node-red-install-${key}`, async () => {
    if (existsSync(marker)) return template;
    const started = Date.now();
    progress(`building, packing and installing the package (sources ${key})`);
    rmSync(template, { recursive: true, force: true });
    mkdirSync(template, { recursive: true });
    const scratch = join(template, 'src-copy');
    mkdirSync(scratch, { recursive: true });
    await run('sh', ['-c', `git archive HEAD | tar -x -C '${scratch}'`], REPO);
    for (const own of OWN_PATHS) {
      rmSync(join(scratch, own), { recursive: true, force: true });
      if (existsSync(join(REPO, own))) cpSync(join(REPO, own), join(scratch, own), { recursive: true });
    }
    symlinkSync(join(REPO, 'node_modules'), join(scratch, 'node_modules'));
    await run('npm', ['run', 'build'], scratch);
    const built = Date.now();
    await run('npm', ['pack', '--pack-destination', template, '--silent'], scratch);
    rmSync(scratch, { recursive: true, force: true });
    const tgz = readdirSync(template).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack wrote no tarball');
    writeFileSync(join(template, 'package.json'), USERDIR_PACKAGE);
    const packed = Date.now();
    await run('npm', ['install', '--prefix', template, join(template, tgz), '--prefer-offline', '--no-audit', '--no-fund'], template);
    writeFileSync(marker, `${tgz}\n`);
    progress(
      `build ${Math.round((built - started) / 1000)} s, pack ${Math.round((packed - built) / 1000)} s, install ${Math.round((Date.now() - packed) / 1000)} s`,
    );
    for (const other of readdirSync(join(cacheRoot(), 'node-red-install'))) {
      const full = join(cacheRoot(), 'node-red-install', other);
      if (other !== key && Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
    }
    return template;
  });
}

/** The packed tarball of an installedPackage() template. */
export function packedTarball(template: string): string {
  const tgz = readdirSync(template).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`no tarball in ${template}`);
  return join(template, tgz);
}

/** Node 24: this process when jest runs on it (CI), else the cached one. */
export function node24(): string {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const cached = join(cacheRoot(), 'node24', 'node_modules', '.bin', 'node');
  if (!existsSync(cached))
    throw new Error(`Node-RED 5 needs Node >= 22.9; install Node 24 with: npm install --prefix ${join(cacheRoot(), 'node24')} --no-save node@24`);
  return cached;
}

export interface NodeRed {
  readonly url: string;
  readonly userDir: string;
  readonly marker: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
  api(path: string, init?: RequestInit): Promise<Response>;
  deploy(flow: unknown[]): Promise<void>;
  /** An admin API token of one of USERS (Node-RED's password grant). */
  login(user: keyof typeof USERS): Promise<string>;
  leftovers(): Array<{ pid: number; cmd: string }>;
}

export const CREDENTIAL_SECRET = 'xero-guard-node-red-runtime-test-secret';

/**
 * adminAuth is on: an admin, a read-only user, and anonymous visitors with read permission (so the
 * editor and a web page that posts to it without a login reach what any reader reaches).
 */
export const USERS = {
  admin: { password: 'xero-guard-admin-password', permissions: '*' },
  reader: { password: 'xero-guard-reader-password', permissions: 'read' },
} as const;

/**
 * A userDir with a settings.js and, unless `installed` is false (the palette manager installs it
 * then), the package installed; Node-RED itself comes from the repository's dev dependency.
 */
export async function createNodeRed(userDir: string, options: { installed?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<NodeRed> {
  if (options.installed !== false) {
    const template = await installedPackage();
    cpSync(join(template, 'node_modules'), join(userDir, 'node_modules'), { recursive: true });
    cpSync(join(template, 'package.json'), join(userDir, 'package.json'));
  } else {
    writeFileSync(join(userDir, 'package.json'), USERDIR_PACKAGE);
  }
  const port = await freePort();
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: ${JSON.stringify(CREDENTIAL_SECRET)},
  adminAuth: (() => {
    const users = ${JSON.stringify(USERS)};
    const who = (username) => (users[username] ? { username, permissions: users[username].permissions } : null);
    return {
      type: 'credentials',
      users: (username) => Promise.resolve(who(username)),
      authenticate: (username, password) => Promise.resolve(users[username] && users[username].password === password ? who(username) : null),
      default: { permissions: 'read' },
    };
  })(),
  logging: { console: { level: 'info', metrics: false, audit: false } },
  diagnostics: { enabled: false, ui: false },
  telemetry: { enabled: false },
  editorTheme: { tours: false, projects: { enabled: false } },
};
`,
  );
  const marker = `XG_NODE_RED_TEST=${randomUUID()}`;
  const logFile = join(userDir, 'node-red.log');
  let child: ChildProcess | null = null;
  let exited: Promise<void> | null = null;
  const url = `http://127.0.0.1:${port}`;

  const handle: NodeRed = {
    url,
    userDir,
    marker,
    async start() {
      // The log is appended across restarts: readiness must be judged on what this start wrote.
      const logBefore = handle.log().length;
      const out = openSync(logFile, 'a');
      const [k, v] = marker.split('=');
      child = spawn(node24(), [join(REPO, 'node_modules', 'node-red', 'red.js'), '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
        cwd: userDir,
        env: { ...npmEnv(options.env), [k]: v, NODE_RED_ENABLE_PROJECTS: 'false' },
        stdio: ['ignore', out, out],
        detached: true,
      });
      closeSync(out);
      const proc = child;
      exited = new Promise<void>((r) => proc.once('exit', () => r()));
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`Node-RED exited with ${proc.exitCode}:\n${handle.log().slice(-3000)}`);
        try {
          const res = await fetch(`${url}/settings`);
          if (res.ok && /Started flows/.test(handle.log().slice(logBefore).split('Starting flows').at(-1) ?? '')) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`Node-RED did not start within 60 s:\n${handle.log().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 200)); // poll interval of the start
      }
    },
    async stop() {
      const proc = child;
      child = null;
      if (!proc || proc.pid === undefined) return;
      if (proc.exitCode === null) {
        try {
          process.kill(-proc.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const killed = setTimeout(() => {
          try {
            process.kill(-(proc.pid as number), 'SIGKILL');
          } catch {
            // already gone
          }
        }, 20_000);
        await exited;
        clearTimeout(killed);
      }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    api: (path, init) => fetch(`${url}${path}`, init),
    async login(user) {
      const form = new URLSearchParams({
        client_id: 'node-red-admin',
        grant_type: 'password',
        scope: USERS[user].permissions,
        username: user,
        password: USERS[user].password,
      });
      const res = await fetch(`${url}/auth/token`, { method: 'POST', body: form });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token) throw new Error(`login as ${user} answered ${res.status}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async deploy(flow) {
      const token = await handle.login('admin');
      const res = await fetch(`${url}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flow),
      });
      if (res.status !== 204 && res.status !== 200) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
      const deadline = Date.now() + 30_000;
      while (!/Started flows/.test(handle.log().split('Stopping flows').at(-1) ?? '')) {
        if (Date.now() > deadline) throw new Error(`flows did not start after deploy:\n${handle.log().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100)); // poll interval of the deploy
      }
    },
    leftovers() {
      const found: Array<{ pid: number; cmd: string }> = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
          if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(marker)) {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
            found.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
          }
        } catch {
          // gone while we looked
        }
      }
      return found;
    },
  };
  return handle;
}
