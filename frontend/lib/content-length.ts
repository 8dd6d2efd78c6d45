// How long a post is, by the rule the backend enforces: X counts twitter-text's weighted length
// (a URL is 23, CJK and emoji weigh 2), every other platform counts code points (characters as
// people count them). The editor uses the same rule to keep Save disabled over the limit and to
// mark the part that will not fit.
import twitter from 'twitter-text';
// Relative imports with extensions: the backend's tests import this file too (tests/unit).
import type { Platform } from './api/types.ts';
import { PLATFORM_LIMITS } from './platforms.ts';

export function contentLength(platform: Platform, content: string): number {
  if (platform === 'TWITTER') return twitter.parseTweet(content).weightedLength;
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
  if (platform === 'TWITTER') return twitter.parseTweet(content).validRangeEnd + 1;
  let index = 0;
  let count = 0;
  for (const char of content) {
    if (count === limit) return index;
    index += char.length;
    count++;
  }
  return null;
}
