/** Xero's wire values as the simulator writes and reads them. */

export type XRecord = Record<string, unknown>;

/** `/Date(ms+0000)/`: the form the Accounting API writes every date in. */
export const wireDate = (ms: number): string => `/Date(${ms}+0000)/`;

/** `2019-11-14T00:00:00`: the DateString siblings. */
export function dateString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

const MS = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/** Xero accepts ISO dates (`2026-01-31`, `2026-01-31T00:00:00`, with a zone or not) and its own form on the way in. */
export function parseInputDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  const m = MS.exec(v);
  if (m) return Number(m[1]);
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!iso) return undefined;
  const ms = Date.parse(`${iso[1]}T${iso[2] ?? '00:00:00'}${iso[3] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The date part only: Xero's transaction dates have no time of day. */
export const dayOf = (ms: number): number => Math.floor(ms / 86_400_000) * 86_400_000;

export function wireMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = MS.exec(value);
  return m ? Number(m[1]) : undefined;
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

export const isGuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
export const obj = (v: unknown): XRecord | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as XRecord) : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
