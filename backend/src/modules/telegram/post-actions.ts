// What the buttons under a delivered post do: mark it posted on its platform, or snooze it (it is
// delivered again one hour from now).
import type { Db } from '../../lib/db.js';
import { scheduleDelivery } from '../delivery/reschedule.js';

const HOUR_MS = 60 * 60 * 1000;

export type ActionOutcome = 'posted' | 'snoozed' | 'gone' | 'invalid';

export async function markPosted(db: Db, userId: string, postId: string): Promise<ActionOutcome> {
  const { count } = await db.post.updateMany({
    where: { id: postId, userId, status: 'DELIVERED' },
    data: { postedAt: new Date() },
  });
  if (count === 1) return 'posted';
  return (await db.post.count({ where: { id: postId, userId } })) ? 'invalid' : 'gone';
}

export async function snooze(db: Db, userId: string, postId: string, now = new Date()): Promise<ActionOutcome> {
  const at = new Date(now.getTime() + HOUR_MS);
  return db.$transaction(async (tx) => {
    const { count } = await tx.post.updateMany({
      where: { id: postId, userId, status: { in: ['DELIVERED', 'FAILED', 'SCHEDULED'] } },
      data: { status: 'SCHEDULED', scheduledFor: at, deliveredAt: null, lastError: null },
    });
    if (count === 0) return (await tx.post.count({ where: { id: postId, userId } })) ? 'invalid' : 'gone';
    const chat = await tx.telegramChat.findUnique({ where: { userId } });
    if (chat) {
      await scheduleDelivery(tx, { postId, userId, chatId: chat.chatId, dueAt: at });
    }
    return 'snoozed';
  });
}
