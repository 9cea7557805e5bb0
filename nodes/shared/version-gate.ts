import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { XeroGuardError } from '../../src/errors';

/**
 * n8n runs a credential's preAuthentication before every OAuth2 request only since 2.20. Older n8n
 * signs with the token stored at connect time and refreshes it itself on a 401, which would split
 * the Xero token chain the engine owns; so on those versions every node and the credential refuse.
 */
export const MIN_N8N_VERSION = '2.20.0';

export interface N8nVersionInfo {
  /** The running n8n's version, or null when it could not be read. */
  version: string | null;
  /** Where it was read: the package.json path, "N8N_VERSION", "injected" or "unknown". */
  source: string;
}

export class N8nVersionError extends XeroGuardError {
  readonly code = 'N8N_TOO_OLD';
  readonly retryable = false;

  constructor(readonly version: string) {
    super(
      `Xero Guard needs n8n ${MIN_N8N_VERSION} or newer, but this is n8n ${version}. Older n8n refreshes OAuth2 tokens itself and would split the Xero token chain (the connection would break with invalid_grant). Upgrade n8n to ${MIN_N8N_VERSION} or newer; nothing was sent to Xero.`,
    );
  }
}

/** Compares dotted versions numerically (2.9.0 < 2.20.0); a pre-release tag is ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    v
      .trim()
      .replace(/^v/, '')
      .split(/[-+]/)[0]
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function isSemver(value: unknown): value is string {
  return typeof value === 'string' && /^v?\d+\.\d+(\.\d+)?([-+].*)?$/.test(value.trim());
}

/** Throws N8nVersionError when the version is known and too old; an unknown version is let through (see docs/n8n.md). */
export function assertN8nVersion(info: N8nVersionInfo): void {
  if (info.version !== null && compareVersions(info.version, MIN_N8N_VERSION) < 0) throw new N8nVersionError(info.version);
}

export interface VersionProbe {
  /** Files n8n was started from: require.main's filename and process.argv[1]. */
  entryFiles: string[];
  env: Record<string, string | undefined>;
  readFile(path: string): string | null;
  realpath(path: string): string;
}

function defaultProbe(): VersionProbe {
  const entries = [require.main?.filename, process.argv[1]].filter((p): p is string => typeof p === 'string' && p !== '');
  return {
    entryFiles: entries,
    env: process.env,
    readFile: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : null),
    realpath: (path) => {
      try {
        return realpathSync(path);
      } catch {
        return path;
      }
    },
  };
}

/**
 * Reads the running n8n's version: the package.json named "n8n" above the file n8n was started
 * from (bin/n8n, whether run as `n8n`, `npx n8n`, from the Docker image or from the monorepo's
 * packages/cli), else N8N_VERSION when it is a real version (the official Docker image sets it).
 */
export function readN8nVersion(probe: VersionProbe = defaultProbe()): N8nVersionInfo {
  for (const entry of probe.entryFiles) {
    let dir = dirname(probe.realpath(entry));
    for (let depth = 0; depth < 8; depth++) {
      const path = join(dir, 'package.json');
      const text = probe.readFile(path);
      if (text !== null) {
        try {
          const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
          if (pkg.name === 'n8n' && isSemver(pkg.version)) return { version: pkg.version, source: path };
        } catch {
          // Not JSON: keep walking up.
        }
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  const fromEnv = probe.env.N8N_VERSION;
  if (isSemver(fromEnv)) return { version: fromEnv.trim(), source: 'N8N_VERSION' };
  return { version: null, source: 'unknown' };
}

let cached: N8nVersionInfo | undefined;

/** The running n8n's version, read once per process; XERO_GUARD_N8N_VERSION overrides it (tests). */
export function runningN8nVersion(): N8nVersionInfo {
  const override = process.env.XERO_GUARD_N8N_VERSION;
  if (isSemver(override)) return { version: override.trim(), source: 'injected' };
  cached ??= readN8nVersion();
  return cached;
}
