// The one place that turns errors into the spec's envelope:
//   { "error": { "code", "message", "details"? }, "requestId" }
// Unknown errors are logged with their stack and answered as a bare 500: no stack, SQL or secret
// ever reaches a response. A database that cannot be reached is not unknown: 503
// SERVICE_UNAVAILABLE with Retry-After, and no word of its host or URL.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../lib/db-unavailable.js';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { capped } from './validation.js';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  code?: string;
}

/** No message leaves longer than this (a safety net: echoed input is capped where it is echoed). */
const MESSAGE_MAX_CHARS = 1_000;

function fromBodyParser(err: unknown): AppError | undefined {
  const type = (err as BodyParserError | undefined)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return new AppError('VALIDATION_ERROR', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than 100 kB.', {
        limitBytes: (err as BodyParserError).limit,
      });
    case 'encoding.unsupported':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'The request body has an unsupported Content-Encoding: send it as is, or in gzip, deflate or br.',
      );
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8.');
    default:
      return undefined;
  }
}

/**
 * Errors of the HTTP layer beneath our code (Express's router, body-parser, zlib, send) carry a
 * 4xx `status` of their own: a path whose percent-encoding is not UTF-8, a gzip body that is not
 * gzip, a dotfile under /media. They are the client's mistake, so they keep their status, in the
 * envelope (the code is the first of that status in the one table), with a message of ours:
 * theirs can quote the input.
 */
function fromHttpLayer(err: unknown): AppError | undefined {
  const e = err as BodyParserError | undefined;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (err instanceof URIError) {
    return new AppError('VALIDATION_ERROR', 'The URL is not valid: a percent-encoding (%XX) is not UTF-8.');
  }
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return new AppError('VALIDATION_ERROR', 'The request body does not match its Content-Encoding.');
  }
  const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === status);
  return new AppError(code ?? 'VALIDATION_ERROR', code === 'NOT_FOUND' ? 'Not found.' : 'The request is not valid.');
}

/** Failures of outside services know their own API error (integrations/provider-error.ts). */
function fromProvider(err: unknown): AppError | undefined {
  const convert = (err as { toAppError?: unknown } | undefined)?.toAppError;
  return typeof convert === 'function' ? (convert.call(err) as AppError) : undefined;
}

/**
 * Postgres down, restarting or refusing connections (lib/db-unavailable.ts): the request is not at
 * fault and the same request succeeds once it is back, so 503 with Retry-After rather than 500.
 * The message names no host, port or URL (Prisma's own message names the host and port).
 */
function fromDatabase(err: unknown): AppError | undefined {
  if (!isDatabaseUnavailable(err)) return undefined;
  return new AppError(
    'SERVICE_UNAVAILABLE',
    'The database is unavailable right now. Retry after the time in Retry-After.',
    undefined,
    { cause: err, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  );
}

export function renderError(code: ErrorCode, message: string, requestId: string, details?: Record<string, unknown>) {
  return { error: { code, message: capped(message, MESSAGE_MAX_CHARS), ...(details ? { details } : {}) }, requestId };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = isAppError(err)
      ? err
      : (fromProvider(err) ?? fromDatabase(err) ?? fromBodyParser(err) ?? fromHttpLayer(err));
    const appError = known ?? new AppError('INTERNAL_ERROR', 'Something went wrong on our side. It has been logged.');
    if (!known) {
      logger.error({ err, requestId: res.locals.requestId }, 'unhandled error');
    } else if (appError.status >= 500) {
      logger.warn(
        {
          requestId: res.locals.requestId,
          err: { code: appError.code, message: appError.message, cause: appError.cause },
        },
        'request failed',
      );
    }
    if (appError.retryAfterSeconds !== undefined && !res.hasHeader('Retry-After')) {
      res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    }
    res
      .status(ERROR_STATUS[appError.code])
      .json(renderError(appError.code, appError.message, res.locals.requestId, appError.details));
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${capped(req.method, 20)} ${capped(req.path)}.`));
};
