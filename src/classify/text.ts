/** Cheap, linear text clean-ups applied to every string before the rules look at it. */

// Percent decoding is shared with the redaction in src/secrets, so it lives below both.
export { percentDecode, percentDecodeAll } from '../percent-encoding';

/** Bounds that keep one classification fast whatever it is given. */
export const LIMITS = {
  /** Characters read from the head of one string; errors put what matters first. */
  headChars: 48 * 1024,
  /** ...and from its tail, where a pasted log line or an HTML page's message may sit. */
  tailChars: 4 * 1024,
  /** Characters of text collected for the rules across the whole input. */
  textChars: 96 * 1024,
  /** Objects, arrays and strings visited. */
  nodes: 4000,
  /** Nesting followed. */
  depth: 48,
  /** Keys read per object. */
  keysPerObject: 200,
  /** JSON-inside-a-string levels unwrapped. */
  jsonNesting: 4,
} as const;

/** The head and tail of a long string, so a 5 MB paste costs the same as a 50 KB one. */
export function window(s: string): { text: string; truncated: boolean } {
  const max = LIMITS.headChars + LIMITS.tailChars;
  if (s.length <= max) return { text: s, truncated: false };
  return { text: `${s.slice(0, LIMITS.headChars)}\n…\n${s.slice(s.length - LIMITS.tailChars)}`, truncated: true };
}

const TYPOGRAPHIC = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u2018\u2019\u201A\u201B\u2032\u00A0\u2028\u2029]/g;
const PLAIN: Record<string, string> = {
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u00A0': ' ',
  '\u2028': '\n',
  '\u2029': '\n',
};

/** Word processors and chat tools turn straight quotes into typographic ones; JSON needs them straight. */
export function straightenQuotes(s: string): string {
  TYPOGRAPHIC.lastIndex = 0;
  return TYPOGRAPHIC.test(s) ? s.replace(TYPOGRAPHIC, (c) => PLAIN[c] ?? c) : s;
}

export function looksLikeHtml(s: string): boolean {
  return /<(?:!doctype|html|head|body|title|div|p|h[1-6]|pre|span)\b/i.test(s.slice(0, 4096)) || /<\/(?:html|body|div|p|h[1-6]|title)>/i.test(s);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
  '#x27': "'",
  '#34': '"',
  '#x2F': '/',
  '#47': '/',
};

/** The words a person sees on an HTML error page, which is where Xero's login errors live. */
export function htmlToText(s: string): string {
  return s
    .replace(/<(script|style)\b[^>]*>[^]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[^]*?-->/g, ' ')
    .replace(/<br\s*\/?>|<\/(?:p|div|h[1-6]|li|tr|title|pre)>/gi, '\n')
    .replace(/<[^<>]{0,2000}>/g, ' ')
    .replace(/&(#x?[0-9a-f]{1,6}|[a-z]{2,6});/gi, (m, e: string) => {
      const known = ENTITIES[e] ?? ENTITIES[e.toLowerCase()];
      if (known !== undefined) return known;
      if (e.startsWith('#')) {
        const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
      }
      return m;
    })
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n');
}

/** Xero errors are ASCII; a string that is mostly control characters or replacement marks is binary noise. */
export function looksBinary(s: string): boolean {
  const sample = s.length > 512 ? s.slice(0, 512) : s;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) odd++;
  }
  return sample.length > 16 && odd * 4 > sample.length;
}
