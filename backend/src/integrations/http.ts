// fetch with a per-call timeout chained to the caller's signal, turning every failure into a
// ProviderError of the right kind.
import { ProviderError, describeBody, parseRetryAfter, type Provider } from './provider-error.js';

export interface CallOptions {
  provider: Provider;
  /** What is being done, for messages ("chat completion"). */
  what: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function request(
  url: string,
  init: RequestInit,
  { provider, what, timeoutMs, signal }: CallOptions,
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: combined });
  } catch (err) {
    if (timeout.aborted) throw new ProviderError(provider, 'timeout', `${what} timed out after ${timeoutMs} ms`);
    if (signal?.aborted) throw err;
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new ProviderError(provider, 'network', `${what} failed: ${reason}`);
  }
  if (!res.ok) {
    const body = await readText(res, provider, what, timeout);
    throw new ProviderError(
      provider,
      'http',
      `${what} answered ${res.status}: ${describeBody(body)}`,
      res.status,
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }
  return res;
}

async function readText(res: Response, provider: Provider, what: string, timeout: AbortSignal): Promise<string> {
  try {
    return await res.text();
  } catch {
    if (timeout.aborted) throw new ProviderError(provider, 'timeout', `${what} timed out while reading the answer`);
    throw new ProviderError(provider, 'network', `${what}: the connection broke while reading the answer`);
  }
}

export async function readJson(
  res: Response,
  { provider, what }: Pick<CallOptions, 'provider' | 'what'>,
): Promise<unknown> {
  const text = await res.text().catch(() => {
    throw new ProviderError(provider, 'network', `${what}: the connection broke while reading the answer`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(provider, 'malformed', `${what} answered a body that is not JSON: ${describeBody(text)}`);
  }
}
