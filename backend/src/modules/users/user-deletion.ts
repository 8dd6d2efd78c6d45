// Removing a user (Clerk `user.deleted`): their stored media files, an active Stripe subscription,
// then every row. Deleting the User row cascades to brands, posts, jobs, usage and its ledger,
// idempotency records, the Telegram chat and link codes, deliveries and their attempts, media rows
// and the subscription; audit rows are not foreign keys, so they are deleted explicitly. Queued
// generation jobs find no row and are skipped; pending deliveries go with their rows.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Stripe from 'stripe';
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import { viaStripe } from '../../integrations/stripe.js';

export interface DeletionDeps {
  db: Db;
  stripe: Stripe;
  /** Local media folder, when media are stored locally. */
  mediaRoot?: string;
  logger: Logger;
}

export async function deleteUserByClerkId(
  { db, stripe, mediaRoot, logger }: DeletionDeps,
  clerkId: string,
): Promise<boolean> {
  const user = await db.user.findUnique({ where: { clerkId }, include: { subscription: true } });
  if (!user) return false;
  await db.user.update({ where: { id: user.id }, data: { deletedAt: new Date() } });

  const sub = user.subscription;
  if (sub && !['CANCELED', 'INCOMPLETE_EXPIRED'].includes(sub.status)) {
    await viaStripe('subscription cancel', () => stripe.subscriptions.cancel(sub.stripeSubscriptionId)).catch(
      (err: Error) => {
        // Already gone at Stripe is fine; anything else must not keep the user's data around.
        logger.warn({ reason: err.message }, 'could not cancel the Stripe subscription of a deleted user');
      },
    );
  }
  if (mediaRoot) {
    const media = await db.mediaAsset.findMany({ where: { userId: user.id }, select: { storageKey: true } });
    await Promise.all(media.map((m) => rm(join(mediaRoot, m.storageKey), { force: true })));
  }
  await db.$transaction([
    db.auditLog.deleteMany({ where: { userId: user.id } }),
    db.user.delete({ where: { id: user.id } }),
  ]);
  return true;
}
