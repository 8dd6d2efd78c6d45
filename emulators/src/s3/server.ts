// The HTTP side of the S3 emulator: path-style object routes (`/<bucket>/<key>`: PUT, GET, HEAD,
// DELETE) signed with SigV4, anonymous public reads under `/public/<bucket>/<key>` (what an R2
// custom domain serves), the /__control API, and S3's XML errors. Bodies are bytes, which is why
// this does not reuse http.ts's startServer (JSON bodies).
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultQueue } from '../faults.js';
import { STATUS_TEXT, sendJson, type RecordedRequest } from '../http.js';
import { headerText, verifySigV4 } from './sigv4.js';

export interface S3Object {
  bytes: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
  cacheControl?: string;
}

export interface S3State {
  accessKeyId: string;
  secretAccessKey: string;
  /** bucket → key → object; only these buckets exist (NoSuchBucket otherwise). */
  buckets: Map<string, Map<string, S3Object>>;
  faults: FaultQueue;
  requests: RecordedRequest[];
}

const MAX_RECORDED = 500;
const MAX_OBJECT_BYTES = 50 * 1024 * 1024;
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const FAULT_CODES: Record<number, string> = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  404: 'NoSuchKey',
  429: 'SlowDown',
  500: 'InternalError',
  501: 'NotImplemented',
  503: 'SlowDown',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const xmlEscape = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** S3's error document; HEAD answers carry no body, as on S3. */
export function sendError(
  res: ServerResponse,
  method: string,
  status: number,
  code: string,
  message: string,
  fields: Record<string, string> = {},
): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const extra = Object.entries(fields)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  const body =
    method === 'HEAD'
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
  });
  res.end(body);
}

async function readBytes(req: IncomingMessage): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_OBJECT_BYTES)
      tooLarge = true; // keep reading: the client waits to send it all
    else chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), tooLarge };
}

function record(state: S3State, req: IncomingMessage, method: string, url: URL, bytes: Buffer): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !SECRET_HEADERS.has(name))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body = bytes.length > 0 ? { bytes: bytes.length } : null;
  state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });
  if (state.requests.length > MAX_RECORDED) state.requests.splice(0, state.requests.length - MAX_RECORDED);
}

/** Applies a queued fault; true when it already answered (or hung) the request. */
async function applyFault(state: S3State, target: string, res: ServerResponse, method: string): Promise<boolean> {
  const fault = state.faults.take(target);
  if (!fault) return false;
  if (fault.hang) return true; // the server's close() destroys the socket
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.malformed) {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Err');
    return true;
  }
  if (fault.status === undefined) return false;
  if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter));
  const message = `${STATUS_TEXT[fault.status] ?? 'Error'} (injected by the s3 emulator)`;
  sendError(res, method, fault.status, FAULT_CODES[fault.status] ?? 'InternalError', message);
  return true;
}

function sendObject(res: ServerResponse, method: string, object: S3Object): void {
  res.writeHead(200, {
    'content-type': object.contentType,
    'content-length': object.bytes.length,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    ...(object.cacheControl ? { 'cache-control': object.cacheControl } : {}),
  });
  res.end(method === 'HEAD' ? undefined : object.bytes);
}

/** The signed S3 API on one object. */
function objectApi(
  state: S3State,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  bucket: string,
  key: string,
  bytes: Buffer,
) {
  const objects = state.buckets.get(bucket);
  if (!objects)
    return sendError(res, method, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  if (method === 'PUT') {
    if (
      /STREAMING-/.test(headerText(req, 'x-amz-content-sha256') ?? '') ||
      /aws-chunked/.test(headerText(req, 'content-encoding') ?? '')
    ) {
      return sendError(
        res,
        method,
        501,
        'NotImplemented',
        'aws-chunked uploads are not emulated; send the body with a Content-Length.',
      );
    }
    const claimed = headerText(req, 'x-amz-content-sha256');
    if (claimed && /^[0-9a-f]{64}$/.test(claimed) && claimed !== createHash('sha256').update(bytes).digest('hex')) {
      return sendError(
        res,
        method,
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    objects.set(key, {
      bytes,
      contentType: headerText(req, 'content-type') ?? 'binary/octet-stream',
      etag,
      lastModified: new Date(),
      cacheControl: headerText(req, 'cache-control'),
    });
    res.writeHead(200, { etag, 'content-length': 0 });
    return res.end();
  }
  if (method === 'DELETE') {
    objects.delete(key); // 204 whether or not it existed, as on S3
    res.writeHead(204);
    return res.end();
  }
  if (method === 'GET' || method === 'HEAD') return serveObject(state, res, method, bucket, key);
  sendError(res, method, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
}

function serveObject(state: S3State, res: ServerResponse, method: string, bucket: string, key: string) {
  const object = state.buckets.get(bucket)?.get(key);
  if (object) return sendObject(res, method, object);
  sendError(res, method, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
}

function control(state: S3State, res: ServerResponse, route: string, bytes: Buffer): void {
  if (route === 'GET /__control/requests') return sendJson(res, 200, state.requests);
  if (route === 'GET /__control/faults') return sendJson(res, 200, state.faults.pending());
  if (route === 'GET /__control/objects') {
    const list = [...state.buckets].flatMap(([bucket, objects]) =>
      [...objects].map(([key, o]) => ({ bucket, key, size: o.bytes.length, contentType: o.contentType })),
    );
    return sendJson(res, 200, list);
  }
  if (route === 'POST /__control/reset') {
    resetState(state);
    return sendJson(res, 200, { ok: true });
  }
  if (route === 'POST /__control/faults') {
    try {
      const parsed = bytes.length > 0 ? (JSON.parse(bytes.toString('utf8')) as unknown) : {};
      const specs = Array.isArray(parsed) ? parsed : [parsed];
      if (specs.some((s) => typeof s !== 'object' || s === null)) throw new Error('a fault is a JSON object');
      for (const spec of specs) state.faults.add(spec as object);
      return sendJson(res, 201, { queued: specs.length, pending: state.faults.pending() });
    } catch (err) {
      return sendJson(res, 400, { error: (err as Error).message });
    }
  }
  sendJson(res, 404, { error: `no control route ${route}` });
}

/** Empties every bucket and clears faults and recordings. */
export function resetState(state: S3State): void {
  for (const objects of state.buckets.values()) objects.clear();
  state.faults.clear();
  state.requests.length = 0; // in place: callers may hold the array
}

export async function serve(state: S3State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const { bytes, tooLarge } = await readBytes(req);
  const at = url.pathname.indexOf('/__control/');
  if (at >= 0) return control(state, res, `${method} ${url.pathname.slice(at)}`, bytes);
  record(state, req, method, url, bytes);
  const segments = url.pathname.split('/').slice(1);
  const isPublic = segments[0] === 'public';
  const [bucket, ...rest] = (isPublic ? segments.slice(1) : segments).map((s) => decodeURIComponent(s));
  const key = rest.join('/');

  if (isPublic) {
    if (method !== 'GET' && method !== 'HEAD')
      return sendError(res, method, 405, 'MethodNotAllowed', 'Public reads only.');
    if (await applyFault(state, url.pathname + url.search, res, method)) return;
    return serveObject(state, res, method, bucket ?? '', key);
  }
  // Credentials first, as on S3: an unsigned or wrongly signed request learns nothing else.
  const auth = verifySigV4(req, bytes, state);
  if (!auth.ok)
    return sendError(res, method, auth.code === 'AuthorizationHeaderMalformed' ? 400 : 403, auth.code, auth.message);
  if (await applyFault(state, url.pathname + url.search, res, method)) return;
  if (tooLarge)
    return sendError(
      res,
      method,
      400,
      'EntityTooLarge',
      'Your proposed upload exceeds the maximum allowed size (emulator: 50 MB).',
    );
  if (!bucket || !key)
    return sendError(res, method, 501, 'NotImplemented', 'Only object operations (/<bucket>/<key>) are emulated.');
  objectApi(state, req, res, method, bucket, key, bytes);
}
