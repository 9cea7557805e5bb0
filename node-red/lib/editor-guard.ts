/**
 * Who may call this package's admin routes, beyond Node-RED's own permission check: only the
 * editor's own pages. Without adminAuth (Node-RED's default) every visitor has every permission,
 * so a web page elsewhere could post a form to these routes; a JSON body (which a cross-site page
 * cannot send without a CORS preflight Node-RED refuses) and an Origin or Referer of the editor's
 * own origin close that door. Also the editor's callback URL and the cookie that ties a
 * "Connect to Xero" to the browser that started it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminRequest, AdminResponse, RED } from './red';
import { runtimeOptions } from './settings';

const CALLBACK_PATH = 'xero-guard/connect/callback';

const header = (req: AdminRequest, name: string): string => {
  const v = req.headers?.[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

function originOf(url: string): URL | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/** settings.xeroGuard.editorUrl, when the editor is reached through a proxy: its origin and path. */
function configuredEditor(red: RED): URL | null {
  const own = runtimeOptions(red).editorUrl;
  return typeof own === 'string' && own ? originOf(own) : null;
}

/**
 * The origin the request came from, when it is the editor's: its Origin header (else its Referer)
 * naming the host the request was sent to, or the configured editorUrl. Null for anything else.
 */
export function editorOrigin(red: RED, req: AdminRequest): string | null {
  if (header(req, 'sec-fetch-site') === 'cross-site') return null;
  const claimed = header(req, 'origin') || header(req, 'referer');
  const from = claimed && claimed !== 'null' ? originOf(claimed) : null;
  if (!from) return null;
  const configured = configuredEditor(red);
  if (configured && configured.origin === from.origin) return from.origin;
  const host = header(req, 'host').toLowerCase();
  return host !== '' && from.host.toLowerCase() === host ? from.origin : null;
}

/**
 * Express middleware for the routes that change state or use stored secrets: JSON only, from the
 * editor's own origin. Refuses with 415 or 403 and a reason the editor can show.
 */
export function editorOnly(red: RED): (req: AdminRequest, res: AdminResponse, next: () => void) => void {
  return (req, res, next) => {
    const type = header(req, 'content-type').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      res.status(415).json({ error: 'This Xero Guard route takes a JSON body from the Node-RED editor only.' });
      return;
    }
    if (!editorOrigin(red, req)) {
      res.status(403).json({
        error:
          'This Xero Guard route answers only pages of this Node-RED editor (its Origin or Referer must be the editor). Behind a proxy, set xeroGuard.editorUrl in settings.js to the URL you open the editor at.',
      });
      return;
    }
    next();
  };
}

/**
 * The one redirect URI this editor accepts: `<editor origin><admin root>xero-guard/connect/callback`,
 * or `<editorUrl>/xero-guard/connect/callback` when settings.js names the editor's URL.
 */
export function expectedRedirectUri(red: RED, origin: string): string {
  const configured = configuredEditor(red);
  if (configured && configured.origin === origin) return `${configured.origin}${configured.pathname.replace(/\/+$/, '')}/${CALLBACK_PATH}`;
  const root = typeof red.settings?.httpAdminRoot === 'string' ? red.settings.httpAdminRoot : '/';
  return `${origin}${`/${root}/`.replace(/\/+/g, '/')}${CALLBACK_PATH}`;
}

/** The editor's address a redirect URI of expectedRedirectUri's was built from: the base of links to the editor. */
export function editorBaseOf(redirectUri: string): string {
  return (redirectUri.endsWith(CALLBACK_PATH) ? redirectUri.slice(0, -CALLBACK_PATH.length) : redirectUri).replace(/\/+$/, '');
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** A browser binding for one started connect: a random cookie value, and only its hash kept here. */
export interface BrowserBinding {
  readonly cookieName: string;
  readonly valueHash: Buffer;
}

/** The cookie of one state: its name derives from the state, so parallel connects in one browser do not clash. */
function cookieName(state: string): string {
  return `xg_connect_${sha256(state).toString('hex').slice(0, 16)}`;
}

/**
 * Sets the cookie that the callback of `state` must bring back. SameSite=Lax: the browser sends it
 * on the top-level navigation back from Xero, never on a request a foreign page makes in the
 * background; HttpOnly; limited to the callback's path and the connect's lifetime.
 */
export function bindToBrowser(res: AdminResponse, state: string, redirectUri: string, ttlMs: number): BrowserBinding {
  const value = randomBytes(32).toString('base64url');
  const uri = new URL(redirectUri);
  const name = cookieName(state);
  const secure = uri.protocol === 'https:' ? '; Secure' : '';
  res.setHeader('Set-Cookie', `${name}=${value}; Path=${uri.pathname}; Max-Age=${Math.floor(ttlMs / 1000)}; HttpOnly; SameSite=Lax${secure}`);
  return { cookieName: name, valueHash: sha256(value) };
}

/** Whether the request carries the cookie of `binding`. */
export function sameBrowser(req: AdminRequest, binding: BrowserBinding): boolean {
  for (const part of header(req, 'cookie').split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== binding.cookieName) continue;
    if (timingSafeEqual(sha256(part.slice(at + 1).trim()), binding.valueHash)) return true;
  }
  return false;
}

/** Removes the cookie of a finished (or refused) connect. */
export function forgetBinding(res: AdminResponse, binding: BrowserBinding, redirectUri: string): void {
  res.setHeader('Set-Cookie', `${binding.cookieName}=; Path=${new URL(redirectUri).pathname}; Max-Age=0; HttpOnly; SameSite=Lax`);
}
