/**
 * Finds the JSON hiding in a string: a whole JSON document, JSON quoted as a JSON string (n8n's
 * `401 - "{\"Title\":...}"`), JSON embedded in prose, or the loose `"Key":"value"` pairs people
 * paste from support articles without the braces.
 */

/** Parsed values found in `s`, outermost first. Never throws; each parse is on an already bounded string. */
export function extractJson(s: string, maxNesting: number): unknown[] {
  const found: unknown[] = [];
  let current: string | null = s;
  for (let level = 0; current !== null && level < maxNesting; level++) {
    const value = parseEmbedded(current);
    if (value === undefined) break;
    if (typeof value === 'string') {
      // JSON that was stringified twice: unwrap one more level.
      current = value;
      continue;
    }
    found.push(value);
    current = null;
  }
  return found;
}

function tryParse(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function parseEmbedded(s: string): unknown {
  const trimmed = s.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  // Only a string that opens and closes like JSON is worth a parse (a failed parse throws, which is slow).
  if ((first === '{' && last === '}') || (first === '[' && last === ']') || (first === '"' && last === '"' && trimmed.length > 1)) {
    const whole = tryParse(trimmed);
    if (whole !== undefined && (typeof whole === 'object' || (typeof whole === 'string' && /^\s*[[{]/.test(whole)))) return whole;
  }
  // JSON quoted inside prose: `401 - "{\"Type\":null,...}"`.
  const quoted = s.indexOf('"{');
  if (quoted >= 0) {
    const end = s.lastIndexOf('}"');
    if (end > quoted) {
      const inner = tryParse(s.slice(quoted, end + 2));
      if (typeof inner === 'string') return inner;
    }
  }
  const open = s.indexOf('{');
  if (open >= 0) {
    const close = s.lastIndexOf('}');
    if (close > open) {
      const obj = tryParse(s.slice(open, close + 1));
      if (obj !== undefined && obj !== null && typeof obj === 'object') return obj;
    }
  }
  const arrOpen = s.indexOf('[');
  if (arrOpen >= 0 && arrOpen < (open < 0 ? Infinity : open)) {
    const arrClose = s.lastIndexOf(']');
    if (arrClose > arrOpen) {
      const arr = tryParse(s.slice(arrOpen, arrClose + 1));
      if (Array.isArray(arr)) return arr;
    }
  }
  return undefined;
}

/** A JSON literal matched by LOOSE_PAIR: only strings with escapes need the parser. */
function literal(v: string): unknown {
  if (v === 'null') return null;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v[0] !== '"') return Number(v);
  if (!v.includes('\\')) return v.slice(1, -1);
  const parsed = tryParse(v);
  return parsed === undefined ? v.slice(1, -1) : parsed;
}

const LOOSE_PAIR = /"([A-Za-z_][A-Za-z0-9_-]{0,39})"\s*:\s*("(?:[^"\\\n]|\\.){0,2000}"|-?\d{1,9}(?:\.\d{1,6})?|null|true|false)/g;

/**
 * `"Key": value` pairs anywhere in the text, first occurrence of each key wins. Works on fragments
 * that are not valid JSON (missing braces, truncated, escaped once more).
 */
export function extractLoosePairs(s: string): Record<string, unknown> | null {
  const text = s.includes('\\"') ? s.replace(/\\\\"/g, '"').replace(/\\"/g, '"') : s;
  let out: Record<string, unknown> | null = null;
  LOOSE_PAIR.lastIndex = 0;
  let count = 0;
  for (let m = LOOSE_PAIR.exec(text); m !== null && count < 200; m = LOOSE_PAIR.exec(text), count++) {
    const key = m[1];
    out ??= {};
    if (key in out) continue;
    out[key] = literal(m[2]);
  }
  return out;
}
