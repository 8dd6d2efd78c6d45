// Writing down how a delivery ended. A chat that refuses delivery (blocked, deactivated, gone) is
// marked UNREACHABLE and every pending post of its user fails with a readable reason, which /me
// and the posts show until the user links again.
import type { Db } from '../../lib/db.js';

export async function markSent(db: Db, deliveryId: string, postId: string) {
  const now = new Date();
  await db.$transaction([
    db.delivery.update({
      where: { id: deliveryId },
      data: { status: 'SENT', sentAt: now, leaseUntil: null, lastError: null },
    }),
    db.post.updateMany({
      where: { id: postId, status: 'DELIVERING' },
      data: { status: 'DELIVERED', deliveredAt: now, lastError: null },
    }),
  ]);
}

export async function markFailed(db: Db, deliveryId: string, postId: string, reason: string) {
  await db.$transaction([
    db.delivery.update({ where: { id: deliveryId }, data: { status: 'FAILED', leaseUntil: null, lastError: reason } }),
    db.post.updateMany({
      where: { id: postId, status: { in: ['DELIVERING', 'SCHEDULED'] } },
      data: { status: 'FAILED', lastError: reason },
    }),
  ]);
}

export async function markUnreachable(db: Db, userId: string, description: string) {
  const reason = `Telegram refused delivery (${description}). Link Telegram again, then reschedule.`;
  await db.$transaction([
    db.telegramChat.updateMany({
      where: { userId },
      data: { status: 'UNREACHABLE', unreachableAt: new Date(), lastError: description },
    }),
    db.delivery.updateMany({
      where: { userId, status: { in: ['SCHEDULED', 'QUEUED', 'SENDING'] } },
      data: { status: 'FAILED', leaseUntil: null, lastError: reason },
    }),
    db.post.updateMany({
      where: { userId, status: { in: ['SCHEDULED', 'DELIVERING'] } },
      data: { status: 'FAILED', lastError: reason },
    }),
  ]);
}
