import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who may drive the admin API (docs/security.md, "What the simulator trusts"). It has no login, so
 * what a web page open during a rehearsal can make a browser send must not reach it:
 * - a `Host` that is not a loopback name, the address the simulator was bound to, or a name the
 *   user allowed: DNS rebinding (a page whose own name now points at 127.0.0.1) sends its own name;
 * - an `Origin` other than the simulator's own: every cross-site POST a browser makes carries one;
 * - a POST that does not say `application/json`: the only bodies a page may send cross-site without
 *   asking first (a form, `text/plain`) are the other types.
 * Scripts, curl and the tests send no Origin and may say JSON, so they are not affected.
 */
export class AdminGuard {
  private readonly hosts: ReadonlySet<string>;

  constructor(boundHost: string, allowedHosts: readonly string[] = []) {
    const bound = hostnameOf(boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost);
    this.hosts = new Set([...allowedHosts.map((h) => h.toLowerCase()), ...(bound && !WILDCARDS.has(bound) ? [bound] : [])]);
  }

  /** Why this admin request is refused, or null to serve it. */
  refusal(method: string, headers: IncomingHttpHeaders): string | null {
    const host = typeof headers.host === 'string' ? headers.host.toLowerCase() : '';
    const hostname = hostnameOf(host);
    if (!hostname || !(isLoopback(hostname) || this.hosts.has(hostname))) {
      return `The admin API answers only requests addressed to this machine (127.0.0.1, localhost, [::1]) or a host allowed with --admin-host; this one was addressed to "${host.slice(0, 100)}".`;
    }
    const origin = headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
      return `The admin API refuses requests from web pages of other sites (Origin "${String(origin).slice(0, 100)}"): drive it from a script, curl or a test.`;
    }
    if (method.toUpperCase() === 'POST' && !isJson(headers['content-type'])) {
      return 'Admin POSTs must send JSON with "Content-Type: application/json" (curl: -H \'content-type: application/json\').';
    }
    return null;
  }
}

const WILDCARDS = new Set(['0.0.0.0', '[::]']);

/** The host name of a Host header (`127.0.0.1:4010` -> `127.0.0.1`, `[::1]:4010` -> `[::1]`), or null when it is not one. */
function hostnameOf(host: string): string | null {
  if (host === '' || /[\s/@?#\\]/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}
