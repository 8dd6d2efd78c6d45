// The API's error envelope as one error class the pages can show: what happened, in the API's own
// words, and the request id a person can quote.
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  requestId?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, body: Partial<ErrorBody> | undefined, requestId: string | null) {
    super(body?.error?.message ?? `The API answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error?.code ?? (status >= 500 ? 'INTERNAL_ERROR' : 'UNKNOWN');
    this.requestId = body?.requestId ?? requestId;
    this.details = body?.error?.details;
  }
}

/** A network failure (the API did not answer at all), with a sentence a person can act on. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The Postaify API did not answer. Check your connection, or whether the API is running.', { cause });
    this.name = 'NetworkError';
  }
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;
