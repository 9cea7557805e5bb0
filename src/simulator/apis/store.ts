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

/** What a state file keeps of one API's book for one organisation (state-file.ts). */
export interface ApiBookState {
  api: XeroApiId;
  tenantId: string;
  collections: Map<string, Map<string, XRecord>>;
  singletons: Map<string, XRecord>;
  seeded: Set<string>;
  fromExamples: Set<XRecord>;
  files: Map<string, StoredFile>;
  idempotency: Map<string, Replay>;
  sequence: number;
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

  /** `kept`: the book as a state file kept it (state-file.ts). */
  constructor(
    readonly api: XeroApiId,
    readonly tenantId: string,
    kept?: ApiBookState,
  ) {
    if (kept) {
      this.collections = kept.collections;
      this.singletons = kept.singletons;
      this.seeded = kept.seeded;
      this.fromExamples = kept.fromExamples;
      this.files = kept.files;
      this.idempotency = kept.idempotency;
      this.sequence = kept.sequence;
    }
  }

  /** The live parts, not copies: a state file writes them in one piece (a record from the examples stays the same record). */
  snapshot(): ApiBookState {
    const { api, tenantId, collections, singletons, seeded, fromExamples, files, idempotency, sequence } = this;
    return { api, tenantId, collections, singletons, seeded, fromExamples, files, idempotency, sequence };
  }

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
    const key = bookKey(api, tenantId);
    let b = this.books.get(key);
    if (!b) {
      b = new ApiBook(api, tenantId);
      this.books.set(key, b);
    }
    return b;
  }

  snapshot(): ApiBookState[] {
    return [...this.books.values()].map((book) => book.snapshot());
  }

  /** Puts back the books a state file kept, as they were. */
  restore(books: ApiBookState[]): void {
    this.books.clear();
    for (const state of books) this.books.set(bookKey(state.api, state.tenantId), new ApiBook(state.api, state.tenantId, state));
  }

  /** Every API's books of an organisation back to the documents' examples. */
  reset(tenantId: string): void {
    for (const [key, b] of this.books) if (b.tenantId.toLowerCase() === tenantId.toLowerCase()) this.books.delete(key);
  }
}

const bookKey = (api: XeroApiId, tenantId: string): string => `${api} ${tenantId.toLowerCase()}`;
