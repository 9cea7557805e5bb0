import { randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** Opaque, like Xero's refresh tokens and codes: nothing should parse them. */
export const opaqueToken = (bytes = 32): string => randomBytes(bytes).toString('hex');

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * /connections dates as recorded from Xero: UTC with seven fractional digits and no zone suffix,
 * e.g. `2019-12-07T18:46:19.5165400`. Clients that parse them as local time get them wrong, which is
 * exactly what the simulator must let a test catch.
 */
export function connectionDate(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}0000`
  );
}

/** The accounting API's Microsoft JSON date: `/Date(1573755038314)/`. */
export const msDate = (ms: number): string => `/Date(${ms})/`;

/** The timestamp inside "TokenExpired: token expired at 04/29/2020 09:22:02" (UTC). */
export function tokenExpiredAt(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ` + `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');
