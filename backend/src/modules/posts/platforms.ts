// The platforms and their length limits (characters as people count them: code points).
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

export const contentLength = (content: string) => [...content].length;

/** A message for content too long for its platform, or undefined when it fits. */
export function lengthProblem(platform: Platform, content: string): string | undefined {
  const length = contentLength(content);
  const limit = PLATFORM_LIMITS[platform];
  return length > limit ? `${platform} allows ${limit} characters; this content has ${length}.` : undefined;
}
