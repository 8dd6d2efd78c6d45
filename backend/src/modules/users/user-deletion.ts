// Removing a user (Clerk `user.deleted`): an active Stripe subscription, their stored media (local
// files or S3 objects), then every row. Deleting the User row cascades to brands, posts, jobs,
// usage and its ledger, idempotency records, the Telegram chat and link codes, deliveries and their
// attempts, media rows and the subscription. Audit rows are not foreign keys and are kept: the
// trail outlives the user, and a `user_deleted` row is added with the deletion. Queued generation jobs find no row and are skipped; pending deliveries go with their
// rows. First of all the Clerk id gets a tombstone (DeletedClerkUser), even when no row exists
// yet: a late `user.created`/`user.updated` or a session token still alive for that id must not
// bring the user back (clerk-webhook.ts, users.service.ts).
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import type { Storage } from '../../integrations/storage.js';
import { ProviderError } from '../../integrations/provider-error.js';
import { viaStripe, type StripeClient } from '../../integrations/stripe.js';
import { recordAudit } from '../audit/audit.service.js';

export interface DeletionDeps {
  db: Db;
  stripe: StripeClient;
  /** Where the user's media objects are removed from (the process's storage, local or S3). */
  storage: Pick<Storage, 'delete'>;
  logger: Logger;
}

/** Objects removed at once: a user with thousands of media must not open thousands of requests. */
const DELETE_BATCH = 16;

export async function deleteUserByClerkId(
  { db, stripe, storage, logger }: DeletionDeps,
  clerkId: string,
): Promise<boolean> {
  await db.deletedClerkUser.upsert({ where: { clerkId }, create: { clerkId }, update: {} });
  const user = await db.user.findUnique({ where: { clerkId }, include: { subscription: true } });
  if (!user) return false;
  await db.user.update({ where: { id: user.id }, data: { deletedAt: new Date() } });

  const sub = user.subscription;
  const canceled = Boolean(sub && !['CANCELED', 'INCOMPLETE_EXPIRED'].includes(sub.status));
  if (sub && canceled) {
    await viaStripe(stripe, 'subscription cancel', (client) =>
      client.subscriptions.cancel(sub.stripeSubscriptionId),
    ).catch((err: unknown) => {
      // Already gone at Stripe is fine. Anything else stops the deletion before a row goes: a
      // user whose data we removed must not go on paying. The caller (Clerk's webhook) fails,
      // and Clerk's retry runs it all again.
      if (err instanceof ProviderError && err.status === 404) {
        logger.warn({ reason: err.message }, 'the deleted user’s Stripe subscription was already gone');
        return;
      }
      throw err;
    });
  }
  // A failure throws before any row goes, so running the deletion again finds every key again
  // (deleting an object twice is fine) instead of leaving objects no row points to.
  const media = await db.mediaAsset.findMany({ where: { userId: user.id }, select: { storageKey: true } });
  for (let i = 0; i < media.length; i += DELETE_BATCH) {
    await Promise.all(media.slice(i, i + DELETE_BATCH).map((m) => storage.delete(m.storageKey)));
  }
  // The audit trail stays (its rows are not foreign keys and hold no personal data) and gains the
  // row that names this deletion, committed with it.
  await db.$transaction(async (tx) => {
    await tx.user.delete({ where: { id: user.id } });
    await recordAudit(tx, {
      action: 'user_deleted',
      actor: 'clerk',
      userId: user.id,
      data: { plan: user.plan, hadLiveSubscription: canceled, mediaDeleted: media.length },
    });
  });
  return true;
}
