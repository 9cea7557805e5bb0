/**
 * Text of unknown origin shown in a terminal: an organisation's name, a chain's reason, a workflow's node
 * names, a file name, a server's answer. A terminal obeys control characters wherever they come from:
 * an escape sequence retitles the window, clears the screen, moves the cursor, writes the clipboard; a
 * carriage return overwrites what was printed; a newline fakes a row of a table; a bidi override shows
 * text in another order than it has. Each such character is shown as its JSON escape (`\u001b`, `\n`),
 * so the text stays readable, nothing is lost, and JSON printed through here stays JSON with the same value.
 */

/** C0 controls, DEL, C1 controls (U+009B is CSI to some terminals), line and paragraph separators, bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is what this is for
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOne = (c: string): string => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One value (a name, a reason) for a line of output: every control character escaped, line breaks and tabs too. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, escapeOne);
}

/**
 * A whole block of output whose own layout uses line breaks and tabs (a table, a help text, a tab-separated
 * listing): those two are kept, every other control character is escaped. Values inside it should have
 * gone through escapeControls already, so a name cannot add a line or a column.
 */
export function escapeControlsInLines(text: string): string {
  return text.replace(CONTROLS, (c) => (c === '\n' || c === '\t' ? c : escapeOne(c)));
}
