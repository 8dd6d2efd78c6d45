// How long a post is, by the rule the backend enforces: X counts twitter-text's weighted length
// (a URL is 23, CJK and emoji weigh 2), every other platform counts code points (characters as
// people count them). The editor uses the same rule to keep Save disabled over the limit and to
// mark the part that will not fit. Only twitter-text's parseTweet is loaded, on demand, and in
// the browser without the core-js 2 polyfills it carries (next.config.ts): only a page that counts
// an X post pays for it, and what it pays is the counting rule itself.
// Relative imports with extensions: the backend's tests import this file too (tests/unit).
import type { Platform } from './api/types.ts';
import { PLATFORM_LIMITS } from './platforms.ts';

type ParseTweet = typeof import('twitter-text').parseTweet;
let twitter: { parseTweet: ParseTweet } | undefined;

/** Loads X's counting rules; `contentLength` on TWITTER needs them. */
export async function loadTwitterText(): Promise<void> {
  // The per-function CommonJS file: `module.exports = parseTweet`, seen as `default` by import().
  const module = (await import('twitter-text/dist/parseTweet.js')) as { default: ParseTweet | { default: ParseTweet } };
  const parseTweet = typeof module.default === 'function' ? module.default : module.default.default;
  twitter = { parseTweet };
}

export const twitterTextLoaded = () => twitter !== undefined;

/** Whether `contentLength(platform, …)` can answer now (X waits for `loadTwitterText`). */
export const canCount = (platform: Platform) => platform !== 'TWITTER' || twitter !== undefined;

export function contentLength(platform: Platform, content: string): number {
  if (platform === 'TWITTER') {
    if (!twitter) throw new Error('X counting needs loadTwitterText() first');
    return twitter.parseTweet(content).weightedLength;
  }
  let n = 0;
  for (const _ of content) n++;
  return n;
}

/**
 * The UTF-16 index where the part that will not fit begins, or null when it all fits. (For X,
 * twitter-text's valid range; otherwise the limit-th code point.)
 */
export function overflowStart(platform: Platform, content: string): number | null {
  const limit = PLATFORM_LIMITS[platform];
  if (contentLength(platform, content) <= limit) return null;
  if (platform === 'TWITTER') return twitter!.parseTweet(content).validRangeEnd + 1;
  let index = 0;
  let count = 0;
  for (const char of content) {
    if (count === limit) return index;
    index += char.length;
    count++;
  }
  return null;
}
