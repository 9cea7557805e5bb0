/**
 * Where JSON text stops being JSON: the offset and what was found there. JSON.parse's own message
 * names a position only on some Node versions; the converter must name it on all of them.
 * findJsonFault recurses once per level of nesting: run findTooDeep first, which does not.
 */
export interface JsonFault {
  offset: number;
  found: string;
}

export function findJsonFault(text: string): JsonFault | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fault = (): never => {
    throw { offset: i, found: i < text.length ? JSON.stringify(text[i]) : 'the end of the file' } satisfies JsonFault;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fault();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fault();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fault();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fault();
      }
      i++;
    }
    if (i >= text.length) fault();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fault();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fault();
        string();
        ws();
        if (text[i] !== ':') fault();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fault();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fault();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fault();
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    ws();
    if (i < text.length) fault();
    return null;
  } catch (thrown) {
    if (thrown && typeof thrown === 'object' && 'offset' in thrown) return thrown as JsonFault;
    throw thrown;
  }
}

/**
 * The offset of the first `[` or `{` that nests deeper than `limit`, or null. One pass, no recursion, so a
 * file of any depth is measured safely; JSON.stringify and findJsonFault recurse per level and would overflow
 * the stack on the 200,000-level `pinData` the attack review planted.
 */
export function findTooDeep(text: string, limit: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > limit) return i;
    } else if (c === ']' || c === '}') depth--;
  }
  return null;
}
