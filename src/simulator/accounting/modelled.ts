/**
 * Which Accounting operations the hand-modelled book answers (handler.ts: its resources, Journals and
 * its reports); the rest of xero_accounting.yaml goes to the generic store (../apis). The book's
 * resources answer every operation below them except these, which need nothing from the book's
 * double entry and are answered from the document.
 */
import type { XeroOperation } from '../../xero/operations';
import { REPORTS } from './reports';
import { RESOURCE_NAMES } from './resources';

const BOOK_ROOTS: ReadonlySet<string> = new Set([...RESOURCE_NAMES.map((r) => r.toLowerCase()), 'journals']);
const REPORT_NAMES: ReadonlySet<string> = new Set(REPORTS.map((r) => r.toLowerCase()));
const ANSWERED_FROM_THE_DOCUMENT: ReadonlySet<string> = new Set(['getContactCISSettings']);

const answered = new WeakMap<XeroOperation, boolean>();

export function bookAnswers(op: XeroOperation): boolean {
  let yes = answered.get(op);
  if (yes === undefined) {
    const [root = '', second = ''] = op.path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => s.toLowerCase());
    yes = root === 'reports' ? REPORT_NAMES.has(second) : BOOK_ROOTS.has(root) && !ANSWERED_FROM_THE_DOCUMENT.has(op.operationId);
    answered.set(op, yes);
  }
  return yes;
}
