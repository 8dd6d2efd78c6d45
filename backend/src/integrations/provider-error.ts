// What went wrong talking to an outside service, in two kinds as grammY's client does it: the
// service answered with an error (`http`, `malformed`), or we never got an answer (`timeout`,
// `network`). Messages name the provider and never carry a key or a request body.
import { AppError, type ErrorCode } from '../lib/errors.js';

export type Provider = 'OpenRouter' | 'Fal' | 'ElevenLabs' | 'Stripe' | 'Storage';
export type FailureKind = 'http' | 'timeout' | 'network' | 'malformed' | 'circuit-open';

export class ProviderError extends Error {
  override name = 'ProviderError';

  constructor(
    readonly provider: Provider,
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    /** From Retry-After, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(`${provider}: ${message}`);
  }

  /** 408, 429 and 5xx may succeed later; other 4xx never will. Timeouts and resets may. */
  get retryable(): boolean {
    if (this.kind === 'http') return this.status === 408 || this.status === 429 || (this.status ?? 0) >= 500;
    return this.kind === 'timeout' || this.kind === 'network';
  }

  /** The API/job error this failure is reported as. */
  toAppError(): AppError {
    const code: ErrorCode =
      this.kind === 'timeout'
        ? 'UPSTREAM_TIMEOUT'
        : this.kind === 'network' || this.kind === 'circuit-open' || (this.kind === 'http' && this.retryable)
          ? 'UPSTREAM_UNAVAILABLE'
          : 'UPSTREAM_ERROR';
    return new AppError(code, this.message, { provider: this.provider }, { cause: this });
  }
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Short, key-free text of a failed response body for error messages. */
export function describeBody(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
