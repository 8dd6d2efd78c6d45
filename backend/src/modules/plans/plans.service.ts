// The plans of the spec. Prices in US cents; limits per calendar month (UTC).
import { z } from 'zod';
import type { Plan as PlanId } from '../../generated/prisma/enums.js';

export interface PlanLimits {
  posts: number;
  images: number;
  voiceChars: number;
}

export const PLANS: Record<PlanId, { priceMonthlyUsdCents: number; limits: PlanLimits }> = {
  FREE: { priceMonthlyUsdCents: 0, limits: { posts: 20, images: 5, voiceChars: 2_000 } },
  PRO: { priceMonthlyUsdCents: 1_900, limits: { posts: 1_000, images: 200, voiceChars: 100_000 } },
  BUSINESS: { priceMonthlyUsdCents: 9_900, limits: { posts: 90_000, images: 5_000, voiceChars: 1_000_000 } },
};

export const PLAN_IDS = ['FREE', 'PRO', 'BUSINESS'] as const satisfies readonly PlanId[];

export const planSchema = z.object({
  id: z.enum(PLAN_IDS),
  priceMonthlyUsdCents: z.number().int(),
  limits: z.object({ posts: z.number().int(), images: z.number().int(), voiceChars: z.number().int() }),
});

export const planDto = (id: PlanId) => ({ id, ...PLANS[id] });

/**
 * Caps that bound what one account can make us spend or store, beyond the monthly quota. Kept out
 * of PLANS (and so out of the Plan resource of the API) because they are guards, not features.
 *
 * - `failedJobsPerDay`: FAILED jobs in a rolling 24 hours. A failed job is refunded (the user got
 *   nothing), so without a bound a prompt crafted to break the answer's schema or to trip Fal's
 *   safety checker buys unlimited paid calls. An honest user sees a failure now and then (a
 *   provider outage, a refused prompt); 10 a day is far above that on FREE, whose whole month is
 *   20 posts and 5 images, and caps a farmer at about 10 jobs of free spend a day (cents: a POSTS
 *   job is at most two calls of a few thousand tokens, an image a fraction of a cent). PRO (1,000
 *   posts a month, ~33 a day) and BUSINESS (90,000, ~3,000 a day) get 100 and 1,000, a tenth to a
 *   third of their daily volume.
 * - `jobsInFlight`: QUEUED or RUNNING at once. A worker runs 50 jobs at a time; one user should
 *   never hold more than a small share of it, and a person waits on one or two jobs at a time
 *   (posts, then an image and a voice-over). 2 on FREE, 5 on PRO, 20 on BUSINESS (teams and
 *   scripts run several in parallel).
 * - `storedPosts` / `scheduledPosts`: rows kept and posts waiting for delivery (SCHEDULED or
 *   DELIVERING). Hand-written posts spend no quota, so without a cap one account could fill the
 *   database, or schedule thousands for one minute and fill every sender. FREE: 500 / 50 (25
 *   months of its 20 AI posts, and a post a day for seven weeks); PRO: 20,000 / 2,000 (20 months
 *   of its 1,000, and two months scheduled ahead); BUSINESS: 200,000 / 20,000 (over two months of
 *   its 90,000 at full use, far more at real use, and delivered posts can be deleted; a few hundred
 *   MB of rows at most, and the count under the cap stays a quick index-only scan; 20,000 due at
 *   once is about 11 minutes of the bot's 30 messages a second, which fair claiming shares).
 */
export interface PlanCaps {
  failedJobsPerDay: number;
  jobsInFlight: number;
  storedPosts: number;
  scheduledPosts: number;
}

export const PLAN_CAPS: Record<PlanId, PlanCaps> = {
  FREE: { failedJobsPerDay: 10, jobsInFlight: 2, storedPosts: 500, scheduledPosts: 50 },
  PRO: { failedJobsPerDay: 100, jobsInFlight: 5, storedPosts: 20_000, scheduledPosts: 2_000 },
  BUSINESS: { failedJobsPerDay: 1_000, jobsInFlight: 20, storedPosts: 200_000, scheduledPosts: 20_000 },
};

/** SQL `CASE` mapping `u.plan` (a "User" row aliased u) to a number of PLANS or PLAN_CAPS. */
export function planCase(pick: (plan: PlanId) => number): string {
  return `CASE u.plan::text ${PLAN_IDS.map((plan) => `WHEN '${plan}' THEN ${pick(plan)}`).join(' ')} END`;
}
