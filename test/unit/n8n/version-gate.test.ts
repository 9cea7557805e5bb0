import { assertN8nVersion, compareVersions, MIN_N8N_VERSION, N8nVersionError, readN8nVersion, type VersionProbe } from '../../../nodes/shared/version-gate';

function probe(files: Record<string, string>, entryFiles: string[], env: Record<string, string> = {}): VersionProbe {
  return { entryFiles, env, readFile: (p) => files[p] ?? null, realpath: (p) => (p === '/usr/local/bin/n8n' ? '/usr/local/lib/node_modules/n8n/bin/n8n' : p) };
}

describe('n8n version gate', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('2.9.0', '2.20.0')).toBeLessThan(0);
    expect(compareVersions('2.20.0', '2.20.0')).toBe(0);
    expect(compareVersions('2.41.1', MIN_N8N_VERSION)).toBeGreaterThan(0);
    expect(compareVersions('v3.0.0-beta.1', '2.20.0')).toBeGreaterThan(0);
    expect(compareVersions('1.123.4', '2.20.0')).toBeLessThan(0);
  });

  it('refuses a known old version with a message naming the version needed, and lets 2.20+ and unknown through', () => {
    expect(() => assertN8nVersion({ version: '2.19.9', source: 'test' })).toThrow(N8nVersionError);
    expect(() => assertN8nVersion({ version: '1.90.0', source: 'test' })).toThrow(/needs n8n 2\.20\.0 or newer, but this is n8n 1\.90\.0/);
    expect(() => assertN8nVersion({ version: '2.20.0', source: 'test' })).not.toThrow();
    expect(() => assertN8nVersion({ version: '2.41.1', source: 'test' })).not.toThrow();
    expect(() => assertN8nVersion({ version: null, source: 'unknown' })).not.toThrow();
  });

  it("reads n8n's package.json above the file n8n was started from, through the bin symlink", () => {
    const files = { '/usr/local/lib/node_modules/n8n/package.json': JSON.stringify({ name: 'n8n', version: '2.41.1' }) };
    expect(readN8nVersion(probe(files, ['/usr/local/bin/n8n']))).toEqual({ version: '2.41.1', source: '/usr/local/lib/node_modules/n8n/package.json' });
  });

  it('skips other packages on the way up (the monorepo, a package manager shim)', () => {
    const files = {
      '/repo/packages/cli/bin/package.json': 'not json',
      '/repo/packages/cli/package.json': JSON.stringify({ name: 'n8n', version: '2.19.0' }),
      '/repo/package.json': JSON.stringify({ name: 'n8n-monorepo', version: '0.0.0' }),
    };
    expect(readN8nVersion(probe(files, ['/repo/packages/cli/bin/n8n'])).version).toBe('2.19.0');
    expect(readN8nVersion(probe({ '/x/package.json': JSON.stringify({ name: 'pm2', version: '5.0.0' }) }, ['/x/bin/pm2'])).version).toBeNull();
  });

  it('falls back to N8N_VERSION only when it is a real version', () => {
    expect(readN8nVersion(probe({}, [], { N8N_VERSION: '2.30.2' }))).toEqual({ version: '2.30.2', source: 'N8N_VERSION' });
    expect(readN8nVersion(probe({}, [], { N8N_VERSION: 'latest' }))).toEqual({ version: null, source: 'unknown' });
  });
});
