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

/**
 * The text a JSON string literal encodes (`"line one\\nline two"` -> two lines), or null when `s` is not one.
 * A pasted error that was JSON-stringified once reads as the error itself.
 */
export function decodeJsonString(s: string): string | null {
  if (s.length < 2 || s.charCodeAt(0) !== 34 || s.charCodeAt(s.length - 1) !== 34 || !s.includes('\\')) return null;
  const v = tryParse(s);
  return typeof v === 'string' ? v : null;
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

/** A literal matched by LOOSE_PAIR: JSON's, Python's (`None`, `True`), Ruby's (`nil`), or a single-quoted or backtick string. */
function literal(v: string): unknown {
  if (v === 'null' || v === 'None' || v === 'undefined' || v === 'nil') return null;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  const q = v[0];
  if (q !== '"' && q !== "'" && q !== '`') return Number(v);
  if (!v.includes('\\')) return v.slice(1, -1);
  if (q === '"') {
    const parsed = tryParse(v);
    if (parsed !== undefined) return parsed;
  }
  return unescapeQuoted(v.slice(1, -1));
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '0': '\0', b: '\b', f: '\f', v: '\v' };

/** The escapes util.inspect and Python's repr write inside a quoted string. */
function unescapeQuoted(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[^])/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}

/**
 * `"Key": value` pairs, the `'key': 'value'` / `key: 'value'` pairs of util.inspect and Python's
 * repr, and the `"key"=>value` pairs of Ruby's and PHP's printed hashes and arrays. Each alternative
 * is bounded and starts at a literal character, so the scan stays linear.
 */
const LOOSE_PAIR =
  /(?:"([A-Za-z_][A-Za-z0-9_-]{0,39})"|'([A-Za-z_][A-Za-z0-9_-]{0,39})'|(?<![\w'"-])([A-Za-z_][A-Za-z0-9_]{0,39}))\s*(?::|=>)\s*("(?:[^"\\\n]|\\.){0,2000}"|'(?:[^'\\\n]|\\.){0,2000}'|`(?:[^`\\]|\\.){0,2000}`|-?\d{1,9}(?:\.\d{1,6})?(?![\d:])|null|true|false|None|True|False|undefined|nil)/g;

/**
 * Pairs anywhere in the text, first occurrence of each key wins. Works on fragments that are not
 * valid JSON (missing braces, truncated, escaped once more) and on printed objects that never were.
 */
export function extractLoosePairs(s: string): Record<string, unknown> | null {
  const text = s.includes('\\"') ? s.replace(/\\\\"/g, '"').replace(/\\"/g, '"') : s;
  let out: Record<string, unknown> | null = null;
  LOOSE_PAIR.lastIndex = 0;
  let count = 0;
  for (let m = LOOSE_PAIR.exec(text); m !== null && count < 200; m = LOOSE_PAIR.exec(text), count++) {
    const key = m[1] ?? m[2] ?? m[3];
    out ??= {};
    if (key in out) continue;
    out[key] = literal(m[4]);
  }
  return out;
}
