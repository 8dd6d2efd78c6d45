// What a delivery does while Telegram is away (no answer, a timeout, a 5xx): it stays pending and
// is sent again with exponential backoff and jitter, for a bounded window from its first failure
// of the streak (TELEGRAM_OUTAGE_RETRY_SECONDS, 10 minutes by default), with a lastError that says
// so; only when the window is spent does it fail for good. The streak is kept on the row
// (Delivery.progress.outage, lifecycle's retryAfterOutage), so it survives a lost job or another
// worker taking the delivery over, and ends with any part Telegram accepts.
import type { Outage } from '../lifecycle/lifecycle.service.js';

/** The default window (TELEGRAM_OUTAGE_RETRY_SECONDS = 600). */
export const DEFAULT_OUTAGE_WINDOW_MS = 600_000;
/** The first retry waits about this long; each next one twice as long, up to OUTAGE_MAX_DELAY_MS. */
export const OUTAGE_FIRST_DELAY_MS = 1_000;
/**
 * The longest wait between two tries: a post is sent at most this long (and its jitter) after
 * Telegram is back, while a long outage costs each pending delivery one call in this long.
 */
export const OUTAGE_MAX_DELAY_MS = 30_000;

export interface OutagePolicy {
  windowMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** In [0, 1): the jitter's draw (Math.random). */
  random?: () => number;
}

/** When to try again after the `failures`-th failure of a streak that began at `since`; undefined once the window is spent. */
export function nextOutageTry(
  { since, failures }: { since: Date; failures: number },
  now: Date,
  {
    windowMs,
    firstDelayMs = OUTAGE_FIRST_DELAY_MS,
    maxDelayMs = OUTAGE_MAX_DELAY_MS,
    random = Math.random,
  }: OutagePolicy,
): Date | undefined {
  const end = since.getTime() + windowMs;
  if (now.getTime() >= end) return undefined;
  // "Equal jitter": half the step for sure, the other half drawn, so deliveries that failed
  // together spread out instead of coming back at once, and none comes back at once either.
  const step = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  const delay = step / 2 + random() * (step / 2);
  // The last try is at the end of the window, so the window is spent on trying.
  return new Date(Math.min(end, now.getTime() + Math.ceil(delay)));
}

const clock = (at: Date) => `${at.toISOString().slice(11, 19)} UTC`;

/** `10 minutes`, `90 seconds`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 60 === 0 && s >= 60) return `${s / 60} minute${s === 60 ? '' : 's'}`;
  return `${s} second${s === 1 ? '' : 's'}`;
}

/** The delivery's (and its post's) lastError while it is retried. */
export const retryingMessage = (cause: string, outage: Outage, next: Date, windowMs: number) =>
  `Telegram is not answering (${cause}); retrying, next attempt at ${clock(next)} ` +
  `(attempt ${outage.failures + 1}; failing since ${clock(new Date(outage.since))}, ` +
  `it gives up after ${duration(windowMs)}).`;

/** Its lastError once the window is spent. */
export const gaveUpMessage = (cause: string, outage: Outage, windowMs: number) =>
  `Telegram did not answer for ${duration(windowMs)} (${cause}; ${outage.failures} attempts since ` +
  `${clock(new Date(outage.since))}): not delivered. Schedule it again.`;
