/** Longest name kept: a credential name is short; anything longer is pasted text, not a name. */
export const MAX_DISPLAY_NAME_LENGTH = 120;

/**
 * The user's name for a connection as stored: trimmed, inner whitespace and control characters
 * folded to single spaces, cut at MAX_DISPLAY_NAME_LENGTH. Null for no name (empty, blank, not a string).
 */
export function cleanDisplayName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const folded = name.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  if (folded === '') return null;
  return folded.length > MAX_DISPLAY_NAME_LENGTH ? `${folded.slice(0, MAX_DISPLAY_NAME_LENGTH - 1)}…` : folded;
}
