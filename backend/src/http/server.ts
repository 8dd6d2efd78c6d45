// The web process's HTTP server. Node parses the request line and headers before Express sees
// anything, and answers what it cannot parse (a path or headers over the limit, bytes that are not
// HTTP) itself, with a bare status line and no body. Here those answers carry the API's envelope
// too, so that a client sees one error shape whatever failed.
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
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

/** What `drainer(server).close()` saw: connections left at its deadline were cut. */
export interface DrainOutcome {
  /** Connections open when the server stopped accepting. */
  open: number;
  /** Connections still open at the deadline, destroyed then. */
  cut: number;
}

/**
 * Graceful stop for a web server, in two steps so that no client sees a connection reset:
 *
 * - `drain()`: from now on every response carries `Connection: close`, so each client's
 *   connection ends after the response it is waiting for (a client never reuses it, so there is
 *   no race between its next request and our close). The server still accepts meanwhile.
 * - `close(deadlineMs)`: stops accepting, gives connections accepted in the last moment time to
 *   send their request (Node's own `server.close()` would drop them with the idle ones at once),
 *   then closes idle connections until none is left, while requests in flight finish. What is
 *   still open at the deadline is destroyed and counted.
 */
export function drainer(server: Server, { freshGraceMs = 500, pollMs = 25 } = {}) {
  const sockets = new Set<Socket>();
  let lastAccepted = 0;
  let draining = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    lastAccepted = Date.now();
    socket.once('close', () => sockets.delete(socket));
  });
  // Before the app's listener, so the header is there whatever the route answers.
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('Connection', 'close');
  });
  return {
    get draining() {
      return draining;
    },
    /** Connections open now. */
    get connections() {
      return sockets.size;
    },
    drain() {
      draining = true;
    },
    async close(deadlineMs: number): Promise<DrainOutcome> {
      draining = true;
      const deadline = Date.now() + deadlineMs;
      const open = sockets.size;
      // net.Server's close: stop listening, leave the open connections alone.
      NetServer.prototype.close.call(server);
      const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
      await wait(Math.min(lastAccepted + freshGraceMs, deadline) - Date.now());
      while (sockets.size > 0 && Date.now() < deadline) {
        server.closeIdleConnections();
        if (sockets.size === 0) break;
        await wait(Math.min(pollMs, deadline - Date.now()));
      }
      const cut = sockets.size;
      for (const socket of sockets) socket.destroy();
      return { open, cut };
    },
  };
}
