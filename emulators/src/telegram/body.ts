// Reading a Bot API request into Params: JSON, urlencoded form, query string, or multipart/form-data
// (a small parser: grammY writes its parts as `content-disposition:form-data;name="x";filename=y`
// with no spaces and an unquoted filename, which stricter parsers reject).
import type { IncomingMessage } from 'node:http';
import { Params, type UploadedFile } from './params.js';

/** Telegram refuses uploads over 50 MB; a little more is read so the 413 is ours, not a reset. */
export const MAX_REQUEST_BYTES = 50 * 1024 * 1024 + 64 * 1024;

export async function readRaw(req: IncomingMessage): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES)
      tooLarge = true; // keep draining so the client sees our answer
    else chunks.push(chunk);
  }
  return { bytes: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge };
}

/** Parses the body by content type; the query string fills in whatever the body leaves unset. */
export function toParams(contentType: string | undefined, bytes: Buffer, query: URLSearchParams): Params {
  const type = (contentType ?? '').toLowerCase();
  const values: Record<string, unknown> = Object.fromEntries(query);
  let files = new Map<string, UploadedFile>();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
    if (boundary) {
      const parsed = parseMultipart(bytes, boundary[1] ?? boundary[2]!);
      Object.assign(values, parsed.fields);
      files = parsed.files;
    }
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(values, Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))));
  } else if (bytes.length > 0) {
    // Telegram reads a body without a content type as JSON too; garbage is treated as no parameters.
    try {
      const json = JSON.parse(bytes.toString('utf8')) as unknown;
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) Object.assign(values, json);
    } catch {
      /* no parameters */
    }
  }
  return new Params(values, files);
}

function headerValue(headers: string, name: string): string | undefined {
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}

function dispositionParam(disposition: string, key: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"([^"]*)"|([^;]*))`, 'i').exec(disposition);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').trim();
}

export function parseMultipart(body: Buffer, boundary: string) {
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break; // closing "--boundary--"
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) break;
    const headers = body.toString('utf8', at, headerEnd);
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    const end = next < 0 ? body.length : next;
    const content = body.subarray(headerEnd + 4, end);
    const disposition = headerValue(headers, 'content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    const filename = dispositionParam(disposition, 'filename');
    if (name !== undefined) {
      if (filename !== undefined) {
        files.set(name, { filename, contentType: headerValue(headers, 'content-type'), bytes: Buffer.from(content) });
      } else {
        fields[name] = content.toString('utf8');
      }
    }
    if (next < 0) break;
    at = next + 2;
  }
  return { fields, files };
}
