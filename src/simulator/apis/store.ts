/**
 * The generic store: per organisation and API, the records of every collection the API's operations
 * work on, keyed by the collection's concrete path (`/employees/<id>/leave`) and the record's id.
 * A collection is filled with the document's own examples the first time it is read, so a fresh
 * organisation has payroll, projects, files and assets to look at; a collection below a record the
 * client made itself starts empty.
 */
import type { XeroApiId } from '../../xero/operations';
import type { Replay } from '../idempotency';
import type { XRecord } from './records';

export interface StoredFile {
  bytes: Buffer;
  mimeType: string;
}

export class ApiBook {
  /** Concrete collection path -> id (lower case) -> record, in insertion order. */
  readonly collections = new Map<string, Map<string, XRecord>>();
  readonly singletons = new Map<string, XRecord>();
  /** Concrete collection paths already filled from the examples (or deliberately left empty). */
  readonly seeded = new Set<string>();
  /** Records that came from the examples: only their sub-collections are filled from examples too. */
  readonly fromExamples = new Set<XRecord>();
  /** The Files API's file contents, by file id (lower case). */
  readonly files = new Map<string, StoredFile>();
  readonly idempotency = new Map<string, Replay>();
  private sequence = 0;

  constructor(
    readonly api: XeroApiId,
    readonly tenantId: string,
  ) {}

  collection(key: string): Map<string, XRecord> {
    let c = this.collections.get(key);
    if (!c) {
      c = new Map();
      this.collections.set(key, c);
    }
    return c;
  }

  /** A key for a record that has no id of its own (a cash validation line, an employment). */
  nextKey(): string {
    return `#${++this.sequence}`;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, c] of this.collections) out[key] = c.size;
    return out;
  }
}

export class ApiStore {
  private readonly books = new Map<string, ApiBook>();

  book(api: XeroApiId, tenantId: string): ApiBook {
    const key = `${api} ${tenantId.toLowerCase()}`;
    let b = this.books.get(key);
    if (!b) {
      b = new ApiBook(api, tenantId);
      this.books.set(key, b);
    }
    return b;
  }

  /** Every API's books of an organisation back to the documents' examples. */
  reset(tenantId: string): void {
    for (const [key, b] of this.books) if (b.tenantId.toLowerCase() === tenantId.toLowerCase()) this.books.delete(key);
  }
}
