// The HTTP side: one node:http server for the Bot API (`/bot<token>/<method>`, JSON, query,
// urlencoded or multipart; HTTP status = error_code, as Telegram answers), file downloads
// (`/file/bot<token>/<path>`), the /__control API and the web inbox. Bodies are read as bytes (not
// text) with Telegram's 50 MB cap, which is why this does not reuse http.ts's startServer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { STATUS_TEXT, listen as listenOn, sendBytes, sendJson, type RecordedRequest } from '../http.js';
import { readRaw, toParams } from './body.js';
import { control } from './control.js';
import { BotApiError, errors } from './errors.js';
import { inbox } from './inbox.js';
import { Described, findMethod } from './methods.js';
import { outageAnswer } from './outage.js';
import type { Params } from './params.js';
import type { TelegramState } from './state.js';

const MAX_RECORDED = 500;
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-telegram-bot-api-secret-token']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the request for GET /__control/requests: the token is cut out of the path, files are summarized. */
function record(state: TelegramState, req: IncomingMessage, path: string, url: URL, params: Params): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !SECRET_HEADERS.has(name))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body: Record<string, unknown> = { ...params.values };
  for (const [name, file] of params.files) {
    body[name] = { filename: file.filename, contentType: file.contentType, size: file.bytes.length };
  }
  const query = Object.fromEntries(url.searchParams);
  const entry: RecordedRequest = { method: req.method ?? 'POST', path, query, headers, body };
  state.requests.push(entry);
  if (state.requests.length > MAX_RECORDED) state.requests.splice(0, state.requests.length - MAX_RECORDED);
}

/** Applies queued faults; true when one of them already answered (or hung) the request. */
async function applyFaults(
  state: TelegramState,
  target: string,
  res: ServerResponse,
  method: string,
): Promise<boolean> {
  const fault = state.faults.take(target);
  if (!fault) return false;
  if (fault.hang) return true; // the server's close() destroys the socket
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.malformed) {
    sendBytes(res, 200, 'application/json', '{"ok":true,"result":{"message_id":');
    return true;
  }
  if (fault.status === undefined) return false;
  const error =
    fault.status === 429
      ? errors.tooManyRequests(fault.retryAfter ?? 1)
      : new BotApiError(fault.status, `${STATUS_TEXT[fault.status] ?? 'Error'}: injected by the telegram emulator`);
  answerError(state, res, method, error);
  return true;
}

function answerError(state: TelegramState, res: ServerResponse, method: string, error: BotApiError): void {
  state.limiter.answered(method, false, error.errorCode);
  const retryAfter = error.parameters?.retry_after;
  sendJson(res, error.errorCode, error.toBody(), retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) });
}

async function botApi(
  state: TelegramState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  token: string,
  name: string,
) {
  const aborted = new AbortController();
  res.on('close', () => aborted.abort()); // the client left: a held long poll must let go
  const { bytes, tooLarge } = await readRaw(req);
  const params = toParams(req.headers['content-type'], bytes, url.searchParams);
  const method = findMethod(name);
  const label = method?.name ?? name;
  record(state, req, `/bot<token>/${name}`, url, params);
  try {
    if (token !== state.token) throw errors.unauthorized();
    if (await applyFaults(state, url.pathname + url.search, res, label)) return;
    const down = outageAnswer(state.outage, url.pathname + url.search);
    if (down?.html !== undefined) {
      state.limiter.answered(label, false, down.error.errorCode);
      return sendBytes(res, down.error.errorCode, 'text/html', down.html);
    }
    if (down) throw down.error;
    if (!method) throw errors.notFound();
    if (tooLarge) throw errors.entityTooLarge();
    const out = await method.fn({ state, params, signal: aborted.signal });
    state.limiter.answered(label, true);
    const body =
      out instanceof Described
        ? { ok: true, result: out.result, description: out.description }
        : { ok: true, result: out };
    sendJson(res, 200, body);
  } catch (err) {
    if (!(err instanceof BotApiError)) throw err;
    answerError(state, res, label, err);
  }
}

function download(state: TelegramState, res: ServerResponse, token: string, path: string) {
  const file = token === state.token ? state.media.byPath(path) : undefined;
  if (file?.bytes) return sendBytes(res, 200, file.mime, file.bytes);
  sendJson(res, 404, errors.notFound().toBody());
}

async function serve(state: TelegramState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const bot = /^\/bot([^/]*)\/([^/]*)\/?$/.exec(url.pathname);
  if (bot) return botApi(state, req, res, url, decodeURIComponent(bot[1]!), bot[2]!);
  const file = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
  if (file) return download(state, res, decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
  const { bytes } = await readRaw(req);
  const at = url.pathname.indexOf('/__control/');
  if (at >= 0) {
    let body: unknown = null;
    try {
      body = bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : null;
    } catch {
      return sendJson(res, 400, { error: 'body is not valid JSON' });
    }
    try {
      const answer = control(state, method, url.pathname.slice(at), body);
      return sendJson(res, answer.status, answer.body);
    } catch (err) {
      return sendJson(res, 400, { error: (err as Error).message });
    }
  }
  const form = new URLSearchParams(bytes.toString('utf8'));
  if (!inbox(state, method, url, form, res)) sendJson(res, 404, errors.notFound().toBody());
}

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on host:port (0 = a free port); `url` is the origin, i.e. TELEGRAM_API_ROOT.
 * `answered` runs after each request that may have changed the state (not the inbox's and the
 * control API's reads).
 */
export async function listen(
  state: TelegramState,
  options: { port?: number; host?: string },
  answered?: () => void,
): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    if (answered && !(req.method === 'GET' && /^\/__(inbox|control)\//.test(req.url ?? ''))) {
      res.once('close', answered);
    }
    serve(state, req, res).catch((err: unknown) => {
      // A bug in the emulator must surface as a 500 in Telegram's shape, never a crash.
      if (!res.headersSent)
        sendJson(res, 500, new BotApiError(500, `Internal Server Error: ${(err as Error).message}`).toBody());
      else res.destroy();
    });
  });
  return listenOn(server, host, options.port);
}
