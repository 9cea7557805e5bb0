/**
 * The three response headers the rules need (Retry-After, X-Rate-Limit-Problem, Xero-Correlation-Id),
 * read wherever an SDK printed its response's headers: Python's dict (`'Retry-After': '37'`), Ruby's
 * hash (`"retry-after"=>"27"`, Ruby 3.4's `"retry-after" => "27"`), Java's map (`Retry-After=[27]`),
 * Go's (`map[Retry-After:[27]]`), PHP's print_r and var_export (`[Retry-After] => Array ( [0] => 27 )`),
 * Elixir's tuples, JSON. Rather than a pattern per printer, the kind: the header's name, a short run of
 * punctuation holding a separator (`:`, `=`, `=>`, `,`, `]`), PHP's one-element array if there is one,
 * then a value of the shape that header has. (A `Name: value` line of raw HTTP is read before this, in
 * normalise.ts.) Linear: every attempt starts at a header name and every gap is bounded.
 */

const PRINTED_HEADER = new RegExp(
  String.raw`(retry-after|x-rate-limit-problem|xero-correlation-id)(?![\w-])` +
    // The separator, with the quotes and brackets printers put around names and values.
    String.raw`[^\w\n]{0,8}[:=,>\]][^\w\n]{0,8}` +
    // PHP: `Array\n(\n    [0] => 27` (print_r) or `array (\n  0 => '27'` (var_export).
    String.raw`(?:\s{0,40}array\s{0,40}\(\s{0,40}\[?0\]?\s{0,4}=>\s{0,4}['"]?)?` +
    String.raw`(\d{1,9}(?!\d)|(?:mon|tue|wed|thu|fri|sat|sun), \d{1,2} [a-z]{3} \d{4} \d{2}:\d{2}:\d{2} gmt|[a-z]{2,20}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b`,
  'gi',
);

/** What each header's value looks like; a value of another shape is the printer's noise, not the header. */
const SHAPE: Readonly<Record<string, RegExp>> = {
  'retry-after': /^(?:\d+|[a-z]{3}, .+ gmt)$/i,
  'x-rate-limit-problem': /^[a-z]+$/i,
  'xero-correlation-id': /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

/** Sets each header found in `text` that `headers` does not hold yet (the first printing wins). */
export function readPrintedHeaders(text: string, headers: Record<string, string>): void {
  PRINTED_HEADER.lastIndex = 0;
  let n = 0;
  for (let m = PRINTED_HEADER.exec(text); m !== null && n < 20; m = PRINTED_HEADER.exec(text), n++) {
    const name = m[1].toLowerCase();
    if (headers[name] === undefined && SHAPE[name]?.test(m[2]) === true) headers[name] = m[2];
  }
}
