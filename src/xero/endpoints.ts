/** Where Xero lives. Every URL is injectable so tests, the demo and rehearsals can point at the simulator. */
export interface XeroEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  /** Base of the API hosts: `${apiUrl}/connections`, `${apiUrl}/api.xro/2.0/...`. */
  apiUrl: string;
}

export const XERO_ENDPOINTS: Readonly<XeroEndpoints> = Object.freeze({
  authorizeUrl: 'https://login.xero.com/identity/connect/authorize',
  tokenUrl: 'https://identity.xero.com/connect/token',
  revocationUrl: 'https://identity.xero.com/connect/revocation',
  apiUrl: 'https://api.xero.com',
});

export function resolveEndpoints(overrides: Partial<XeroEndpoints> = {}): XeroEndpoints {
  const merged = { ...XERO_ENDPOINTS, ...stripUndefined(overrides) };
  for (const [name, value] of Object.entries(merged)) {
    try {
      new URL(value);
    } catch {
      throw new Error(`Xero endpoint "${name}" is not a valid URL: ${JSON.stringify(value)} (use an absolute http(s) URL)`);
    }
  }
  return { ...merged, apiUrl: merged.apiUrl.replace(/\/+$/, '') };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
