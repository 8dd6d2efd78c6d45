// The platforms, their length limits, and how each one counts a post's length.
import twitterText from 'twitter-text';
import type { Platform } from '../../generated/prisma/enums.js';

export const PLATFORM_LIMITS: Record<Platform, number> = {
  TWITTER: 280,
  LINKEDIN: 3_000,
  INSTAGRAM: 2_200,
  FACEBOOK: 5_000,
  THREADS: 500,
  TELEGRAM: 4_096,
};

export const PLATFORMS = Object.keys(PLATFORM_LIMITS) as [Platform, ...Platform[]];

/**
 * The length of `content` as `platform` counts it, compared with `PLATFORM_LIMITS[platform]`.
 * Pure; the web app's counter mirrors it exactly, so keep the two in step:
 *
 * - TWITTER: X's weighted length, `parseTweet(content).weightedLength` from `twitter-text` (its
 *   default, v3, configuration). The text is NFC-normalised first; every URL counts 23 whatever
 *   its length; an emoji (a whole sequence: ZWJ, skin tone, flag) counts 2; any other code point
 *   counts 1 in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 (Latin, Greek,
 *   Cyrillic, Hebrew, Arabic, Indic scripts, common punctuation) and 2 otherwise (CJK, …).
 * - Every other platform: Unicode code points (`[...content].length`), so an emoji or an accented
 *   letter written as one code point counts 1, never 2 for its UTF-16 surrogate pair.
 */
export function contentLength(platform: Platform, content: string): number {
  return platform === 'TWITTER' ? twitterText.parseTweet(content).weightedLength : [...content].length;
}

/** A message for content too long for its platform, or undefined when it fits. */
export function lengthProblem(platform: Platform, content: string): string | undefined {
  const length = contentLength(platform, content);
  const limit = PLATFORM_LIMITS[platform];
  if (length <= limit) return undefined;
  const rule = platform === 'TWITTER' ? ' (X counts a link as 23 and most emoji and CJK characters as 2)' : '';
  return `${platform} allows ${limit} characters${rule}; this content has ${length}.`;
}
