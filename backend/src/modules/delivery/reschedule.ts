// (Re)schedules a post's delivery to one chat. A delivery row is reused for the same (post, chat),
// so whatever a previous run left on it (parts already sent, lease, attempts, errors) is cleared
// here: a rescheduled, snoozed or retried-after-failure post is delivered whole, from the start.
import { Prisma } from '../../generated/prisma/client.js';

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
