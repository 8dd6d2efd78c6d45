// What went wrong talking to an outside service, in two kinds as grammY's client does it: the
// service answered with an error (`http`, `malformed`), or we never got an answer (`timeout`,
// `network`). Messages name the provider and never carry a key or a request body.
//
// A message reads `<what we did>: <what came back>` ("chat completion answered 500: <body>",
// "image download failed: connect ECONNREFUSED 10.0.0.7:443"). The part before the first ": " is
// our own words; the rest is the provider's body or the network's text, which can name internal
// hosts and addresses. Only the first part reaches a Job's `error` or an HTTP answer
// (`publicMessage`); the whole message stays on the error for the logs.
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
    this.publicMessage = `${provider}: ${publicPart(message)}`;
  }

  /** What may be shown to the user: the message without what the provider or network said. */
  readonly publicMessage: string;

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
    return new AppError(code, this.publicMessage, { provider: this.provider }, { cause: this });
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

/** URLs, IP addresses (v4, v6, with a port) and host:port pairs, which name our network. */
const ADDRESS = new RegExp(
  [
    String.raw`\b[a-z][a-z0-9+.-]*:\/\/\S+`, // a URL
    String.raw`\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b`, // IPv4, maybe with a port
    String.raw`\[[0-9a-f:.]+\](?::\d+)?`, // [IPv6]:port
    String.raw`(?<![\w:])[0-9a-f]*::[0-9a-f:.]*`, // IPv6 with ::
    String.raw`\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b`, // IPv6 in full
    String.raw`\b(?=[a-z0-9.-]*[a-z])[a-z0-9-]+(?:\.[a-z0-9-]+)*:\d{2,5}\b`, // host:port
  ].join('|'),
  'gi',
);

/**
 * Text fit for a user: addresses (URLs, IPs, host:port) replaced by "<address>". The last guard
 * for any message that goes into a Job's `error` or an answer, whoever built it.
 */
export function withoutAddresses(text: string): string {
  return text.replace(ADDRESS, '<address>');
}

/** Our own words of a message: up to the first ": ", and no parenthesis left open by the cut. */
function publicPart(message: string): string {
  const cut = message.indexOf(': ');
  let ours = cut === -1 ? message : message.slice(0, cut);
  const open = ours.lastIndexOf(' (');
  if (cut !== -1 && open !== -1 && !ours.slice(open).includes(')')) ours = ours.slice(0, open);
  return withoutAddresses(ours);
}
