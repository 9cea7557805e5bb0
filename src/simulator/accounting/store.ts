import type { Replay } from '../idempotency';
import type { XRecord } from './values';

/** A change Xero sends a webhook for (a contact, invoice or credit note created or updated), as it happened. */
export interface RecordChange {
  category: 'CONTACT' | 'INVOICE' | 'CREDITNOTE';
  resourceId: string;
  type: 'CREATE' | 'UPDATE';
  /** The record's new UpdatedDateUTC, epoch ms. */
  at: number;
  /** Credit notes: their Type and Status after the change (what Xero's event carries). */
  data?: { Type: string; Status: string };
}

export interface StoredAttachment {
  meta: { AttachmentID: string; FileName: string; Url: string; MimeType: string; ContentLength: number; IncludeOnline?: boolean };
  bytes: Buffer;
}

/** What a state file keeps of one organisation's book (state-file.ts); pending webhook changes are not kept. */
export interface TenantBookState {
  tenantId: string;
  collections: Map<string, Map<string, XRecord>>;
  attachments: Map<string, StoredAttachment[]>;
  history: Map<string, XRecord[]>;
  journals: XRecord[];
  idempotency: Map<string, Replay>;
  numbers: Map<string, string>;
  counters: Map<string, number>;
}

/** One organisation's books: every record in creation order, as Xero would answer it. */
export class TenantBook {
  readonly collections = new Map<string, Map<string, XRecord>>();
  readonly attachments = new Map<string, StoredAttachment[]>();
  readonly history = new Map<string, XRecord[]>();
  readonly journals: XRecord[] = [];
  readonly idempotency = new Map<string, Replay>();
  /** `Invoices:INV-0001` -> id: document numbers that must be unique, without scanning thousands of records. */
  readonly numbers = new Map<string, string>();
  /** Changes noted while a call (or a seed) runs, published as webhooks once it is done (AccountingApi.publishChanges). */
  readonly changes: RecordChange[] = [];
  private readonly counters = new Map<string, number>();

  /** `kept`: the book as a state file kept it (state-file.ts). */
  constructor(
    readonly tenantId: string,
    kept?: TenantBookState,
  ) {
    if (kept) {
      this.collections = kept.collections;
      this.attachments = kept.attachments;
      this.history = kept.history;
      this.journals = kept.journals;
      this.idempotency = kept.idempotency;
      this.numbers = kept.numbers;
      this.counters = kept.counters;
    }
  }

  /** The live parts, not copies: a state file writes them in one piece. */
  snapshot(): TenantBookState {
    const { tenantId, collections, attachments, history, journals, idempotency, numbers, counters } = this;
    return { tenantId, collections, attachments, history, journals, idempotency, numbers, counters };
  }

  collection(name: string): Map<string, XRecord> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  next(counter: string): number {
    const n = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, n);
    return n;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.collections) out[name] = c.size;
    out.Journals = this.journals.length;
    out.Attachments = [...this.attachments.values()].reduce((s, l) => s + l.length, 0);
    return out;
  }
}

/** Every tenant's book, created (with a chart of accounts and tax rates) on first use. */
export class AccountingStore {
  private readonly books = new Map<string, TenantBook>();

  constructor(private readonly initialise: (book: TenantBook) => void) {}

  book(tenantId: string): TenantBook {
    let b = this.books.get(tenantId);
    if (!b) {
      b = new TenantBook(tenantId);
      this.books.set(tenantId, b);
      this.initialise(b);
    }
    return b;
  }

  reset(tenantId: string): void {
    this.books.delete(tenantId);
  }

  snapshot(): TenantBookState[] {
    return [...this.books.values()].map((book) => book.snapshot());
  }

  /** Puts back the books a state file kept, as they were (a kept book is not initialised again). */
  restore(books: TenantBookState[]): void {
    this.books.clear();
    for (const state of books) this.books.set(state.tenantId, new TenantBook(state.tenantId, state));
  }
}
