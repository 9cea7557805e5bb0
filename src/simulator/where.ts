import { wireMs, type XRecord } from './accounting/values';

/**
 * A useful subset of Xero's `where` syntax (developer.xero.com "Filtering"): comparisons
 * (== != > >= < <=), AND / OR / && / ||, NOT, parentheses, dotted paths (Contact.ContactID),
 * strings, numbers, true/false/null, DateTime(y,m,d[,h,m,s]), Guid("..."), and the string methods
 * Contains, StartsWith, EndsWith, with ToLower()/ToUpper(). Anything else is a QueryParseException,
 * as at Xero.
 */
export class WhereError extends Error {}

type Value = string | number | boolean | null;
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node }
  | { kind: 'cmp'; op: string; path: string[]; fold: 'lower' | 'upper' | null; value: Value }
  | { kind: 'call'; method: 'Contains' | 'StartsWith' | 'EndsWith'; path: string[]; fold: 'lower' | 'upper' | null; value: string }
  | { kind: 'truthy'; path: string[] };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|"((?:[^"\\]|\\.)*)"|(==|!=|>=|<=|&&|\|\||[<>=!().,])|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new WhereError(`Unexpected character at position ${at + 1}`);
    if (m[1] !== undefined) out.push(`#${m[1]}`);
    else if (m[2] !== undefined) out.push(`"${m[2].replace(/\\(.)/g, '$1')}`);
    else out.push(m[3] ?? m[4] ?? '');
    at = TOKEN.lastIndex;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: string[],
    private readonly fields: ReadonlySet<string>,
    private readonly typeName: string,
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.i < this.tokens.length) throw new WhereError(`Syntax error near '${this.tokens[this.i] ?? ''}'`);
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private take(expected?: string): string {
    const t = this.tokens[this.i++];
    if (t === undefined || (expected !== undefined && t !== expected))
      throw new WhereError(`Expected '${expected ?? 'a value'}' but found ${t === undefined ? 'the end' : `'${t}'`}`);
    return t;
  }

  private or(): Node {
    let left = this.and();
    while (this.peek() === '||' || this.peek()?.toUpperCase() === 'OR') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peek() === '&&' || this.peek()?.toUpperCase() === 'AND') {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek() === '!' || this.peek()?.toUpperCase() === 'NOT') {
      this.i++;
      return { kind: 'not', inner: this.unary() };
    }
    if (this.peek() === '(') {
      this.i++;
      const inner = this.or();
      this.take(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Node {
    const path = [this.ident()];
    let fold: 'lower' | 'upper' | null = null;
    while (this.peek() === '.') {
      this.i++;
      const name = this.ident();
      if (name === 'Contains' || name === 'StartsWith' || name === 'EndsWith') {
        this.take('(');
        const arg = this.take();
        if (!arg.startsWith('"')) throw new WhereError(`${name} takes a string`);
        this.take(')');
        this.checkField(path);
        return { kind: 'call', method: name, path, fold, value: arg.slice(1) };
      }
      if (name === 'ToLower' || name === 'ToUpper') {
        this.take('(');
        this.take(')');
        fold = name === 'ToLower' ? 'lower' : 'upper';
        continue;
      }
      path.push(name);
    }
    this.checkField(path);
    const op = this.peek();
    if (op === '==' || op === '!=' || op === '>' || op === '>=' || op === '<' || op === '<=' || op === '=') {
      this.i++;
      return { kind: 'cmp', op: op === '=' ? '==' : op, path, fold, value: this.value() };
    }
    return { kind: 'truthy', path };
  }

  private ident(): string {
    const t = this.take();
    if (!/^[A-Za-z_]/.test(t)) throw new WhereError(`Expected a field name but found '${t}'`);
    return t;
  }

  private checkField(path: string[]): void {
    const top = path[0] ?? '';
    if (!this.fields.has(top)) throw new WhereError(`No property or field '${top}' exists in type '${this.typeName}'`);
  }

  private value(): Value {
    const t = this.take();
    if (t.startsWith('#')) return Number(t.slice(1));
    if (t.startsWith('"')) return t.slice(1);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (t === 'DateTime' || t === 'DateTimeOffset') {
      this.take('(');
      const parts: number[] = [];
      for (;;) {
        const n = this.take();
        if (!n.startsWith('#')) throw new WhereError('DateTime takes numbers: DateTime(2026, 01, 31)');
        parts.push(Number(n.slice(1)));
        if (this.peek() === ',') this.i++;
        else break;
      }
      this.take(')');
      const [y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
      return Date.UTC(y, mo - 1, d, h, mi, s);
    }
    if (t === 'Guid') {
      this.take('(');
      const g = this.take();
      this.take(')');
      if (!g.startsWith('"')) throw new WhereError('Guid takes a string');
      return g.slice(1).toLowerCase();
    }
    throw new WhereError(`Unexpected '${t}'`);
  }
}

function read(record: XRecord, path: string[]): unknown {
  let v: unknown = record;
  for (const p of path) v = v && typeof v === 'object' ? (v as XRecord)[p] : undefined;
  return v;
}

function comparable(v: unknown, against: Value): unknown {
  if (typeof against === 'number') {
    const ms = wireMs(v);
    if (ms !== undefined) return ms;
  }
  if (typeof v === 'string' && typeof against === 'string' && /^[0-9a-f-]{36}$/i.test(v)) return v.toLowerCase();
  return v;
}

function evaluate(node: Node, record: XRecord): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, record) && evaluate(node.right, record);
    case 'or':
      return evaluate(node.left, record) || evaluate(node.right, record);
    case 'not':
      return !evaluate(node.inner, record);
    case 'truthy':
      return Boolean(read(record, node.path));
    case 'call': {
      let v = read(record, node.path);
      if (typeof v !== 'string') return false;
      if (node.fold) v = node.fold === 'lower' ? (v as string).toLowerCase() : (v as string).toUpperCase();
      const s = v as string;
      return node.method === 'Contains' ? s.includes(node.value) : node.method === 'StartsWith' ? s.startsWith(node.value) : s.endsWith(node.value);
    }
    case 'cmp': {
      let v = comparable(read(record, node.path), node.value);
      if (node.fold && typeof v === 'string') v = node.fold === 'lower' ? v.toLowerCase() : v.toUpperCase();
      const w = node.value;
      switch (node.op) {
        case '==':
          return v === w || (v === undefined && w === null);
        case '!=':
          return !(v === w || (v === undefined && w === null));
        default: {
          if (v === undefined || v === null || w === null) return false;
          const a = v as number | string;
          const b = w as number | string;
          return node.op === '>' ? a > b : node.op === '>=' ? a >= b : node.op === '<' ? a < b : a <= b;
        }
      }
    }
  }
}

/** Compiles once per request; throws WhereError with Xero's kind of message. */
export function compileWhere(text: string, fields: ReadonlySet<string>, typeName: string): (record: XRecord) => boolean {
  if (text.length > 4000) throw new WhereError('The where clause is too long');
  const node = new Parser(tokenize(text), fields, typeName).parse();
  return (record) => evaluate(node, record);
}

/** `order=Date DESC,InvoiceNumber` */
export function compileOrder(text: string, fields: ReadonlySet<string>, typeName: string): (a: XRecord, b: XRecord) => number {
  const keys = text.split(',').map((part) => {
    const [field = '', dir = 'ASC'] = part.trim().split(/\s+/);
    if (!fields.has(field.split('.')[0] ?? '')) throw new WhereError(`No property or field '${field}' exists in type '${typeName}'`);
    if (!/^(ASC|DESC)$/i.test(dir)) throw new WhereError(`Order direction '${dir}' must be ASC or DESC`);
    return { path: field.split('.'), sign: dir.toUpperCase() === 'DESC' ? -1 : 1 };
  });
  return (a, b) => {
    for (const k of keys) {
      const va = comparable(read(a, k.path), 0) as number | string | undefined;
      const vb = comparable(read(b, k.path), 0) as number | string | undefined;
      if (va === vb) continue;
      if (va === undefined) return -k.sign;
      if (vb === undefined) return k.sign;
      return va < vb ? -k.sign : k.sign;
    }
    return 0;
  };
}
