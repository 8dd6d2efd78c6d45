// (Re)schedules a post's delivery to one chat. A delivery row is reused for the same (post, chat),
// so whatever a previous run left on it (parts already sent, lease, attempts, errors) is cleared
// here: a rescheduled, snoozed or retried-after-failure post is delivered whole, from the start.
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { LEASE_MS } from './claim.js';

export interface DeliveryTarget {
  postId: string;
  userId: string;
  chatId: bigint;
  dueAt: Date;
}

export function scheduleDelivery(tx: Prisma.TransactionClient, { postId, userId, chatId, dueAt }: DeliveryTarget) {
  return tx.delivery.upsert({
    where: { postId_chatId: { postId, chatId } },
    create: { postId, userId, chatId, dueAt },
    update: {
      status: 'SCHEDULED',
      dueAt,
      progress: Prisma.DbNull,
      attempts: 0,
      leaseUntil: null,
      leaseOwner: null,
      sentAt: null,
      lastError: null,
    },
  });
}

/**
 * A sender hands a delivery back for `delayMs` (its chat is busy: other messages to it took its
 * next slots). It stays claimed, with a lease that covers the wait, so a lost job still brings it
 * back and the claim counts it against its user; the attempt its start counted is taken back, as
 * nothing was sent. False when it is no longer being sent (cancelled, deleted meanwhile).
 */
export async function handBack(db: Db, deliveryId: string, delayMs: number): Promise<boolean> {
  const { count } = await db.delivery.updateMany({
    where: { id: deliveryId, status: 'SENDING', attempts: { gt: 0 } },
    data: { attempts: { decrement: 1 }, leaseUntil: new Date(Date.now() + delayMs + LEASE_MS) },
  });
  return count === 1;
}
