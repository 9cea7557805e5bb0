/**
 * multipart/form-data, as the Files API takes an upload (RFC 7578): each part's name, its filename
 * and content type when it has them, and its bytes. Enough for what HTTP clients send (xero-node's
 * form-data, fetch's FormData, n8n's binary uploads); anything it cannot read is `undefined`, which the
 * caller answers with a 400.
 */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

export function parseMultipart(contentType: string | undefined, body: Buffer): FormPart[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!/^multipart\/form-data/i.test(contentType ?? '') || !mark) return undefined;
  const delimiter = Buffer.from(`--${mark.trim()}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    at += delimiter.length;
    // The closing delimiter is followed by "--".
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    const next = body.indexOf(delimiter, headerEnd < 0 ? at : headerEnd);
    if (headerEnd < 0 || next < 0) return undefined;
    const headers = body.subarray(at, headerEnd).toString('utf8');
    // The part's bytes end before the CRLF that precedes the next delimiter.
    const bytes = body.subarray(headerEnd + 4, next - 2);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({ name, bytes: Buffer.from(bytes), ...(filename !== undefined ? { filename } : {}), ...(type ? { contentType: type } : {}) });
    at = next;
  }
}
