// The policy around every outside call: a bounded retry with exponential backoff and jitter that
// waits at least what Retry-After asks, retries only what can succeed (408, 429, 5xx, timeouts,
// resets), and a circuit breaker per provider that fails fast while the provider is down and
// probes again after a pause. The per-call timeout lives in the client (it aborts the request).
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IRetryBackoffContext,
} from 'cockatiel';
import { ProviderError, type Provider } from './provider-error.js';

export interface ResilienceOptions {
  /** Retries after the first try (default 2). */
  maxRetries?: number;
  /** First backoff in ms (default 500); later ones grow exponentially with jitter. */
  initialDelayMs?: number;
  /** Longest backoff between tries, in ms (default 10,000). */
  maxDelayMs?: number;
  /** Longest Retry-After we wait for, in ms (default 30,000); a longer one fails at once. */
  maxRetryAfterMs?: number;
  /** Consecutive failures that open the circuit (default 5). */
  breakerThreshold?: number;
  /** How long the circuit stays open before a trial call, in ms (default 15,000). */
  halfOpenAfterMs?: number;
  /** Told of every try and every change of the circuit (the worker's /metrics). */
  observe?: ProviderObserver;
}

export interface ProviderObserver {
  /** One try of a call: `ok`, or how it failed (`timeout`, `network`, `http_429`, `http_5xx`, `http_4xx`). */
  attempt(provider: Provider, outcome: string, seconds: number): void;
  /** The provider's circuit opened (true) or closed again (false). */
  circuit(provider: Provider, open: boolean): void;
}

/** A failed try as a bounded label value. */
function outcomeOf(err: unknown): string {
  if (!(err instanceof ProviderError)) return 'error';
  if (err.kind !== 'http') return err.kind;
  const status = err.status ?? 0;
  return status === 429 ? 'http_429' : status >= 500 ? 'http_5xx' : 'http_4xx';
}

/** `retry: false` for calls whose SDK already retries them (never wrap the same call twice). */
export type Guard = <T>(call: (signal: AbortSignal) => Promise<T>, options?: { retry?: boolean }) => Promise<T>;

export function createGuard(provider: Provider, options: ResilienceOptions = {}): Guard & { isOpen: () => boolean } {
  const {
    maxRetries = 2,
    initialDelayMs = 500,
    maxDelayMs = 10_000,
    maxRetryAfterMs = 30_000,
    breakerThreshold = 5,
    halfOpenAfterMs = 15_000,
    observe,
  } = options;
  const failure = handleWhen((err) => err instanceof ProviderError && err.retryable);
  const retryable = handleWhen(
    (err) => err instanceof ProviderError && err.retryable && (err.retryAfterMs ?? 0) <= maxRetryAfterMs,
  );
  const exponential = new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs });
  let backoff = exponential.next();
  const retryPolicy = retry(retryable, {
    maxAttempts: maxRetries,
    backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
      backoff = context.attempt === 1 ? exponential.next() : backoff.next(context);
      const error = 'error' in context.result ? context.result.error : undefined;
      const asked = error instanceof ProviderError ? error.retryAfterMs : undefined;
      // What the provider asked for wins (the predicate refused waits over maxRetryAfterMs).
      return asked ?? Math.min(maxDelayMs, backoff.duration);
    }),
  });
  // The breaker counts what the provider is to blame for: 5xx, 429, timeouts, resets.
  const breaker = circuitBreaker(failure, {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(breakerThreshold),
  });
  const policy = wrap(retryPolicy, breaker);
  if (observe) breaker.onStateChange((state) => observe.circuit(provider, state === CircuitState.Open));
  // Each try, timed: what the provider answered and how long it took (retries are tries too).
  const timedTry = async <T>(call: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> => {
    if (!observe) return call(signal);
    const started = performance.now();
    try {
      const result = await call(signal);
      observe.attempt(provider, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      observe.attempt(provider, outcomeOf(err), (performance.now() - started) / 1000);
      throw err;
    }
  };
  const guard = async <T>(
    call: (signal: AbortSignal) => Promise<T>,
    { retry = true }: { retry?: boolean } = {},
  ): Promise<T> => {
    try {
      return await (retry ? policy : breaker).execute(({ signal }) => timedTry(call, signal));
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        throw new ProviderError(
          provider,
          'circuit-open',
          'failing repeatedly; calls are paused for a moment (circuit open)',
        );
      }
      throw err;
    }
  };
  return Object.assign(guard, { isOpen: () => breaker.state === CircuitState.Open });
}
