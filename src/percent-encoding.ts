/** Percent decoding that never throws, for text of unknown origin (error bodies, log lines, query strings). */

/** decodeURIComponent that never throws: malformed escapes stay as they are. */
export function percentDecode(s: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  return spaced.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
  });
}

/** Values get encoded once per hop (a query string inside a JSON field inside a log line): undo up to three. */
export function percentDecodeAll(s: string, plusIsSpace: boolean): string {
  let out = s;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(out); i++) {
    const next = percentDecode(out, plusIsSpace);
    if (next === out) break;
    out = next;
  }
  return out;
}
