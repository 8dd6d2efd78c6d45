// Demo data for a fresh local database: one user with two brands and a few posts. Running it
// again changes nothing (the demo user is found by its Clerk id).
import type { Db } from '../lib/db.js';

export const DEMO_CLERK_ID = 'local_demo_user';

export async function seed(db: Db) {
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { clerkId: DEMO_CLERK_ID } });
    if (existing) return { userId: existing.id, created: false };
    const user = await tx.user.create({
      data: { clerkId: DEMO_CLERK_ID, email: 'demo@postaify.local', name: 'Demo Creator', timezone: 'Europe/Berlin' },
    });
    const coffee = await tx.brand.create({
      data: {
        userId: user.id,
        name: 'Hilltop Coffee',
        description: 'A small-batch roastery in the hills.',
        voice: 'Warm, curious, a little nerdy about beans.',
        audience: 'Home baristas and cafe owners',
        imageStyle: 'Natural light, film grain, earthy tones',
      },
    });
    const studio = await tx.brand.create({
      data: {
        userId: user.id,
        name: 'Northwind Studio',
        description: 'A two-person product design studio.',
        voice: 'Clear, confident, practical.',
        audience: 'Founders of early-stage startups',
      },
    });
    await tx.post.createMany({
      data: [
        {
          userId: user.id,
          brandId: coffee.id,
          platform: 'INSTAGRAM',
          content:
            'New harvest, new roast. Our Ethiopian Guji lands this week: blueberry, jasmine, and a finish that lingers. #coffee #specialtycoffee',
        },
        {
          userId: user.id,
          brandId: coffee.id,
          platform: 'TWITTER',
          content:
            'Grind size is the one dial most home brewers never touch. Go one step finer tomorrow and taste the difference.',
        },
        {
          userId: user.id,
          brandId: studio.id,
          platform: 'LINKEDIN',
          content:
            'Three things we ask every founder before we open Figma:\n\n1. Who is this for, by name?\n2. What do they do today instead?\n3. What would make them switch this week?\n\nThe answers shape the product more than any mood board.',
        },
        {
          userId: user.id,
          brandId: studio.id,
          platform: 'THREADS',
          content: 'A prototype in a user’s hands beats a perfect deck in yours.',
          status: 'DELIVERED',
          deliveredAt: new Date(Date.now() - 24 * 60 * 60 * 1000),
          scheduledFor: new Date(Date.now() - 24 * 60 * 60 * 1000),
        },
      ],
    });
    return { userId: user.id, created: true };
  });
}
