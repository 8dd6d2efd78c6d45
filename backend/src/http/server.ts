// The web process's HTTP server. Node parses the request line and headers before Express sees
// anything, and answers what it cannot parse (a path or headers over the limit, bytes that are not
// HTTP) itself, with a bare status line and no body. Here those answers carry the API's envelope
// too, so that a client sees one error shape whatever failed.
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_STATUS, type ErrorCode } from '../lib/errors.js';
import { renderError } from './error-handler.js';

/** The request line (path and query included) and headers together: Node's own default, stated. */
export const MAX_HEADER_BYTES = 16 * 1024;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function answer(socket: Duplex, code: ErrorCode, message: string): void {
  const status = ERROR_STATUS[code];
  const requestId = randomUUID();
  const body = JSON.stringify(renderError(code, message, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Node's `clientError`: the socket gets an answer in the envelope, or is closed if it is gone. */
export function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    answer(socket, 'HEADERS_TOO_LARGE', 'The request line and headers are larger than 16 kB.');
    return;
  }
  answer(socket, 'VALIDATION_ERROR', 'The request is not valid HTTP/1.1.');
}

/** An HTTP server for `app` with the limits and error answers above. */
export function createWebServer(app: RequestListener): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
  server.on('clientError', onClientError);
  return server;
}
