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
