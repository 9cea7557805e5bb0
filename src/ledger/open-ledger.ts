/** Ledgers that connect to a server can be opened ahead of first use, to fail at startup with a clear message. */
export interface Openable {
  open(): Promise<void>;
}

export function isOpenable(value: unknown): value is Openable {
  return !!value && typeof (value as Partial<Openable>).open === 'function';
}

/** Connects a ledger now (tables created, persistence checked); backends without a connection do nothing. */
export async function openLedger(ledger: unknown): Promise<void> {
  if (isOpenable(ledger)) await ledger.open();
}
