// The one place that turns errors into the spec's envelope:
//   { "error": { "code", "message", "details"? }, "requestId" }
// Unknown errors are logged with their stack and answered as a bare 500: no stack, SQL or secret
// ever reaches a response.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

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
    case 'charset.unsupported':
      return new AppError('VALIDATION_ERROR', 'The request body has an unsupported encoding.');
    default:
      return undefined;
  }
}

/** Failures of outside services know their own API error (integrations/provider-error.ts). */
function fromProvider(err: unknown): AppError | undefined {
  const convert = (err as { toAppError?: unknown } | undefined)?.toAppError;
  return typeof convert === 'function' ? (convert.call(err) as AppError) : undefined;
}

export function renderError(code: ErrorCode, message: string, requestId: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) }, requestId };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = isAppError(err) ? err : (fromProvider(err) ?? fromBodyParser(err));
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
    res
      .status(ERROR_STATUS[appError.code])
      .json(renderError(appError.code, appError.message, res.locals.requestId, appError.details));
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}.`));
};
