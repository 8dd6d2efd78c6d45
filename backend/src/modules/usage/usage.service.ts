// Reading usage. Reservations and refunds (the atomic, idempotent writes) arrive with the
// generation issue; here we only report what the counters hold against the plan's limits.
import { z } from 'zod';
import type { Db } from '../../lib/db.js';
import type { Plan } from '../../generated/prisma/enums.js';
import { PLANS } from '../plans/plans.service.js';
import { periodOf } from './period.js';

// The checks other features make (the rest of this folder is the usage feature's own): the
// stored- and scheduled-post caps, the per-user job caps, and the quota a job reserves.
export { assertPostRoom } from './post-caps.js';
export { capHeaders, type PostsToWrite } from './job-caps.js';
export { refund, reserve, type Reservation } from './quota.js';

const meter = z.object({ used: z.number().int(), limit: z.number().int() });

export const usageSchema = z.object({
  period: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
  posts: meter,
  images: meter,
  voiceChars: meter,
});

export type UsageDto = z.input<typeof usageSchema>;

export async function readUsage(db: Db, userId: string, plan: Plan, now = new Date()): Promise<UsageDto> {
  const period = periodOf(now);
  const counters = await db.usageCounter.findMany({
    where: { userId, periodStart: period.start },
    select: { metric: true, used: true },
  });
  const used = (metric: string) => Math.max(0, counters.find((c) => c.metric === metric)?.used ?? 0);
  const { limits } = PLANS[plan];
  return {
    period: { start: period.start.toISOString(), end: period.end.toISOString() },
    posts: { used: used('POSTS'), limit: limits.posts },
    images: { used: used('IMAGES'), limit: limits.images },
    voiceChars: { used: used('VOICE_CHARS'), limit: limits.voiceChars },
  };
}
