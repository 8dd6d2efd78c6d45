// One log line per finished request: info for 2xx/3xx, warn for 4xx, error for 5xx. In production
// (JSON lines) it holds the request (method, URL, headers through the logger's redaction), the
// status and the time taken; for a person at a terminal (the development logger) it is just
// `GET /api/v1/me 200 12ms`. Probes and successful metric scrapes stay quiet: they come every few
// seconds and would drown everything else.
//
// Written here rather than with pino-http: pino-http builds a child logger that serialises the
// whole request (every header through the redaction paths) for every request, before it knows
// whether a line will be written. At LOG_LEVEL=warn that was ~5% of a signed-in request's CPU
// (`npm run bench:api` profile); here nothing is serialised unless the line is written.
import type { Request, RequestHandler, Response } from 'express';
import type { Level } from 'pino';
import { writesForPeople, type Logger } from '../lib/logger.js';

const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

function levelOf(req: Request, res: Response): Level | undefined {
  const status = res.statusCode;
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return QUIET_PATHS.has(req.path) ? undefined : 'info';
}

function requestFields(req: Request, res: Response) {
  return {
    id: res.locals.requestId,
    method: req.method,
    url: req.originalUrl,
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress,
  };
}

/** `GET /api/v1/me 200 12ms`; a response the client cut off says so. */
function shortLine(method: string, url: string, status: number, ms: number, aborted: boolean): string {
  return `${method} ${url} ${status} ${ms}ms${aborted ? ' (closed by the client before the end)' : ''}`;
}

export function accessLog(logger: Logger): RequestHandler {
  const short = writesForPeople(logger);
  return (req, res, next) => {
    const started = performance.now();
    // 'close' comes after 'finish' too; a response that never finished was cut off by the client.
    res.once('close', () => {
      const aborted = !res.writableFinished;
      const level = aborted ? 'warn' : levelOf(req, res);
      if (!level || !logger.isLevelEnabled(level)) return;
      const responseTime = Math.round(performance.now() - started);
      if (short) {
        logger[level](shortLine(req.method, req.originalUrl, res.statusCode, responseTime, aborted));
        return;
      }
      logger[level](
        { req: requestFields(req, res), res: { statusCode: res.statusCode }, responseTime },
        aborted ? 'request aborted' : 'request completed',
      );
    });
    next();
  };
}
