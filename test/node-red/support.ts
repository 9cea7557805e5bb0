/**
 * Shared by the Node-RED tests: the consent form of the simulator submitted over HTTP (what a
 * browser does when the user clicks "Allow access"), and the canary checks that no secret leaks.
 */
import type { Simulator } from '../../src/simulator';

/** Submits the simulator's consent form for an authorize URL; resolves to the callback URL Xero redirects to. */
export async function allowAtSimulator(
  authorizeUrl: string,
  options: { tenants?: string[]; email?: string; action?: 'allow' | 'cancel' } = {},
): Promise<string> {
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set('email', options.email ?? 'demo@xero-guard.test');
  form.set('password', 'demo');
  form.set('action', options.action ?? 'allow');
  for (const tenant of options.tenants ?? ['a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e']) form.append('tenant', tenant);
  const response = await fetch(`${url.origin}${url.pathname}`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`the simulator's consent answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`);
  return location;
}

/** Every access, refresh and id token the simulator issued, and the authorization codes it handed out. */
export function issuedSecrets(sim: Simulator): string[] {
  const found = new Set<string>();
  for (const event of sim.log()) {
    const e = event as unknown as Record<string, unknown>;
    for (const field of ['accessToken', 'refreshToken', 'idToken', 'code']) {
      const v = e[field];
      if (typeof v === 'string' && v.length >= 16) found.add(v);
    }
    if (e.type === 'request' && typeof e.path === 'string') {
      const code = /[?&]code=([^&]+)/.exec(e.path);
      if (code) found.add(decodeURIComponent(code[1]));
    }
  }
  return [...found];
}

/** The parts of a token long enough to be recognised if it were cut or re-encoded. */
function fragments(secret: string): string[] {
  if (secret.length < 24) return [secret];
  const parts = secret.split('.').filter((p) => p.length >= 16);
  return parts.length > 1 ? [secret, ...parts] : [secret, secret.slice(0, 24), secret.slice(-24)];
}

/** Fails naming where a canary or a token was found in `texts` (label -> text). */
export function expectNoSecrets(texts: Array<[string, string]>, secrets: string[]): void {
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const fragment of fragments(secret)) {
      for (const [label, text] of texts) {
        if (text.includes(fragment)) leaks.push(`${label} contains ${fragment.slice(0, 6)}…`);
      }
    }
  }
  expect(leaks).toEqual([]);
}

/** Polls `check` until it returns a value other than undefined; bounded, so a hang fails with a message. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not a wait for time
  }
}
