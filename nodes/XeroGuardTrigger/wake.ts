/**
 * The trigger nodes of this n8n process reading each app inbox, told at once when this process's
 * webhook appended to it (other processes find it on their next read, a few seconds later).
 */
const readers = new Map<string, Set<() => void>>();

export function onAppended(inbox: string, read: () => void): () => void {
  const own = readers.get(inbox) ?? new Set<() => void>();
  own.add(read);
  readers.set(inbox, own);
  return () => {
    own.delete(read);
    if (own.size === 0) readers.delete(inbox);
  };
}

export function appended(inbox: string): void {
  readers.get(inbox)?.forEach((read) => read());
}
