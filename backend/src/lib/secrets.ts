// Comparing a caller's secret with ours. Both sides are hashed first: equal-length digests make
// the comparison constant-time and keep the secret's length from showing through an early exit.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function sameSecret(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}
