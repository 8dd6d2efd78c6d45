// Shared plumbing for the emulators: a node:http server, JSON bodies, request recording, the
// /__control API that tests in other processes use, and applying the faults of faults.ts before a
// request reaches the provider's handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue, type FaultSpec } from './faults.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; credentials (authorization, xi-api-key, cookie) are never kept. */
  headers: Record<string, string>;
  /** Parsed JSON, the raw text when it is not JSON, or null when empty. */
  body: unknown;
}

export interface Emulator {
  name: string;
  /** Base URL as the product's configuration wants it (OPENROUTER_BASE_URL, FAL_BASE_URL, ...). */
  url: string;
  port: number;
  close(): Promise<void>;
  faults: FaultQueue;
  /** Newest last; the same array the control API reads, capped so a long-running stack stays small. */
  requests: RecordedRequest[];
  /** Clears faults and recordings (and the emulator's own state), like POST /__control/reset. */
  reset(): void;
}

export interface EmulatorOptions {
  port?: number;
  host?: string;
}

const SECRET_HEADERS = new Set(['authorization', 'xi-api-key', 'cookie', 'proxy-authorization']);
const MAX_RECORDED = 500;
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What a route handler gets: the parsed request and helpers that answer in the provider's shape. */
export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The origin the client used to reach us, for URLs we hand back (status_url, image URLs). */
  origin: string;
  /** Per-request scratch space (OpenRouter keeps its fallback position here). */
  locals: Record<string, unknown>;
}

export interface ServerSpec {
  name: string;
  /** Builds `Emulator.url` from the listening origin. */
  baseUrl: (origin: string) => string;
  /** The provider's error body for a status. */
  errorBody: (status: number, message: string) => unknown;
  /** Checks credentials like the real service; returns the 401 message, or undefined when fine. */
  authenticate?: (ctx: Context) => string | undefined;
  /** Answers a request that no fault ended. */
  handle: (ctx: Context) => Promise<void> | void;
  /** The body a `malformed` fault sends for this path (default: truncated JSON). */
  malformed?: (ctx: Context) => { contentType: string; body: string | Buffer };
  /** Returns true to swallow a status fault and carry on (OpenRouter's model fallback). */
  absorbFault?: (ctx: Context, fault: FaultSpec) => boolean;
  /** The emulator's own /__control routes (ctx.path starts at /__control/); true when it answered. */
  control?: (ctx: Context) => boolean;
  /** Restores the emulator's own state on reset, besides the faults and recordings. */
  reset?: () => void;
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendBytes(res: ServerResponse, status: number, contentType: string, body: Buffer | string) {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The body as text; past `maxBytes` it stops reading and says so (the caller answers 413). */
export async function readBody(
  req: IncomingMessage,
  maxBytes = MAX_BODY_BYTES,
): Promise<{ raw: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return { raw: '', tooLarge: true };
    chunks.push(chunk);
  }
  return { raw: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

function parseBody(raw: string): { body: unknown; invalid: boolean } {
  if (raw.trim() === '') return { body: null, invalid: false };
  try {
    return { body: JSON.parse(raw) as unknown, invalid: false };
  } catch {
    return { body: raw, invalid: true };
  }
}

/**
 * Keeps a request for GET /__control/requests, without the `secretHeaders` (default: credentials),
 * dropping the oldest past MAX_RECORDED.
 */
export function recordRequest(
  requests: RecordedRequest[],
  req: IncomingMessage,
  entry: { method: string; path: string; query: URLSearchParams; body: unknown },
  secretHeaders: ReadonlySet<string> = SECRET_HEADERS,
) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || secretHeaders.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  requests.push({
    method: entry.method,
    path: entry.path,
    query: Object.fromEntries(entry.query),
    headers,
    body: entry.body,
  });
  if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
}

/**
 * The /__control routes every emulator has (requests, faults, reset) for `route` ("POST
 * /__control/faults") and its parsed JSON body; false when the route is none of them.
 */
export function answerSharedControl(res: ServerResponse, route: string, body: unknown, emulator: Emulator): boolean {
  const answer = (status: number, value: unknown) => {
    sendJson(res, status, value);
    return true;
  };
  if (route === 'GET /__control/requests') return answer(200, emulator.requests);
  if (route === 'GET /__control/faults') return answer(200, emulator.faults.pending());
  if (route === 'POST /__control/reset') {
    emulator.reset();
    return answer(200, { ok: true });
  }
  if (route !== 'POST /__control/faults') return false;
  const specs = Array.isArray(body) ? (body as unknown[]) : [body ?? {}];
  try {
    for (const spec of specs) {
      if (typeof spec !== 'object' || spec === null) throw new Error('a fault is a JSON object');
    }
    for (const spec of specs as FaultSpec[]) emulator.faults.add(spec);
  } catch (err) {
    return answer(400, { error: (err as Error).message });
  }
  return answer(201, { queued: specs.length, pending: emulator.faults.pending() });
}

function control(ctx: Context, emulator: Emulator, spec: ServerSpec): void {
  const route = `${ctx.method} ${ctx.path}`;
  if (answerSharedControl(ctx.res, route, ctx.body, emulator)) return;
  if (spec.control?.(ctx)) return;
  sendJson(ctx.res, 404, { error: `no control route ${route}` });
}

/**
 * A fault's first steps: `hang` leaves the request unanswered (close() ends it), else its delay
 * passes and a `malformed` one answers 200 with `malformed()`'s body. Then: 'done' (answered or
 * hung), 'status' (its status is still to be answered: `answerFaultStatus`), or 'pass' (it was
 * only a delay: answer normally).
 */
export async function startFault(
  fault: FaultSpec,
  res: ServerResponse,
  malformed: () => { contentType: string; body: string | Buffer },
): Promise<'done' | 'status' | 'pass'> {
  if (fault.hang) return 'done'; // the server's close() destroys the socket
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.malformed) {
    const bad = malformed();
    sendBytes(res, 200, bad.contentType, bad.body);
    return 'done';
  }
  return fault.status === undefined ? 'pass' : 'status';
}

/** Answers an injected status in the provider's error shape; a 429 carries Retry-After 1 unless set. */
export function answerFaultStatus(
  res: ServerResponse,
  fault: FaultSpec & { status: number },
  spec: Pick<ServerSpec, 'name' | 'errorBody'>,
  headers: Record<string, string> = {},
) {
  const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : undefined);
  const all: Record<string, string> = { ...headers };
  if (retryAfter !== undefined) all['retry-after'] = String(retryAfter);
  const message = `${STATUS_TEXT[fault.status] ?? 'Error'} (injected by the ${spec.name} emulator)`;
  sendJson(res, fault.status, spec.errorBody(fault.status, message), all);
}

async function serve(spec: ServerSpec, emulator: Emulator, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const { raw, tooLarge } = await readBody(req);
  const { body, invalid } = parseBody(raw);
  const ctx: Context = {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    body,
    origin: `http://${req.headers.host ?? new URL(emulator.url).host}`,
    locals: {},
  };
  // Control routes answer at the origin and under the base URL alike (`${url}/__control/...`).
  const controlAt = ctx.path.indexOf('/__control/');
  if (controlAt >= 0) return control({ ...ctx, path: ctx.path.slice(controlAt) }, emulator, spec);
  recordRequest(emulator.requests, req, ctx);
  if (tooLarge) return sendJson(res, 413, spec.errorBody(413, 'Request body too large'));

  // Credentials first, as a real gateway does: a request without a key never reaches the model.
  const denied = spec.authenticate?.(ctx);
  if (denied !== undefined) return sendJson(res, 401, spec.errorBody(401, denied));

  let fault = emulator.faults.take(url.pathname + url.search);
  const malformed = () =>
    spec.malformed?.(ctx) ?? { contentType: 'application/json', body: '{"id":"malformed","choices":[{"' };
  while (fault) {
    const step = await startFault(fault, res, malformed);
    if (step === 'done') return;
    if (step === 'pass') break;
    if (spec.absorbFault?.(ctx, fault)) {
      fault = emulator.faults.take(url.pathname + url.search);
      continue;
    }
    return answerFaultStatus(res, fault as FaultSpec & { status: number }, spec);
  }
  if (invalid) return sendJson(res, 400, spec.errorBody(400, 'Request body is not valid JSON'));
  await spec.handle(ctx);
}

/** Starts an emulator server; port 0 picks a free one. */
export async function startServer(spec: ServerSpec, options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const faults = new FaultQueue();
  // Declared before the server exists so the request handler can close over it.
  const emulator: Emulator = {
    name: spec.name,
    url: '',
    port: 0,
    faults,
    requests,
    reset() {
      faults.clear();
      requests.length = 0; // in place: callers may hold the array
      spec.reset?.();
    },
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    serve(spec, emulator, req, res).catch((err: unknown) => {
      // A bug in an emulator must surface as a 500 in the provider's shape, never a crash.
      if (!res.headersSent) sendJson(res, 500, spec.errorBody(500, `Emulator error: ${(err as Error).message}`));
      else res.destroy();
    });
  });
  const listening = await listen(server, host, options.port);
  emulator.port = listening.port;
  emulator.url = spec.baseUrl(listening.url);
  emulator.close = listening.close;
  return emulator;
}

/**
 * Listens on `host:port` (port 0: any free one). Returns the port, the URL clients on this machine
 * use (a wildcard bind is reached through loopback), and a close() that may be called twice and
 * ends hung requests and idle keep-alive sockets, which would otherwise hold it open forever.
 */
export async function listen(server: Server, host: string, port = 0, beforeClose?: () => void) {
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      beforeClose?.();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }));
  return { port: bound, url: `http://${urlHost}:${bound}`, close };
}

/** The credential after a scheme ("Bearer", "Key"), or undefined when missing or empty. */
export function credential(header: string | undefined, scheme: string): string | undefined {
  if (!header) return undefined;
  const [given, ...rest] = header.trim().split(/\s+/);
  if (given?.toLowerCase() !== scheme.toLowerCase()) return undefined;
  const value = rest.join(' ');
  return value === '' ? undefined : value;
}
