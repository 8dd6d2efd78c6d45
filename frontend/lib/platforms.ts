// The platforms, their limits and their marks. The limits and the counting rule are the
// backend's (backend/src/modules/posts/platforms.ts); tests/unit/content-length.test.ts holds
// the two to the same answers.
import type { Platform } from './api/types.ts';

export const PLATFORMS: Platform[] = ['TWITTER', 'LINKEDIN', 'INSTAGRAM', 'FACEBOOK', 'THREADS', 'TELEGRAM'];

export const PLATFORM_LIMITS: Record<Platform, number> = {
  TWITTER: 280,
  LINKEDIN: 3_000,
  INSTAGRAM: 2_200,
  FACEBOOK: 5_000,
  THREADS: 500,
  TELEGRAM: 4_096,
};

export const PLATFORM_NAMES: Record<Platform, string> = {
  TWITTER: 'X',
  LINKEDIN: 'LinkedIn',
  INSTAGRAM: 'Instagram',
  FACEBOOK: 'Facebook',
  THREADS: 'Threads',
  TELEGRAM: 'Telegram',
};

/** A short mark and a colour per platform (colour never alone: the name goes with it). */
export const PLATFORM_MARKS: Record<Platform, { mark: string; className: string }> = {
  TWITTER: { mark: 'X', className: 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' },
  LINKEDIN: { mark: 'in', className: 'bg-sky-700 text-white' },
  INSTAGRAM: { mark: 'Ig', className: 'bg-pink-700 text-white' },
  FACEBOOK: { mark: 'f', className: 'bg-blue-700 text-white' },
  THREADS: { mark: '@', className: 'bg-neutral-700 text-white' },
  TELEGRAM: { mark: 'Tg', className: 'bg-sky-600 text-white dark:bg-sky-500 dark:text-zinc-950' },
};
