/** Input the simulator refuses; the admin API answers 400 with the field and message. */
export class BadInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'BadInput';
  }
}

export type Json = Record<string, unknown>;

/** decodeURIComponent that answers 400 (not 500) for a malformed percent-escape such as "%zz" or "%E0%A4". */
export function decodePathSegment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadInput(field, `"${raw.slice(0, 80)}" has a malformed percent-escape (use %XX with two hex digits, UTF-8 encoded)`);
  }
}

export function asObject(input: unknown, field = 'body'): Json {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new BadInput(field, 'must be a JSON object');
  return input as Json;
}

export function optionalString(obj: Json, field: string): string | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new BadInput(field, 'must be a non-empty string');
  return v;
}

export function requiredString(obj: Json, field: string): string {
  const v = optionalString(obj, field);
  if (v === undefined) throw new BadInput(field, 'is required');
  return v;
}

export function optionalNumber(obj: Json, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new BadInput(field, `must be a number from ${min} to ${max}`);
  return v;
}

export function optionalInteger(obj: Json, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = optionalNumber(obj, field, min, max);
  if (v !== undefined && !Number.isInteger(v)) throw new BadInput(field, 'must be a whole number');
  return v;
}

export function optionalBoolean(obj: Json, field: string): boolean | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new BadInput(field, 'must be true or false');
  return v;
}

export function optionalStringArray(obj: Json, field: string): string[] | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0)) throw new BadInput(field, 'must be an array of non-empty strings');
  return v as string[];
}

export function oneOf<T extends string>(obj: Json, field: string, allowed: readonly T[]): T | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new BadInput(field, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Refuses fields the command does not know, so a typo is not silently ignored. */
export function onlyFields(obj: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw new BadInput(key, `is not a known field (expected ${allowed.join(', ') || 'none'})`);
}
